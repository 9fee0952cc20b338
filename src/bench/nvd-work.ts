/**
 * The phases of the NVD benchmarks (issue 16), each runnable in a process of its own: the floor of reading and
 * parsing the same files, one real sync of an NVD source, the rating sources synced into a portfolio, and the
 * finding counts a match left.
 */
import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { syncAdvisories } from '../advisories/sync.js';
import type { AdvisorySourceConfig } from '../advisories/config.js';
import { openDb } from '../db/open.js';
import { getSourceRow } from '../db/advisories.js';
import { jsonTreeFiles } from '../advisories/local-files.js';
import { silentLogger } from '../shared/log.js';

const HTTP = { timeoutMs: 30_000, retries: 0, backoffMs: 0 };

/** The config of an NVD source reading `where` (a mirror directory or a feed file). */
export function nvdSource(where: string): AdvisorySourceConfig {
  return { name: 'nvd', type: 'nvd', path: where, pageSize: 2000, rateWindowMs: 30_000, ...HTTP };
}

/**
 * The floor of a sync of `where`: read and `JSON.parse` every record file of the mirror directory, or read, gunzip
 * and parse the feed file; once to warm the page cache, then timed.
 */
export function nvdFloor(where: string, isFeed: boolean): { ms: number; files: number; bytes: number } {
  const files = isFeed ? [where] : [...jsonTreeFiles(where)].map((f) => f.path);
  const pass = (): number => {
    let bytes = 0;
    for (const f of files) {
      const raw = readFileSync(f);
      const text = (isFeed ? gunzipSync(raw) : raw).toString('utf8');
      bytes += text.length;
      JSON.parse(text);
    }
    return bytes;
  };
  pass();
  const t = performance.now();
  const bytes = pass();
  return { ms: performance.now() - t, files: files.length, bytes };
}

/**
 * The floor of a re-sync that must notice a file changed in place: list every directory and `stat` every file, in a
 * fresh process as a real re-sync runs (no fingerprint, no hash, no database).
 */
export function statFloor(where: string): { ms: number; files: number } {
  const t = performance.now();
  let files = 0;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === '.git') continue; // as the sync's walk: git's store holds no records
      const info = lstatSync(path.join(dir, name));
      if (info.isDirectory()) walk(path.join(dir, name));
      else if (info.isFile()) files++;
    }
  };
  walk(where);
  return { ms: performance.now() - t, files };
}

/** One sync of the NVD source `where` into `dbFile` (created if missing). */
export interface NvdSyncRun {
  ms: number;
  added: number;
  updated: number;
  unchanged: number;
  skipped: number;
  notModified: boolean;
  /** What names the source's content after the sync: `git` (a tree id), `tree` (a listing fingerprint), or another validator. */
  validator: string | undefined;
}

/** Runs the real `sync-vulns` stage with the one NVD source, timing it. */
export async function nvdSyncOnce(dbFile: string, where: string, tmpDir: string): Promise<NvdSyncRun> {
  const db = openDb(dbFile);
  try {
    const t = performance.now();
    // the environment a real run has (git on PATH: a mirror that is a git checkout is answered by its tree id)
    const res = await syncAdvisories(db, [nvdSource(where)], { logger: silentLogger, now: () => new Date(), tmpDir, env: process.env });
    const ms = performance.now() - t;
    const r = res.sources[0]!;
    if (r.error) throw new Error(`nvd sync failed: ${r.error}`);
    const etag = getSourceRow(db, 'nvd')?.etag ?? undefined;
    return { ms, added: r.added, updated: r.updated, unchanged: r.unchanged, skipped: r.skipped, notModified: r.notModified, validator: etag?.split(':')[0] };
  } finally {
    db.close();
  }
}

/** Syncs the NVD mirror, the KEV catalog and the EPSS file into `dbFile` (beside its OSV records); rows per source. */
export async function syncRatingSources(a: { dbFile: string; nvdDir: string; kevFile: string; epssFile: string; tmpDir: string }): Promise<{ ms: number; rows: Record<string, number> }> {
  const db = openDb(a.dbFile);
  try {
    const cfg: AdvisorySourceConfig[] = [nvdSource(a.nvdDir), { name: 'kev', type: 'kev', path: a.kevFile, ...HTTP }, { name: 'epss', type: 'epss', path: a.epssFile, ...HTTP }];
    const t = performance.now();
    const res = await syncAdvisories(db, cfg, { logger: silentLogger, now: () => new Date(), tmpDir: a.tmpDir });
    const ms = performance.now() - t;
    const failed = res.sources.filter((s) => s.error);
    if (failed.length > 0) throw new Error(`rating sources failed: ${failed.map((s) => `${s.source}: ${s.error}`).join('; ')}`);
    return { ms, rows: Object.fromEntries(res.sources.map((s) => [s.source, s.added + s.updated + s.unchanged])) };
  } finally {
    db.close();
  }
}

/** How many stored findings carry a severity, a KEV listing, an EPSS score. */
export interface RatedCounts {
  findings: number;
  rated: number;
  kev: number;
  epss: number;
}

/** Counts the findings of `dbFile` by what rates them. */
export function ratedCounts(dbFile: string): RatedCounts {
  const db = openDb(dbFile);
  try {
    return db
      .prepare(
        `SELECT COUNT(*) AS findings, COALESCE(SUM(severity <> 'UNKNOWN'), 0) AS rated, COALESCE(SUM(kev IS NOT NULL), 0) AS kev,
                COALESCE(SUM(epss IS NOT NULL), 0) AS epss FROM findings_full`,
      )
      .get() as RatedCounts;
  } finally {
    db.close();
  }
}
