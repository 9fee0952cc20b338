/**
 * Measures `sync-vulns` on a directory of OSV files against the floor of merely reading and
 * JSON.parse-ing the same files. Run: `node --expose-gc dist/bench/sync-vulns.js <osv-dir> [tmp-dir]`.
 * The phases are exported separately so `bench/index` can run each in its own process (own peak RSS).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDb } from '../db/open.js';
import { syncAdvisories } from '../advisories/sync.js';
import type { AdvisorySourceConfig } from '../advisories/config.js';
import { silentLogger } from '../shared/log.js';

/** Figures of one run. */
export interface SyncVulnsBench {
  files: number;
  megabytes: number;
  advisories: number;
  /** Time to read + JSON.parse every file, ms. */
  floorMs: number;
  /** First sync into an empty database, ms. */
  syncMs: number;
  advisoriesPerSecond: number;
  /** syncMs / floorMs. */
  ratio: number;
  /** Second sync of the unchanged directory, ms. */
  resyncMs: number;
  peakRssMb: number;
  skipped: number;
}

/** One sync of `osvDir` into the database file `dbFile` (created if missing). */
export interface SyncRun {
  ms: number;
  /** Advisories the source yielded (added + updated + unchanged). */
  advisories: number;
  added: number;
  unchanged: number;
  skipped: number;
}

/** Runs the real `sync-vulns` stage once over `osvDir` into `dbFile`, timing it. */
export async function syncOnce(dbFile: string, osvDir: string, tmpDir: string): Promise<SyncRun> {
  const db = openDb(dbFile);
  try {
    const cfg: AdvisorySourceConfig[] = [{ name: 'osv', type: 'osv', path: osvDir, timeoutMs: 30_000, retries: 0, backoffMs: 0 }];
    const t = performance.now();
    const res = await syncAdvisories(db, cfg, { logger: silentLogger, now: () => new Date(), tmpDir });
    const ms = performance.now() - t;
    const r = res.sources[0];
    const added = r?.added ?? 0;
    const unchanged = r?.unchanged ?? 0;
    return { ms, advisories: added + (r?.updated ?? 0) + unchanged, added, unchanged, skipped: r?.skipped ?? 0 };
  } finally {
    db.close();
  }
}

/** Runs the measurement on `dataDir`, with the database in a fresh directory under `tmpDir` (one process). */
export async function benchSyncVulns(dataDir: string, tmpDir: string): Promise<SyncVulnsBench> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const work = mkdtempSync(path.join(tmpDir, 'icms-bench-sync-'));
  try {
    const floor = measureFloor(dataDir);
    const dbFile = path.join(work, 'icms.db');
    const first = await syncOnce(dbFile, dataDir, work);
    const again = await syncOnce(dbFile, dataDir, work);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    return {
      files: floor.files,
      megabytes: round(floor.bytes / 1e6),
      advisories: first.advisories,
      floorMs: round(floor.ms),
      syncMs: round(first.ms),
      advisoriesPerSecond: Math.round(first.advisories / (first.ms / 1000)),
      ratio: round(first.ms / floor.ms),
      resyncMs: round(again.ms),
      peakRssMb: round(peakRss / 1e6),
      skipped: first.skipped,
    };
  } finally {
    clearInterval(sampler);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Reads and parses every JSON file once (cold cache first pass warms it), timing the second pass. */
export function measureFloor(dir: string): { files: number; bytes: number; ms: number } {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(dir, f));
  let bytes = 0;
  for (const f of files) JSON.parse(readFileSync(f, 'utf8'));
  const t = performance.now();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    bytes += text.length;
    JSON.parse(text);
  }
  return { files: files.length, bytes, ms: performance.now() - t };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dataDir = '../shared/data/osv', tmp = os.tmpdir()] = process.argv.slice(2);
  console.log(JSON.stringify(await benchSyncVulns(path.resolve(dataDir), tmp), null, 2));
}
