/** The sync-vulns benchmark (issue 4): first sync and re-sync of `<data>/osv` vs reading + parsing the same files. */
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runTask } from './isolate.js';
import { round } from './measure.js';
import { fmtMs, fmtRuns, mdTable, verdict, type Section } from './report.js';

export interface PhaseFigures {
  /** Best of the repetitions, ms. */
  ms: number;
  runs: number[];
  /** Highest peak RSS of the phase's process over the repetitions, MB. */
  rssMb: number;
}

export interface SyncBenchResult {
  osvDir: string;
  reps: number;
  files: number;
  megabytes: number;
  advisories: number;
  skipped: number;
  floor: PhaseFigures;
  /** Lower bounds: read + parse + normalise with no store; read + parse + store the raw text only. */
  normalise: PhaseFigures;
  rawStore: PhaseFigures;
  affectedEntries: number;
  first: PhaseFigures;
  resync: PhaseFigures;
  advisoriesPerSecond: number;
  /** first / floor. */
  ratio: number;
  /** resync / first. */
  resyncRatio: number;
  resyncUnchanged: number;
}

/** Repeats (floor, first sync into an empty DB, re-sync) `reps` times, each phase in its own process when `isolate`. */
export async function benchSync(osvDir: string, tmpDir: string, opts: { reps: number; isolate: boolean }): Promise<SyncBenchResult> {
  const work = mkdtempSync(path.join(tmpDir, 'icms-bench-sync-'));
  try {
    const floor: PhaseFigures = { ms: Infinity, runs: [], rssMb: 0 };
    const first: PhaseFigures = { ms: Infinity, runs: [], rssMb: 0 };
    const resync: PhaseFigures = { ms: Infinity, runs: [], rssMb: 0 };
    const normalise: PhaseFigures = { ms: Infinity, runs: [], rssMb: 0 };
    const rawStore: PhaseFigures = { ms: Infinity, runs: [], rssMb: 0 };
    let files = 0, bytes = 0, advisories = 0, skipped = 0, unchanged = 0, affectedEntries = 0;
    for (let rep = 0; rep < opts.reps; rep++) {
      const f = await runTask('sync-floor', { osvDir }, opts.isolate);
      add(floor, f.value.ms, f.maxRssMb);
      files = f.value.files;
      bytes = f.value.bytes;
      const b = await runTask('sync-bounds', { osvDir, tmpDir: work }, opts.isolate);
      add(normalise, b.value.normaliseMs, b.maxRssMb);
      add(rawStore, b.value.rawStoreMs, b.maxRssMb);
      affectedEntries = b.value.affectedEntries;
      const dbFile = path.join(work, `sync-${rep}.db`);
      const s = await runTask('sync-once', { dbFile, osvDir, tmpDir: work }, opts.isolate);
      add(first, s.value.ms, s.maxRssMb);
      advisories = s.value.advisories;
      skipped = s.value.skipped;
      const again = await runTask('sync-once', { dbFile, osvDir, tmpDir: work }, opts.isolate);
      add(resync, again.value.ms, again.maxRssMb);
      unchanged = again.value.unchanged;
      rmSync(dbFile, { force: true });
    }
    return {
      osvDir, reps: opts.reps, files, megabytes: round(bytes / 1e6), advisories, skipped, floor, normalise, rawStore, affectedEntries, first, resync,
      advisoriesPerSecond: Math.round(advisories / (first.ms / 1000)),
      ratio: round(first.ms / floor.ms),
      resyncRatio: resync.ms / first.ms, // unrounded: the verdict must not round 10.3% down to 10%
      resyncUnchanged: unchanged,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function add(p: PhaseFigures, ms: number, rssMb: number): void {
  p.runs.push(round(ms));
  p.ms = Math.min(p.ms, round(ms));
  p.rssMb = Math.max(p.rssMb, rssMb);
}

/** The BENCHMARKS.md section. */
export function renderSync(r: SyncBenchResult, command: string): Section {
  const rows = [
    ['floor: read + JSON.parse every file (2nd, warm pass)', fmtMs(r.floor.ms), fmtRuns(r.floor.runs), `${r.floor.rssMb} MB`, '', ''],
    [`lower bound 1: read + parse + normalise (the real normaliser, ${r.affectedEntries} affected entries), store nothing`, fmtMs(r.normalise.ms), fmtRuns(r.normalise.runs), '', '', `${round(r.normalise.ms / r.floor.ms)}× floor`],
    ['lower bound 2: read + parse + store only the raw text (the audit copy) in one transaction', fmtMs(r.rawStore.ms), fmtRuns(r.rawStore.runs), '', '', `${round(r.rawStore.ms / r.floor.ms)}× floor`],
    ['first sync into an empty database', fmtMs(r.first.ms), fmtRuns(r.first.runs), `${r.first.rssMb} MB`, '≤ 1.5× floor, RSS ≤ 300 MB', verdict(r.first.ms <= 1.5 * r.floor.ms && r.first.rssMb <= 300)],
    ['re-sync, nothing changed', fmtMs(r.resync.ms), fmtRuns(r.resync.runs), `${r.resync.rssMb} MB`, '≤ 10% of the first sync', verdict(r.resyncRatio <= 0.1)],
  ];
  const markdown = [
    '## sync-vulns (issue 4)',
    '',
    `**What**: the real \`sync-vulns\` stage (\`syncAdvisories\`, one OSV directory source) into an empty SQLite file, then again with nothing changed, against the floor of merely reading and \`JSON.parse\`-ing the same files in the same run. Each phase runs in a forked process of its own, so its peak RSS (\`process.resourceUsage().maxRSS\`) is its own; best of ${r.reps} repetitions (all times listed).`,
    `**Data**: \`${r.osvDir}\`: ${r.files} files, ${r.megabytes} MB, ${r.advisories} advisories (${r.skipped} skipped).`,
    `**Command**: \`${command}\``,
    '',
    mdTable(['phase', 'best', 'runs', 'peak RSS', 'target', 'result'], rows),
    '',
    `First sync: **${r.advisoriesPerSecond} advisories/s**, **${r.ratio}× the floor** (target ≤ 1.5×). Re-sync: **${(r.resyncRatio * 100).toFixed(1)}%** of the first sync (${r.resyncUnchanged} advisories unchanged; target ≤ 10%).`,
    '',
    `**Why 1.5× is out of reach here**: a first sync must at least parse and normalise every record (lower bound 1: ${round(r.normalise.ms / r.floor.ms)}× the floor with nothing stored) and keep the raw record for audit (lower bound 2: ${round(r.rawStore.ms / r.floor.ms)}× the floor for that single write, nothing normalised). It also writes the normalised advisory, its ${r.affectedEntries} affected entries and the alias groups. SQLite has one writer, so the writes cannot be spread over the machine's two cores: each lower bound alone is at or past the target, and their sum is well past it.`,
  ].join('\n');
  return { id: 'sync', markdown };
}
