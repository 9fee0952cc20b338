/**
 * The NVD benchmarks (issue 16). `benchNvdSync`: first sync and re-sync of a generated mirror directory and of a
 * feed file of the same records, against the floor of reading and parsing the same files, in the same run.
 * `benchEnrichment`: the same portfolio matched with no rating source and with NVD, KEV and EPSS synced, alternately.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { runTask } from './isolate.js';
import type { BenchData } from './data.js';
import { copyDb, type MatchRun, type PortfolioBuild } from './match-work.js';
import { median, round } from './measure.js';
import type { NvdBenchFiles } from './nvd-data.js';
import type { RatedCounts } from './nvd-work.js';

/** The repetitions of one phase: median, all runs, highest peak RSS. */
export interface Runs {
  median: number;
  runs: number[];
  rssMb: number;
}

/** First sync and re-sync of one layout against its floor. */
export interface NvdLayoutResult {
  layout: 'mirror directory' | 'mirror directory, a git checkout' | 'feed file (.json.gz)';
  where: string;
  files: number;
  megabytes: number;
  floor: Runs;
  first: Runs;
  resync: Runs;
  /** The directories only: listing every directory and stat-ing every file, alone. */
  statFloor: Runs | undefined;
  records: number;
  recordsPerSecond: number;
  /** median first / median floor. */
  ratio: number;
  /** median re-sync / median first, and each repetition's own ratio. */
  resyncRatio: number;
  resyncRatios: number[];
  /** Whether each re-sync was answered without reading, and what answered it (`git`: the tree id; `tree`: the listing). */
  resyncNotModified: boolean;
  validator: string | undefined;
}

export interface NvdSyncBenchResult {
  reps: number;
  files: Omit<NvdBenchFiles, 'mirrorDir' | 'feedFile' | 'epssFile'>;
  layouts: NvdLayoutResult[];
}

/** Generates the NVD inputs from `<data>/nvd` and the OSV corpus into `dir` (in a child process: its memory is its own). */
export async function makeNvdFiles(data: BenchData, dir: string, opts: { minRecords: number; epssRows: number; isolate: boolean }): Promise<NvdBenchFiles> {
  const templatesDir = path.join(data.root, 'nvd');
  if (!existsSync(templatesDir)) throw new Error(`${data.root}: no nvd/ directory of real NVD records to generate the benchmark mirror from`);
  return (await runTask('nvd-files', { templatesDir, osvDir: data.osvDir, outDir: dir, minRecords: opts.minRecords, epssRows: opts.epssRows }, opts.isolate)).value;
}

/** Repeats (floor, first sync into an empty database, re-sync) per layout `reps` times, each phase in its own process. */
export async function benchNvdSync(files: NvdBenchFiles, tmpDir: string, opts: { reps: number; isolate: boolean }): Promise<NvdSyncBenchResult> {
  const work = mkdtempSync(path.join(tmpDir, 'icms-bench-nvd-'));
  try {
    const layouts: NvdLayoutResult[] = [];
    const checkout = await gitCheckout(files.mirrorDir, path.join(work, 'nvd-json-data-feeds'));
    const plan = [['mirror directory', files.mirrorDir], ['mirror directory, a git checkout', checkout], ['feed file (.json.gz)', files.feedFile]] as const;
    for (const [layout, where] of plan) {
      const floor = runs(), first = runs(), resync = runs(), stats = runs();
      const isFeed = where === files.feedFile;
      const ratios: number[] = [];
      let count = { files: 0, bytes: 0 }, records = 0, notModified = true, validator: string | undefined;
      for (let rep = 0; rep < opts.reps; rep++) {
        const f = await runTask('nvd-floor', { where, isFeed }, opts.isolate);
        add(floor, f.value.ms, f.maxRssMb);
        count = f.value;
        const dbFile = path.join(work, `nvd-${rep}.db`);
        const s = await runTask('nvd-sync', { dbFile, where, tmpDir: work }, opts.isolate);
        add(first, s.value.ms, s.maxRssMb);
        records = s.value.added;
        const again = await runTask('nvd-sync', { dbFile, where, tmpDir: work }, opts.isolate);
        add(resync, again.value.ms, again.maxRssMb);
        ratios.push(again.value.ms / s.value.ms);
        if (!isFeed) {
          const st = await runTask('nvd-stat-floor', { where }, opts.isolate);
          add(stats, st.value.ms, st.maxRssMb);
        }
        notModified &&= again.value.notModified && again.value.unchanged === records;
        validator = again.value.validator;
        rmSync(dbFile, { force: true });
      }
      layouts.push({
        layout, where, files: count.files, megabytes: round(count.bytes / 1e6), floor: done(floor), first: done(first), resync: done(resync), statFloor: isFeed ? undefined : done(stats), records,
        recordsPerSecond: Math.round(records / (median(first.runs) / 1000)),
        ratio: round(median(first.runs) / median(floor.runs)),
        resyncRatio: median(resync.runs) / median(first.runs),
        resyncRatios: ratios,
        resyncNotModified: notModified,
        validator,
      });
    }
    const counts = { records: files.records, osvCves: files.osvCves, realRecords: files.realRecords, templates: files.templates, bytes: files.bytes };
    return { reps: opts.reps, files: counts, layouts };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A copy of the mirror directory committed to a git repository of its own, as users hold the public mirror (a clone
 * of fkie-cad/nvd-json-data-feeds, kept current with `git pull`); its index as git leaves it after the commit.
 */
async function gitCheckout(mirrorDir: string, into: string): Promise<string> {
  cpSync(mirrorDir, into, { recursive: true });
  const git = (...args: string[]): Promise<unknown> =>
    execa('git', ['-c', 'user.name=icms bench', '-c', 'user.email=bench@example.invalid', '-c', 'commit.gpgSign=false', ...args], { cwd: into });
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'mirror');
  return into;
}

/** The enrichment benchmark: one portfolio, its match with and without the rating sources. */
export interface EnrichmentResult {
  reps: number;
  build: PortfolioBuild;
  advisories: number;
  sources: { ms: number; rows: Record<string, number> };
  plain: Runs & { best: MatchRun; counts: RatedCounts; cpu: number[] };
  rich: Runs & { best: MatchRun; counts: RatedCounts; cpu: number[] };
  /** median rich / median plain, and each repetition's own ratio; the same of CPU time. */
  ratio: number;
  ratios: number[];
  cpuRatio: number;
  cpuRatios: number[];
}

/**
 * Builds the match benchmark's portfolio once over the synced OSV corpus, copies it, syncs NVD (`files`), KEV and
 * EPSS into the copy, then matches fresh copies of each `reps` times, alternating which goes first.
 */
export async function benchEnrichment(data: BenchData, files: NvdBenchFiles, tmpDir: string, opts: { projects: number; perProject: number; reps: number; isolate: boolean; kevFile: string }): Promise<EnrichmentResult> {
  const work = mkdtempSync(path.join(tmpDir, 'icms-bench-enrich-'));
  try {
    const plainDb = path.join(work, 'plain.db');
    const sync = await runTask('sync-once', { dbFile: plainDb, osvDir: data.osvDir, tmpDir: work }, opts.isolate);
    const build = await runTask('portfolio', { dbFile: plainDb, trivyReports: data.trivyReports, spec: { projects: opts.projects, perProject: opts.perProject } }, opts.isolate);
    const richDb = path.join(work, 'rich.db');
    copyDb(plainDb, richDb);
    const sources = await runTask('rating-sources', { dbFile: richDb, nvdDir: files.mirrorDir, kevFile: opts.kevFile, epssFile: files.epssFile, tmpDir: work }, opts.isolate);
    const plain = { ...runs(), best: undefined as MatchRun | undefined, counts: undefined as RatedCounts | undefined, cpu: [] as number[] };
    const rich = { ...runs(), best: undefined as MatchRun | undefined, counts: undefined as RatedCounts | undefined, cpu: [] as number[] };
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let rep = 0; rep < opts.reps; rep++) {
      const order = rep % 2 === 0 ? ([[plainDb, plain], [richDb, rich]] as const) : ([[richDb, rich], [plainDb, plain]] as const);
      const ms: Record<string, number> = {};
      const cpu: Record<string, number> = {};
      for (const [db, into] of order) {
        const copy = path.join(work, 'match.db');
        copyDb(db, copy);
        const m = await runTask('match', { dbFile: copy }, opts.isolate);
        add(into, m.value.ms, m.maxRssMb);
        if (!into.best || m.value.ms < into.best.ms) into.best = m.value;
        into.counts ??= (await runTask('rated-counts', { dbFile: copy }, opts.isolate)).value;
        into.cpu.push(round(m.value.cpuMs));
        ms[db] = m.value.ms;
        cpu[db] = m.value.cpuMs;
        rmSync(copy, { force: true });
      }
      ratios.push(ms[richDb]! / ms[plainDb]!);
      cpuRatios.push(cpu[richDb]! / cpu[plainDb]!);
    }
    return {
      reps: opts.reps, build: build.value, advisories: sync.value.advisories, sources: { ms: round(sources.value.ms), rows: sources.value.rows },
      plain: { ...done(plain), best: plain.best!, counts: plain.counts! },
      rich: { ...done(rich), best: rich.best!, counts: rich.counts! },
      ratio: round(median(rich.runs) / median(plain.runs)),
      ratios: ratios.map(round),
      cpuRatio: round(median(rich.cpu) / median(plain.cpu)),
      cpuRatios: cpuRatios.map(round),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function runs(): Runs {
  return { median: 0, runs: [], rssMb: 0 };
}

function add(r: Runs, ms: number, rssMb: number): void {
  r.runs.push(round(ms));
  r.rssMb = Math.max(r.rssMb, rssMb);
}

function done<T extends Runs>(r: T): T {
  return { ...r, median: round(median(r.runs)) };
}
