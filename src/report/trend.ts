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
  const wanted = new Set(findings.map((f) => f.id));
  const spans = new Map<number, number[]>();
  if (points.length === 0) return spans;
  // one finding's changes at a time, oldest first: each point takes the status of the last change at or before it
  const walk = new SpanWalk(points);
  let id = -1;
  let kept = false;
  for (const [fid, at, status] of changes) {
    if (fid !== id) {
      if (kept) spans.set(id, walk.finish());
      id = fid;
      kept = wanted.has(fid);
    }
    if (kept) walk.change(at, status);
  }
  if (kept) spans.set(id, walk.finish());
  for (const f of findings) {
    if (spans.has(f.id)) continue;
    walk.change(f.firstSeen, f.status);
    spans.set(f.id, walk.finish());
  }
  return spans;
}

/** Walks the points along one finding's status changes at a time, noting where it turns active or inactive. */
class SpanWalk {
  private next = 0;
  private active = false;
  private out: number[] = [];
  constructor(private readonly points: readonly TrendPoint[]) {}

  /** The finding's status became `status` at `at` (changes come oldest first). */
  change(at: string, status: FindingStatus): void {
    while (this.next < this.points.length && this.points[this.next]!.at < at) this.next++;
    // every point before `at` already has the status so far; from this point on it has the new one (until the next change)
    const active = ACTIVE.has(status);
    if (active !== this.active && this.next < this.points.length) {
      if (this.out.at(-1) === this.next) this.out.pop();
      else this.out.push(this.next);
    }
    this.active = active;
  }

  /** The points where the finding turned active or inactive; the walk starts over for the next finding. */
  finish(): number[] {
    const out = this.out;
    this.out = [];
    this.next = 0;
    this.active = false;
    return out;
  }
}
