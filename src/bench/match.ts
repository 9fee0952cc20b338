/**
 * The match benchmark (issue 5) and the load curve (issue 10): a synthetic portfolio of real packages in a real
 * SQLite file, every OSV advisory synced with the real sync, the real match work timed against the floor of
 * reading the same rows, and against a naive every-package x every-entry loop on a sample.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runTask } from './isolate.js';
import type { BenchData } from './data.js';
import type { MatchRun, NaiveRun, PortfolioBuild } from './match-work.js';
import { copyDb } from './match-work.js';
import { round } from './measure.js';

export interface MatchBenchOptions {
  projects: number;
  perProject: number;
  reps: number;
  /** Rows of the naive-loop sample. */
  sampleRows: number;
  /** Portfolio fractions for the load curve besides 1 (e.g. [0.1, 0.5]); empty for none. */
  curve: number[];
  isolate: boolean;
  /** Also measure what only the match section shows (floor, second match, naive loop); false for the curve alone. */
  matchSection?: boolean;
  /** Called with each size's portfolio right after its first match (the last repetition's copy), before it is removed. */
  afterMatch?: (fraction: number, dbFile: string, run: MatchRun) => Promise<void>;
}

/** One portfolio size: its store time and best match. */
export interface CurvePoint {
  fraction: number;
  build: PortfolioBuild;
  match: MatchRun;
  matchRuns: number[];
  rssMb: number;
}

export interface MatchBenchResult {
  osvDir: string;
  trivyReports: number;
  reps: number;
  advisories: number;
  syncMs: number;
  full: CurvePoint;
  /** What only the match section shows; undefined when `matchSection` was false. */
  section: MatchSectionResult | undefined;
  curve: CurvePoint[];
}

/** The floor, the second match and the naive loop (the match section only). */
export interface MatchSectionResult {
  floor: { ms: number; runs: number[]; rssMb: number; rows: number };
  /** Second match with nothing changed (best of reps; each on the result of the previous). */
  second: { match: MatchRun; runs: number[]; rssMb: number };
  naive: NaiveRun;
  /** Naive time scaled linearly to the full portfolio's rows. */
  naiveExtrapolatedMs: number;
  /** Lower bound of the save: the same finding rows INSERTed alone (best of reps). */
  saveFloor: { ms: number; runs: number[]; rows: number };
}

/** Runs the match benchmark and the curve points. */
export async function benchMatch(data: BenchData, tmpDir: string, opts: MatchBenchOptions): Promise<MatchBenchResult> {
  const work = mkdtempSync(path.join(tmpDir, 'icms-bench-match-'));
  try {
    const base = path.join(work, 'advisories.db');
    const sync = await runTask('sync-once', { dbFile: base, osvDir: data.osvDir, tmpDir: work }, opts.isolate);
    const fractions = [...new Set([...opts.curve.filter((f) => f > 0 && f < 1), 1])].sort((a, b) => a - b);
    const curve: CurvePoint[] = [];
    let fullDb = '';
    for (const fraction of fractions) {
      const dbFile = path.join(work, `portfolio-${fraction}.db`);
      copyDb(base, dbFile);
      const spec = { projects: Math.max(1, Math.round(opts.projects * fraction)), perProject: opts.perProject };
      const build = await runTask('portfolio', { dbFile, trivyReports: data.trivyReports, spec }, opts.isolate);
      curve.push(await matchPoint(fraction, build.value, dbFile, work, opts));
      if (fraction === 1) fullDb = dbFile;
      else rmSync(dbFile, { force: true });
    }
    const full = curve[curve.length - 1]!;
    return {
      osvDir: data.osvDir, trivyReports: data.trivyReports.length, reps: opts.reps, advisories: sync.value.advisories, syncMs: round(sync.value.ms),
      full, section: opts.matchSection === false ? undefined : await matchSection(fullDb, full, work, opts),
      curve: curve.slice(0, -1),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The floor, the second match and the naive loop on the full portfolio. */
async function matchSection(fullDb: string, full: CurvePoint, work: string, opts: MatchBenchOptions): Promise<MatchSectionResult> {
  const floor = { ms: Infinity, runs: [] as number[], rssMb: 0, rows: 0 };
  for (let rep = 0; rep < opts.reps; rep++) {
    const f = await runTask('match-floor', { dbFile: fullDb }, opts.isolate);
    floor.runs.push(round(f.value.ms));
    floor.ms = Math.min(floor.ms, round(f.value.ms));
    floor.rssMb = Math.max(floor.rssMb, f.maxRssMb);
    floor.rows = f.value.rows;
  }
  const second = await secondRuns(fullDb, work, opts);
  const saveFloor = { ms: Infinity, runs: [] as number[], rows: 0 };
  for (let rep = 0; rep < opts.reps; rep++) {
    const f = await runTask('save-floor', { dbFile: second.file }, opts.isolate);
    saveFloor.runs.push(round(f.value.ms));
    saveFloor.ms = Math.min(saveFloor.ms, round(f.value.ms));
    saveFloor.rows = f.value.rows;
  }
  const naive = (await runTask('naive', { dbFile: fullDb, sampleRows: opts.sampleRows }, opts.isolate)).value;
  return { floor, second: second.result, naive, naiveExtrapolatedMs: round((naive.ms * full.build.rows) / Math.max(1, naive.sampleRows)), saveFloor };
}

/** The first match on `reps` fresh copies of the portfolio (all findings new). */
async function matchPoint(fraction: number, build: PortfolioBuild, dbFile: string, work: string, opts: MatchBenchOptions): Promise<CurvePoint> {
  let best: MatchRun | undefined;
  const runs: number[] = [];
  let rssMb = 0;
  for (let rep = 0; rep < opts.reps; rep++) {
    const copy = path.join(work, `match-${fraction}-${rep}.db`);
    copyDb(dbFile, copy);
    const m = await runTask('match', { dbFile: copy }, opts.isolate);
    runs.push(round(m.value.ms));
    rssMb = Math.max(rssMb, m.maxRssMb);
    if (!best || m.value.ms < best.ms) best = m.value;
    if (rep === opts.reps - 1 && opts.afterMatch) await opts.afterMatch(fraction, copy, m.value);
    rmSync(copy, { force: true });
  }
  return { fraction, build, match: best!, matchRuns: runs, rssMb };
}

/** A first match, then `reps` further matches with nothing changed on the same file (kept: `file`). */
async function secondRuns(fullDb: string, work: string, opts: MatchBenchOptions): Promise<{ result: MatchSectionResult['second']; file: string }> {
  const copy = path.join(work, 'second.db');
  copyDb(fullDb, copy);
  await runTask('match', { dbFile: copy }, opts.isolate);
  let best: MatchRun | undefined;
  const runs: number[] = [];
  let rssMb = 0;
  for (let rep = 0; rep < opts.reps; rep++) {
    const m = await runTask('match', { dbFile: copy }, opts.isolate);
    runs.push(round(m.value.ms));
    rssMb = Math.max(rssMb, m.maxRssMb);
    if (!best || m.value.ms < best.ms) best = m.value;
  }
  return { result: { match: best!, runs, rssMb }, file: copy };
}
