/** Derived views of the report data shared by renderers: groups (--by), totals lines, fix texts. */
import { SEVERITIES, severityRank, type Severity } from '../model/types.js';
import { countBy, type ReportFinding } from './model.js';

/** What `--by` groups findings by. */
export const GROUP_BYS = ['project', 'maintainer', 'severity', 'package', 'advisory'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** One group of findings: its key, counts by severity, how many projects, and (per package) the upgrade. */
export interface FindingGroup {
  key: string;
  total: number;
  bySeverity: Record<Severity, number>;
  projects: number;
  worst: Severity;
}

function keysOf(f: ReportFinding, by: GroupBy): string[] {
  switch (by) {
    case 'project':
      return [f.project];
    case 'maintainer':
      return f.maintainers.length > 0 ? f.maintainers : ['(no maintainer)'];
    case 'severity':
      return [f.severity];
    case 'package':
      return [`${f.ecosystem}:${f.package}`];
    case 'advisory':
      return [f.groupId];
  }
}

/** Groups findings by `by`, worst and largest groups first (a finding counts once per maintainer of its project). */
export function groupFindings(findings: readonly ReportFinding[], by: GroupBy): FindingGroup[] {
  const groups = new Map<string, ReportFinding[]>();
  for (const f of findings) {
    for (const k of keysOf(f, by)) {
      const g = groups.get(k);
      if (g) g.push(f);
      else groups.set(k, [f]);
    }
  }
  return [...groups]
    .map(([key, fs]) => ({
      key,
      total: fs.length,
      bySeverity: countBy(fs, (f) => f.severity, SEVERITIES),
      projects: new Set(fs.map((f) => f.project)).size,
      worst: fs.reduce<Severity>((w, f) => (severityRank(f.severity) > severityRank(w) ? f.severity : w), 'UNKNOWN'),
    }))
    .sort((a, b) => severityRank(b.worst) - severityRank(a.worst) || b.total - a.total || (a.key < b.key ? -1 : 1));
}

/** True for findings still to be dealt with (new, open, reopened). */
export function isActive(f: { status: string }): boolean {
  return f.status === 'new' || f.status === 'open' || f.status === 'reopened';
}

/** "3 critical, 12 high, 1 medium, 4 unknown" (zero counts left out; NONE counted with UNKNOWN, as in csv and markdown). */
export function severityLine(bySeverity: Record<Severity, number>): string {
  const parts = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'].filter((s) => bySeverity[s as Severity] > 0).map((s) => `${bySeverity[s as Severity]} ${s.toLowerCase()}`);
  const unknown = bySeverity.UNKNOWN + bySeverity.NONE;
  if (unknown > 0) parts.push(`${unknown} unknown`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** The fix suggestion for one finding: the package upgrade, else the group's fixed version, else none known. */
export function fixText(f: Pick<ReportFinding, 'package' | 'upgrade' | 'fixedVersion' | 'status'>): string {
  if (f.upgrade) return `upgrade ${f.package} to ${f.upgrade}`;
  if (f.fixedVersion) return `fixed in ${f.fixedVersion}`;
  return isActive(f) ? 'no fixed version known' : '';
}
