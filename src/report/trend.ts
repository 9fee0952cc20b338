/**
 * The trend of open findings, per finding so that any view of the dashboard (a project, a maintainer, a filter)
 * can add up its own: which points the trend has (a day each, or a match run each while there is less than two
 * days of history), and for each finding the points at which it became active or stopped being active.
 */
import type { FindingStatus } from '../model/types.js';
import type { MatchRunRow } from '../db/report.js';

/** One point of the trend: the state as of `at`, labelled by its day or (per-run trends) its time. */
export interface TrendPoint {
  at: string;
  label: string;
}

/** The trend's points and every finding's active spans over them. */
export interface Trend {
  /** True when the points are match runs (less than two days of history), false when they are days. */
  perRun: boolean;
  points: TrendPoint[];
  /**
   * By finding id: the indexes of the points where the finding turns active, then inactive, then active …
   * (`[0]`: active throughout; `[2, 5]`: active at points 2 to 4; `[]`: never active in the window).
   */
  spans: Map<number, number[]>;
}

const ACTIVE = new Set<FindingStatus>(['new', 'open', 'reopened']);
const DAY = 86_400_000;

/** Start of the first UTC day of a trend of `days` days ending today. */
export function trendStart(now: Date, days: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - days + 1));
}

/**
 * The points of a trend of `days` days ending `now`, from the match runs in it (and the last one before it):
 * one per day (the state at the end of the day, or now for today) from the first day with a run; one per run
 * while every run falls on a single day, so the first day already shows a line once a second run exists.
 */
export function trendPoints(runs: readonly MatchRunRow[], now: Date, days: number): Pick<Trend, 'perRun' | 'points'> {
  if (runs.length === 0 || days <= 0) return { perRun: false, points: [] };
  const start = trendStart(now, days);
  const dates = new Set(runs.map((r) => r.at.slice(0, 10)));
  if (dates.size === 1 && runs[0]!.at >= start.toISOString()) {
    return { perRun: true, points: runs.map((r) => ({ at: r.at, label: `${r.at.slice(0, 10)} ${r.at.slice(11, 16)}` })) };
  }
  const first = Math.max(start.getTime(), Date.parse(`${runs[0]!.at.slice(0, 10)}T00:00:00Z`));
  const points: TrendPoint[] = [];
  for (let t = first; t <= now.getTime(); t += DAY) {
    const end = Math.min(t + DAY - 1, now.getTime());
    points.push({ at: new Date(end).toISOString(), label: new Date(t).toISOString().slice(0, 10) });
  }
  return { perRun: false, points };
}

/**
 * Each finding's active spans over `points`, from its status changes (`changes`: by finding, oldest first, as
 * `iterateStatusChanges` yields them). A finding without any recorded change keeps its current status from its
 * first sighting. Only findings in `findings` are kept.
 */
export function findingSpans(
  findings: readonly { id: number; status: FindingStatus; firstSeen: string }[],
  changes: Iterable<readonly [number, string, FindingStatus]>,
  points: readonly TrendPoint[],
): Map<number, number[]> {
  const wanted = new Map(findings.map((f) => [f.id, f]));
  const spans = new Map<number, number[]>();
  if (points.length === 0) return spans;
  let id = -1;
  let history: [string, FindingStatus][] = [];
  const flush = (): void => {
    if (wanted.has(id)) spans.set(id, spansOf(history, points));
  };
  for (const [fid, at, status] of changes) {
    if (fid !== id) {
      flush();
      id = fid;
      history = [];
    }
    if (wanted.has(fid)) history.push([at, status]);
  }
  flush();
  for (const f of findings) if (!spans.has(f.id)) spans.set(f.id, spansOf([[f.firstSeen, f.status]], points));
  return spans;
}

/** The points where a status history (oldest first) turns active or inactive. */
function spansOf(history: readonly [string, FindingStatus][], points: readonly TrendPoint[]): number[] {
  const out: number[] = [];
  let next = 0;
  let active = false;
  let status: FindingStatus | undefined;
  for (let i = 0; i < points.length; i++) {
    while (next < history.length && history[next]![0] <= points[i]!.at) status = history[next++]![1];
    const now = status !== undefined && ACTIVE.has(status);
    if (now !== active) out.push(i);
    active = now;
  }
  return out;
}
