/**
 * The digest as a to-do list: per project and package, the one upgrade that clears all its open advisories,
 * ordered by the priority of the risk rules (KEV-listed first, then the worst severity on the configured basis,
 * then the highest EPSS, then the most advisories). Pure.
 */
import { packageUpgrade } from '../matcher/match.js';
import { severityRank, type Severity } from '../model/types.js';
import type { DigestRow } from './digest.js';
import { effectiveSeverity } from './severity.js';
import { emptyCounts, projectLabel } from './wording.js';

/** One package of one project and what clears its open advisories. */
export interface TodoItem {
  projectId: number;
  /** The project as people read it (branch said once). */
  project: string;
  ecosystem: string;
  package: string;
  version: string;
  /** The one version clearing every advisory below; undefined when some advisory has no fix yet. */
  upgrade: string | undefined;
  /** Without a single fix: the version clearing those that have a fix, and how many that is (undefined: none has one). */
  partial: { upgrade: string; clears: number } | undefined;
  /** Its open advisories, in priority order. */
  findings: DigestRow[];
  /** How many of them CISA lists as exploited. */
  kev: number;
  /** The worst severity on the configured basis. */
  worst: Severity;
  /** The highest EPSS score among them (undefined: none scored). */
  epss: number | undefined;
  /** Advisories by severity on the configured basis. */
  counts: Record<Severity, number>;
  /** How many are new since the recipient's last digest. */
  fresh: number;
}

/** Priority of single findings: KEV-listed first, then the severity basis, then EPSS, then oldest, then by name. */
export function byPriority(a: DigestRow, b: DigestRow): number {
  return (
    Number(Boolean(b.kev)) - Number(Boolean(a.kev)) ||
    severityRank(effectiveSeverity(b)) - severityRank(effectiveSeverity(a)) ||
    (b.epss?.score ?? -1) - (a.epss?.score ?? -1) ||
    b.ageDays - a.ageDays ||
    a.project.localeCompare(b.project) ||
    a.package.localeCompare(b.package) ||
    a.groupId.localeCompare(b.groupId)
  );
}

/** Priority of to-do items: any KEV-listed advisory first, then the worst severity, then the highest EPSS, then the most advisories. */
export function byItemPriority(a: TodoItem, b: TodoItem): number {
  return (
    Number(b.kev > 0) - Number(a.kev > 0) ||
    severityRank(b.worst) - severityRank(a.worst) ||
    (b.epss ?? -1) - (a.epss ?? -1) ||
    b.findings.length - a.findings.length ||
    a.project.localeCompare(b.project) ||
    a.package.localeCompare(b.package) ||
    a.version.localeCompare(b.version)
  );
}

/** Groups open findings per (project, ecosystem, package, version) into to-do items, in priority order. `fresh`: ids new since the last digest. */
export function buildTodo(open: readonly DigestRow[], fresh: ReadonlySet<number>): TodoItem[] {
  const groups = new Map<string, DigestRow[]>();
  for (const f of open) {
    const key = `${f.projectId}\0${f.ecosystem}\0${f.package}\0${f.version}`;
    const group = groups.get(key);
    if (group) group.push(f);
    else groups.set(key, [f]);
  }
  return [...groups.values()].map((g) => todoItem(g, fresh)).sort(byItemPriority);
}

function todoItem(group: DigestRow[], fresh: ReadonlySet<number>): TodoItem {
  const findings = group.slice().sort(byPriority);
  const first = findings[0]!;
  const counts = emptyCounts();
  for (const f of findings) counts[effectiveSeverity(f)]++;
  const scores = findings.flatMap((f) => (f.epss ? [f.epss.score] : []));
  const upgrade = packageUpgrade(first.ecosystem, findings.map((f) => f.fixedVersion ?? undefined));
  const fixable = findings.flatMap((f) => (f.fixedVersion ? [f.fixedVersion] : []));
  const partialUpgrade = upgrade === undefined && fixable.length > 0 ? packageUpgrade(first.ecosystem, fixable) : undefined;
  return {
    projectId: first.projectId,
    project: projectLabel(first.project, first.branch),
    ecosystem: first.ecosystem,
    package: first.package,
    version: first.version,
    upgrade,
    partial: partialUpgrade === undefined ? undefined : { upgrade: partialUpgrade, clears: fixable.length },
    findings,
    kev: findings.filter((f) => f.kev).length,
    worst: findings.map(effectiveSeverity).reduce((w, s) => (severityRank(s) > severityRank(w) ? s : w)),
    epss: scores.length ? Math.max(...scores) : undefined,
    counts,
    fresh: findings.filter((f) => fresh.has(f.id)).length,
  };
}

/** The items of one project, projects in the order of their most urgent item (items keep their order). */
export function byProject(items: readonly TodoItem[]): { project: string; items: TodoItem[] }[] {
  const out = new Map<number, { project: string; items: TodoItem[] }>();
  for (const i of items) {
    const p = out.get(i.projectId);
    if (p) p.items.push(i);
    else out.set(i.projectId, { project: i.project, items: [i] });
  }
  return [...out.values()];
}
