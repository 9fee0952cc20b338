/** Cell text shared by the tabular renderers: safe, single-line where needed, same columns everywhere. */
import { stripControl } from '../../shared/text-safety.js';
import type { ReportData, ReportFinding } from '../model.js';
import { fixText } from '../summary.js';

/** The columns of a findings table, in order. */
export const FINDING_COLUMNS = ['severity', 'cvss', 'project', 'ecosystem', 'package', 'version', 'advisory', 'aliases', 'status', 'fix', 'first_seen', 'targets', 'summary'] as const;

/** One finding as the cell texts of FINDING_COLUMNS (untrusted text stripped of control characters). */
export function findingCells(f: ReportFinding, data: ReportData): string[] {
  const summary = f.advisoryIds.map((id) => data.advisories[id]?.summary).find((s) => s) ?? '';
  return [
    f.severity,
    f.cvssScore === null ? '' : f.cvssScore.toFixed(1),
    f.project,
    f.ecosystem,
    f.package,
    f.version,
    f.groupId,
    f.aliases.filter((a) => a !== f.groupId).join(' '),
    f.status,
    fixText(f),
    f.firstSeen.slice(0, 10),
    f.targets.join(' '),
    summary,
  ].map(stripControl);
}
