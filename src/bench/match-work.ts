/**
 * The pieces of the match benchmark, each runnable in its own process: build a synthetic portfolio from real
 * trivy reports with the real scan store, run the real match work, read the same rows (the floor), and a
 * naive every-package x every-entry loop.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { openDb, type Db } from '../db/open.js';
import { replaceInventory } from '../db/projects.js';
import { completeScan, startScan } from '../db/scans.js';
import { iterateAffectedEntries, iterateMatchPackages } from '../db/match-inputs.js';
import { type LifecycleCounts } from '../db/finding-writer.js';
import { matchProjects } from '../matcher/match-projects.js';
import { silentLogger } from '../shared/log.js';
import { finishRun, startRun } from '../db/runs.js';
import { buildAffectedIndex, ecosystemKey, matchPackages } from '../matcher/match.js';
import { evaluateAffected } from '../matcher/affected.js';
import type { IndexedEntry, MatchPackage } from '../model/match.js';
import type { Package } from '../model/types.js';
import { parseTrivyReport } from '../scanner/trivy-report.js';
import { hasScheme, schemeFor } from '../versions/index.js';
import { timed } from './measure.js';
import { benchProjects } from './people.js';

/** Every distinct package (ecosystem, name, version, target) of the recorded trivy reports, as the scanner maps them. */
export function loadPackagePool(trivyReports: readonly string[]): Package[] {
  const seen = new Set<string>();
  const pool: Package[] = [];
  for (const file of trivyReports) {
    const report = parseTrivyReport(JSON.parse(readFileSync(file, 'utf8')) as unknown, { where: file });
    for (const p of report.packages) {
      const key = `${p.ecosystem}\0${p.name}\0${p.version}\0${p.target}`;
      if (seen.has(key)) continue;
      seen.add(key);
      pool.push(p);
    }
  }
  return pool;
}

export interface PortfolioSpec {
  projects: number;
  perProject: number;
}

/** Store timing of a portfolio build. */
export interface PortfolioBuild {
  ms: number;
  /** Store time of each successive tenth of the projects, ms (shows whether the per-row cost keeps growing). */
  tenthsMs: number[];
  projects: number;
  rows: number;
}

/**
 * Adds `projects` synthetic projects with their maintainers (`benchProjects`) to `dbFile` (replaceInventory) and stores `perProject` packages for each
 * with the real scan store (startScan + completeScan, one transaction per project). Project i gets a window of
 * the pool starting at a different offset, so each mixes ecosystems. `ms` times the store only.
 */
export function buildPortfolio(dbFile: string, trivyReports: readonly string[], spec: PortfolioSpec): PortfolioBuild {
  const pool = loadPackagePool(trivyReports);
  if (pool.length === 0) throw new Error('no packages in the trivy reports');
  const per = Math.min(spec.perProject, pool.length);
  const db = openDb(dbFile);
  try {
    const now = new Date();
    replaceInventory(db, benchProjects(spec.projects), now, 'bench');
    const ids = db.prepare("SELECT id FROM projects WHERE status = 'active' ORDER BY id").pluck().all() as number[];
    const tenthsMs: number[] = [];
    const tenth = Math.max(1, Math.ceil(ids.length / 10));
    let mark = performance.now();
    const { ms, value: rows } = timed(() => {
      let written = 0;
      ids.forEach((id, i) => {
        const start = (i * 7919) % pool.length;
        const pkgs = Array.from({ length: per }, (_, k) => pool[(start + k) % pool.length]!);
        const scanId = startScan(db, { projectId: id, startedAt: now });
        written += completeScan(db, id, scanId, pkgs, { finishedAt: now, commitSha: 'bench', durationMs: 0 });
        if ((i + 1) % tenth === 0 || i === ids.length - 1) {
          tenthsMs.push(Math.round(performance.now() - mark));
          mark = performance.now();
        }
      });
      return written;
    });
    return { ms, tenthsMs, projects: ids.length, rows };
  } finally {
    db.close();
  }
}

/** One `match` over every active project, with the time of each step (as `matchProjects` reports them). */
export interface MatchRun {
  ms: number;
  /** CPU time of the process over the same span (all its threads), ms: less sensitive than `ms` to a shared machine's load. */
  cpuMs: number;
  /** Build the advisory index. */
  indexMs: number;
  /** Find the candidate names and read their package rows. */
  readMs: number;
  /** Match and save project by project, in the transaction. */
  matchSaveMs: number;
  /** Whether index, read and match ran in a worker thread (beside the saving). */
  worker: boolean;
  packages: number;
  /** Package rows read (those some advisory names). */
  candidates: number;
  affectedEntries: number;
  findings: number;
  counts: LifecycleCounts;
}

/** Runs the real match work once on `dbFile`: `matchProjects` (the `icms match` command's work) in a recorded run. */
export async function matchOnce(dbFile: string): Promise<MatchRun> {
  const db = openDb(dbFile);
  try {
    const now = new Date();
    const runId = startRun(db, { command: 'match', at: now, label: 'bench' });
    const ids = db.prepare("SELECT id FROM projects WHERE status = 'active'").pluck().all() as number[];
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const value = await matchProjects(db, ids, { now, runId, logger: silentLogger });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    finishRun(db, runId, { at: new Date(), status: 'ok', exitCode: 0, summary: {} });
    const entries = [...iterateAffectedEntries(db, { storedNamesOnly: true })].length;
    const { output, counts } = value;
    return {
      ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
      ...output.steps,
      packages: output.packagesSeen,
      candidates: output.candidates,
      affectedEntries: entries,
      findings: output.findings,
      counts,
    };
  } finally {
    db.close();
  }
}

/** The floor: reading the same package rows from SQLite, touching each column. */
export function readFloor(dbFile: string): { ms: number; rows: number } {
  const db = openDb(dbFile);
  try {
    const stmt = db.prepare('SELECT project_id, ecosystem, name, version, match_name, match_version, target FROM packages');
    const { ms, value } = timed(() => {
      let rows = 0;
      let chars = 0;
      for (const r of stmt.iterate() as Iterable<Record<string, string | number>>) {
        rows++;
        chars += Number(r.project_id) + String(r.ecosystem).length + String(r.name).length + String(r.version).length;
        chars += String(r.match_name).length + String(r.match_version).length + String(r.target).length;
      }
      return { rows, chars };
    });
    return { ms, rows: value.rows };
  } finally {
    db.close();
  }
}

/**
 * A lower bound of a first match's save: the same finding rows (read from a matched copy) INSERTed alone into a table
 * of the same definition and indexes, in one transaction, with no matching, lifecycle or events; 32 rows per
 * statement, as the match writer inserts new findings.
 */
export function saveFloor(dbFile: string): { ms: number; rows: number } {
  const db = openDb(dbFile);
  try {
    const ddl = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'findings'").pluck().get() as string;
    db.exec(`DROP TABLE IF EXISTS bench_findings; ${ddl.replace(/^CREATE TABLE "?findings"?/, 'CREATE TABLE bench_findings')}; CREATE INDEX bench_findings_status ON bench_findings(status);`);
    const cols = db.prepare('SELECT * FROM findings LIMIT 0').columns().map((c) => c.name).filter((c) => c !== 'id');
    const rows = db.prepare(`SELECT ${cols.join(', ')} FROM findings ORDER BY id`).raw().all() as unknown[][];
    const tuple = `(${cols.map(() => '?').join(', ')})`;
    const insert = db.prepare(`INSERT INTO bench_findings (${cols.join(', ')}) VALUES ${tuple}`);
    const insertMany = db.prepare(`INSERT INTO bench_findings (${cols.join(', ')}) VALUES ${Array<string>(32).fill(tuple).join(', ')}`);
    const { ms } = timed(() => db.transaction(() => {
      let i = 0;
      for (; i + 32 <= rows.length; i += 32) insertMany.run(rows.slice(i, i + 32).flat());
      for (; i < rows.length; i++) insert.run(rows[i]);
    })());
    db.exec('DROP TABLE bench_findings');
    return { ms, rows: rows.length };
  } finally {
    db.close();
  }
}

/** Naive matching of an evenly spread sample against the indexed matcher on the same sample. */
export interface NaiveRun {
  ms: number;
  sampleRows: number;
  affectedEntries: number;
  /** (package, entry) pairs compared. */
  pairs: number;
  /** matchPackages on the same sample with the index (index build not included), ms. */
  indexedMs: number;
  /** Distinct (package, advisory) hits found by each; equal when both agree. */
  naiveHits: number;
  indexedHits: number;
}

/** Every sampled package against every affected entry (evaluateAffected where ecosystem and name agree; no index, no cache). */
export function naiveMatch(dbFile: string, sampleRows: number): NaiveRun {
  const db = openDb(dbFile);
  try {
    const entries = [...iterateAffectedEntries(db)];
    const sample = samplePackages(db, sampleRows);
    const naive = timed(() => naiveHits(sample, entries));
    const index = buildAffectedIndex(entries);
    const indexed = timed(() => matchPackages(sample, index));
    let indexedHits = 0;
    for (const f of indexed.value.findings) indexedHits += f.advisories.length;
    return { ms: naive.ms, sampleRows: sample.length, affectedEntries: entries.length, pairs: sample.length * entries.length, indexedMs: indexed.ms, naiveHits: naive.value, indexedHits };
  } finally {
    db.close();
  }
}

function naiveHits(sample: readonly MatchPackage[], entries: readonly IndexedEntry[]): number {
  const hits = new Set<string>();
  for (const pkg of sample) {
    if (!hasScheme(pkg.ecosystem)) continue;
    const scheme = schemeFor(pkg.ecosystem);
    if (!scheme.isValid(pkg.matchVersion)) continue;
    const eco = ecosystemKey(pkg.ecosystem);
    for (const item of entries) {
      if (item.entry.name !== pkg.matchName || ecosystemKey(item.entry.ecosystem) !== eco) continue;
      if (evaluateAffected(pkg.matchVersion, item.entry, scheme).affected) {
        hits.add(`${pkg.projectId}\0${item.advisory.groupId}\0${pkg.ecosystem}\0${pkg.name}\0${pkg.version}\0${item.advisory.source}\0${item.advisory.id}`);
      }
    }
  }
  return hits.size;
}

/** `n` match rows spread evenly over the packages table. */
function samplePackages(db: Db, n: number): MatchPackage[] {
  const total = db.prepare('SELECT COUNT(*) FROM packages').pluck().get() as number;
  const step = Math.max(1, Math.floor(total / n));
  const out: MatchPackage[] = [];
  let i = 0;
  for (const p of iterateMatchPackages(db)) {
    if (i++ % step === 0 && out.length < n) out.push(p);
  }
  return out;
}

/** Copies a closed database file (used to give each repetition the same starting state). */
export function copyDb(from: string, to: string): void {
  copyFileSync(from, to);
}
