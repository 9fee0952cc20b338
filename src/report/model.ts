/** The report data: findings joined with projects, maintainers, advisory texts, upgrades, trend and scans. */
import type { Db } from '../db/open.js';
import { listProjects } from '../db/projects.js';
import { iterateStatusChanges, listAdvisoryTexts, listLatestScans, listMatchRuns, listReportFindings, type AdvisoryText, type LatestScanRow, type ReportFindingRow } from '../db/report.js';
import { packageUpgrade } from '../matcher/match.js';
import { basisSeverity } from '../triage/basis.js';
import { SEVERITIES, severityRank, type FindingStatus, type Maintainer, type Severity } from '../model/types.js';
import { findingSpans, trendPoints, trendStart, type Trend } from './trend.js';

/** What `--status` selects. */
export const STATUS_FILTERS = ['open', 'new', 'fixed', 'accepted', 'all'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

const STATUS_SETS: Record<StatusFilter, readonly FindingStatus[]> = {
  open: ['new', 'open', 'reopened'],
  new: ['new', 'reopened'],
  fixed: ['fixed'],
  accepted: ['accepted', 'false_positive'],
  all: ['new', 'open', 'reopened', 'fixed', 'accepted', 'false_positive'],
};
const ACTIVE = new Set<FindingStatus>(STATUS_SETS.open);
const ALL_STATUSES = STATUS_SETS.all;

/** Which findings a report covers and how much history it shows. */
export interface ReportQuery {
  status: StatusFilter;
  /** Project ids (already resolved from --project); undefined = every project. */
  projectIds?: readonly number[] | undefined;
  /** Maintainer emails or names (case-insensitive; a part of either matches). */
  maintainers?: readonly string[] | undefined;
  severityMin?: Severity | undefined;
  /** `triage.severity_source`: the severity `severityMin` and the order compare (default base). */
  basis?: 'base' | 'environmental' | undefined;
  /** Only findings a fixed version is known for (`--ignore-unfixed` / `--only-fixed`). */
  onlyFixed?: boolean | undefined;
  trendDays: number;
  now: Date;
}

/** A finding with everything a reader needs next to it. */
export interface ReportFinding extends Omit<ReportFindingRow, 'projectId'> {
  projectUrl: string;
  /** Maintainer emails of the project. */
  maintainers: string[];
  /** The smallest upgrade of this package that clears every active finding on it in this project; null if none is known. */
  upgrade: string | null;
  /**
   * The upgrade that clears this finding together with every other active finding of the package in the project
   * that has a fixed version (their highest fix; equal to `upgrade` when all have one); null for a finding without
   * a fixed version, or not active.
   */
  upgradeTarget: string | null;
}

/** A project in scope, with its maintainers and its latest scan. */
export interface ReportProject {
  name: string;
  url: string;
  kind: string;
  maintainers: Maintainer[];
  lastScan: Omit<LatestScanRow, 'projectId'> | null;
}

/** Everything renderers get; renderers are pure functions of this. */
export interface ReportData {
  generatedAt: string;
  filters: { status: StatusFilter; projects: string[] | null; maintainers: string[] | null; severityMin: Severity | null };
  totals: { findings: number; projects: number; bySeverity: Record<Severity, number>; byStatus: Record<FindingStatus, number> };
  /** Most severe first, then project, package. */
  findings: ReportFinding[];
  /** Advisory texts by advisory id (one source's text per id: the first with a summary). */
  advisories: Record<string, AdvisoryText>;
  projects: ReportProject[];
  /** Open findings over `trendDays`, per finding (so a view of the report can count its own). */
  trend: Trend;
}

/** Builds the report data from the store. */
export function buildReport(db: Db, q: ReportQuery): ReportData {
  const projects = listProjects(db, { includeRemoved: true });
  const byId = new Map(projects.map((p) => [p.id, p]));
  const wantedMaint = q.maintainers?.map((m) => m.toLowerCase());
  const inScope = (projectId: number): boolean => {
    const p = byId.get(projectId);
    if (!p) return false;
    if (!wantedMaint || wantedMaint.length === 0) return true;
    return p.maintainers.some((m) => wantedMaint.some((w) => m.email.toLowerCase().includes(w) || m.name.toLowerCase().includes(w)));
  };
  const rows = listReportFindings(db, { projectIds: q.projectIds }).filter((r) => inScope(r.projectId));
  const upgrades = upgradeIndex(rows);
  const wanted = new Set(STATUS_SETS[q.status]);
  const byStatus = countBy([], (s: FindingStatus) => s, ALL_STATUSES);
  const scopedProjectIds = new Set<number>();
  // one maintainer list per project, shared by its findings
  const maintainersOf = new Map<number, string[]>();
  const findings: ReportFinding[] = [];
  for (const r of rows) {
    if (q.severityMin && severityRank(basisSeverity(r, q.basis)) < severityRank(q.severityMin)) continue;
    if (q.onlyFixed && !r.fixedVersion) continue;
    byStatus[r.status]++;
    scopedProjectIds.add(r.projectId);
    if (!wanted.has(r.status)) continue;
    const p = byId.get(r.projectId)!;
    let maintainers = maintainersOf.get(p.id);
    if (!maintainers) maintainersOf.set(p.id, (maintainers = Object.freeze(p.maintainers.map((m) => m.email)) as string[]));
    // the row itself becomes the report finding (a copy of each would double a large report's memory)
    const up = ACTIVE.has(r.status) ? upgrades.get(upgradeKey(r)) : undefined;
    findings.push(Object.assign(r, { projectUrl: p.url, maintainers, upgrade: up?.all ?? null, upgradeTarget: r.fixedVersion ? (up?.fixable ?? null) : null }));
  }
  rows.length = 0;
  findings.sort(q.basis === 'environmental' ? attentionOrder((f) => basisSeverity(f as ReportFinding, 'environmental')) : bySeverity);
  if (q.projectIds) for (const id of q.projectIds) if (inScope(id)) scopedProjectIds.add(id);
  const scans = new Map(listLatestScans(db).map((s) => [s.projectId, s]));
  return {
    generatedAt: q.now.toISOString(),
    filters: { status: q.status, projects: q.projectIds ? q.projectIds.map((id) => byId.get(id)?.name ?? String(id)) : null, maintainers: q.maintainers?.length ? [...q.maintainers] : null, severityMin: q.severityMin ?? null },
    totals: { findings: findings.length, projects: new Set(findings.map((f) => f.project)).size, bySeverity: countBy(findings, (f) => f.severity, SEVERITIES), byStatus },
    findings,
    advisories: advisoryIndex(listAdvisoryTexts(db, findings.flatMap((f) => f.advisoryIds))),
    projects: projects
      .filter((p) => scopedProjectIds.has(p.id))
      .map((p) => {
        const s = scans.get(p.id);
        return { name: p.name, url: p.url, kind: p.kind, maintainers: p.maintainers, lastScan: s ? { startedAt: s.startedAt, finishedAt: s.finishedAt, status: s.status, commitSha: s.commitSha, packageCount: s.packageCount, error: s.error } : null };
      }),
    trend: reportTrend(db, findings, q.now, q.trendDays),
  };
}

type Attention = { severity: Severity; project: string; package: string; groupId: string; kev?: unknown; epss?: { score: number } | null };

/** The order of attention on a severity basis: KEV-listed first, then most severe, then most likely exploited (EPSS), then by project, package and advisory group. */
export function attentionOrder(severity: (f: Attention) => Severity): (a: Attention, b: Attention) => number {
  return (a, b) =>
    Number(Boolean(b.kev)) - Number(Boolean(a.kev)) || severityRank(severity(b)) - severityRank(severity(a)) || (b.epss?.score ?? -1) - (a.epss?.score ?? -1) ||
    cmp(a.project, b.project) || cmp(a.package, b.package) || cmp(a.groupId, b.groupId);
}

/** The order of attention on the base severity. */
export const bySeverity: (a: Attention, b: Attention) => number = attentionOrder((f) => f.severity);

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function upgradeKey(r: ReportFindingRow): string {
  return `${r.projectId}\0${r.ecosystem}\0${r.package}\0${r.version}`;
}

/** Per (project, package, version): the upgrade that clears all of its active findings at once, and the one that clears those with a fixed version. */
function upgradeIndex(rows: readonly ReportFindingRow[]): Map<string, { all: string | undefined; fixable: string | undefined }> {
  const fixes = new Map<string, { ecosystem: string; fixes: (string | undefined)[] }>();
  for (const r of rows) {
    if (!ACTIVE.has(r.status)) continue;
    const k = upgradeKey(r);
    const e = fixes.get(k) ?? { ecosystem: r.ecosystem, fixes: [] };
    e.fixes.push(r.fixedVersion ?? undefined);
    fixes.set(k, e);
  }
  return new Map([...fixes].map(([k, e]) => [k, { all: packageUpgrade(e.ecosystem, e.fixes), fixable: packageUpgrade(e.ecosystem, e.fixes.filter((f) => f !== undefined)) }]));
}

function advisoryIndex(texts: readonly AdvisoryText[]): Record<string, AdvisoryText> {
  const out: Record<string, AdvisoryText> = {};
  for (const t of texts) {
    const seen = out[t.id];
    if (!seen || (!seen.summary && t.summary)) out[t.id] = t;
  }
  return out;
}

/** Counts items by a key, with every known key present (0 when absent). */
export function countBy<T, K extends string>(items: readonly T[], key: (t: T) => K, keys: readonly K[]): Record<K, number> {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + 1;
  return out;
}

/** The trend of the report's findings over `days` days ending `now` (no points, and no events read, for 0 days). */
function reportTrend(db: Db, findings: readonly ReportFinding[], now: Date, days: number): Trend {
  const { perRun, points } = trendPoints(days > 0 ? listMatchRuns(db, trendStart(now, days)) : [], now, days);
  return { perRun, points, spans: points.length > 0 ? findingSpans(findings, iterateStatusChanges(db), points) : new Map() };
}
