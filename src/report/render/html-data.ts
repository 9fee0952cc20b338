/** The compact JSON the dashboard script reads: arrays instead of objects, projects and reasons stored once. */
import { reasonSentences } from '../../model/match-reason.js';
import { SEVERITIES, type Severity } from '../../model/types.js';
import type { ReportData } from '../model.js';

/** Positions inside one encoded finding (the dashboard script uses the same numbers). */
export const F = { project: 0, ecosystem: 1, package: 2, version: 3, group: 4, advisoryIds: 5, aliases: 6, severity: 7, cvss: 8, fixed: 9, upgrade: 10, status: 11, firstSeen: 12, lastSeen: 13, targets: 14, reason: 15, acceptance: 16, note: 17, kevAdded: 18, epss: 19, spans: 20, upgradeTarget: 21 } as const;

/**
 * The weight of one open finding in the top upgrades, by severity (a KEV listing ranks before any weight; EPSS
 * adds `EPSS_WEIGHT` × its probability). An unrated finding weighs as `triage.unknown_severity` says.
 */
export const SEVERITY_WEIGHTS: Record<Exclude<Severity, 'UNKNOWN'>, number> = { CRITICAL: 10, HIGH: 5, MEDIUM: 2, LOW: 1, NONE: 0 };
/** What an unrated finding weighs when `triage.unknown_severity` is `unknown` (below low). */
export const UNKNOWN_WEIGHT = 0.5;
/** EPSS adds this times its probability (0..1) to a finding's weight: a certain exploit weighs as one more critical. */
export const EPSS_WEIGHT = 10;

/** The dashboard payload: small enough to embed 100k findings in one file. */
export interface DashboardData {
  generatedAt: string;
  defaultStatus: string;
  severities: readonly string[];
  /** Weight of one open finding by severity index (the order of `severities`), and per unit of EPSS. */
  weights: { severity: number[]; epss: number };
  projects: [name: string, url: string, maintainers: string[]][];
  advisories: Record<string, [summary: string, details: string, aliases: string[], references: [type: string, url: string][]]>;
  /** Why a finding matched, as the sentences `icms explain` prints (each distinct list once). */
  reasons: string[][];
  /** The trend's points as [label, at]; per run or per day. */
  trend: { perRun: boolean; points: [label: string, at: string][] };
  /**
   * Values many findings repeat, each stored once: advisory id lists, alias lists and file lists (the same for every
   * finding of a group or project file) and timestamps (one per run). A finding holds the index at those positions
   * (`F.advisoryIds`, `F.aliases`, `F.firstSeen`, `F.lastSeen`, `F.targets`): at 281k findings this halves the page's
   * JSON, and the browser parses and keeps one copy of each.
   */
  shared: unknown[];
  findings: unknown[][];
}

/** The weights of `DashboardData.weights.severity`, unrated counted as `unknownAs`. */
export function severityWeights(unknownAs: Severity): number[] {
  return SEVERITIES.map((s) => {
    const as = s === 'UNKNOWN' ? unknownAs : s;
    return as === 'UNKNOWN' ? UNKNOWN_WEIGHT : SEVERITY_WEIGHTS[as];
  });
}

/** A finding's active spans, short: null when never active in the trend, a number when active from there on. */
function encodeSpans(spans: number[] | undefined): number | number[] | null {
  if (!spans || spans.length === 0) return null;
  return spans.length === 1 ? spans[0]! : spans;
}

/** Encodes the report data for the dashboard (unrated findings weighted as `unknownAs`, default HIGH). */
export function dashboardData(data: ReportData, unknownAs: Severity = 'HIGH'): DashboardData {
  const projectIndex = new Map<string, number>();
  const projects: DashboardData['projects'] = [];
  const addProject = (name: string, url: string, maintainers: string[]): number => {
    let i = projectIndex.get(name);
    if (i === undefined) {
      i = projects.push([name, url, maintainers]) - 1;
      projectIndex.set(name, i);
    }
    return i;
  };
  for (const p of data.projects) addProject(p.name, p.url, p.maintainers.map((m) => m.email));
  const reasonIndex = new Map<string, number>();
  const reasons: string[][] = [];
  const sharedIndex = new Map<string, number>();
  const shared: unknown[] = [];
  const share = (v: string | readonly string[]): number => {
    const key = typeof v === 'string' ? `s${v}` : `j${JSON.stringify(v)}`;
    let i = sharedIndex.get(key);
    if (i === undefined) {
      i = shared.push(v) - 1;
      sharedIndex.set(key, i);
    }
    return i;
  };
  const spans = data.trend.spans;
  const findings = data.findings.map((f) => {
    const key = JSON.stringify(f.reason);
    let ri = reasonIndex.get(key);
    if (ri === undefined) {
      ri = reasons.push(reasonSentences(f.reason)) - 1;
      reasonIndex.set(key, ri);
    }
    return [addProject(f.project, f.projectUrl, f.maintainers), f.ecosystem, f.package, f.version, f.groupId, share(f.advisoryIds), share(f.aliases), SEVERITIES.indexOf(f.severity), f.cvssScore, f.fixedVersion, f.upgrade, f.status, share(f.firstSeen), share(f.lastSeen), share(f.targets), ri, f.acceptance?.reason ?? null, f.statusNote, f.kev ? (f.kev.date_added ?? '?') : null, f.epss?.score ?? null, encodeSpans(spans.get(f.id)), f.upgradeTarget];
  });
  const advisories: DashboardData['advisories'] = {};
  for (const [id, a] of Object.entries(data.advisories)) advisories[id] = [a.summary ?? '', a.details ?? '', a.aliases, a.references.map((r) => [r.type, r.url])];
  const defaultStatus = data.filters.status === 'all' || data.filters.status === 'open' ? 'active' : 'all';
  const trend: DashboardData['trend'] = { perRun: data.trend.perRun, points: data.trend.points.map((p) => [p.label, p.at]) };
  return { generatedAt: data.generatedAt, defaultStatus, severities: SEVERITIES, weights: { severity: severityWeights(unknownAs), epss: EPSS_WEIGHT }, projects, advisories, reasons, trend, shared, findings };
}
