/**
 * Sync of a KEV or EPSS source: read the whole file (downloaded first for a URL, unless the server says 304), then
 * replace the source's rows in one transaction, so a broken file leaves the previous rows standing. A local file
 * unchanged in size and mtime since the last successful sync is not read again.
 */
import { statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { inTransaction, type Db } from '../db/open.js';
import { getSourceRow, recordSourceSync } from '../db/advisories.js';
import { replaceEpssScores, replaceKevEntries, type ReplaceCounts } from '../db/signals.js';
import { errorMessage } from '../shared/errors.js';
import { redactPatterns } from '../shared/redact.js';
import type { SignalSourceConfig } from './config.js';
import { downloadIfChanged } from './download.js';
import { readEpssCsv, readKevCatalog, type EpssRow, type SignalSkip } from './signals.js';
import type { HttpValidators, SourceSyncResult } from './source.js';
import type { SyncOptions } from './sync.js';

/** Syncs one KEV/EPSS source; a failure is reported in `error` and keeps the previous rows. */
export async function syncSignalSource(db: Db, cfg: SignalSourceConfig, opts: SyncOptions): Promise<SourceSyncResult> {
  const result: SourceSyncResult = { source: cfg.name, kind: cfg.type, added: 0, updated: 0, unchanged: 0, removed: 0, withdrawn: 0, skipped: 0, skippedSamples: [], skippedEntries: 0, dropped: 0, perEcosystem: {}, notModified: false };
  const previous = getSourceRow(db, cfg.name);
  const location = cfg.url ? redactPatterns(cfg.url) : (cfg.path ?? '');
  let validators: HttpValidators = {};
  let tmp: string | undefined;
  try {
    let file = cfg.path ?? '';
    if (cfg.url) {
      tmp = path.join(opts.tmpDir, `icms-${cfg.type}-${randomBytes(6).toString('hex')}-${path.basename(new URL(cfg.url).pathname) || 'data'}`);
      const prev = previous?.lastStatus === 'ok' ? { etag: previous.etag ?? undefined, lastModified: previous.lastModified ?? undefined } : {};
      const got = await downloadIfChanged(cfg.url, tmp, prev, { timeoutMs: cfg.timeoutMs, retries: cfg.retries, backoffMs: cfg.backoffMs, onProgress: (b, t) => opts.onProgress?.(cfg.name, b, t) });
      if (got.notModified) {
        result.notModified = true;
        validators = prev;
      } else validators = got.validators;
      file = tmp;
    } else {
      const info = statSync(file, { throwIfNoEntry: false });
      if (!info?.isFile()) throw new Error(`cannot read ${file}: not a file`);
      validators = { etag: `file:${info.size}:${Math.trunc(info.mtimeMs)}` };
      if (previous?.lastStatus === 'ok' && previous.etag === validators.etag) result.notModified = true;
    }
    if (!result.notModified) {
      const counts = cfg.type === 'kev' ? loadKev(db, cfg.name, file, result) : await loadEpss(db, cfg.name, file, result);
      Object.assign(result, counts);
    }
    if (result.notModified) result.unchanged = countRows(db, cfg);
  } catch (err) {
    result.error = redactPatterns(errorMessage(err));
    opts.logger.warn(`${cfg.type} source ${cfg.name}: ${result.error}; its previous data is kept`);
  } finally {
    if (tmp) await rm(tmp, { force: true });
  }
  recordSourceSync(db, { name: cfg.name, kind: cfg.type, location, at: opts.now().toISOString(), error: result.error, etag: validators.etag ?? null, lastModified: validators.lastModified ?? null });
  return result;
}

function loadKev(db: Db, source: string, file: string, result: SourceSyncResult): ReplaceCounts {
  const { entries, skipped } = readKevCatalog(file);
  addSkips(result, skipped, skipped.length);
  return inTransaction(db, () => replaceKevEntries(db, source, entries));
}

async function loadEpss(db: Db, source: string, file: string, result: SourceSyncResult): Promise<ReplaceCounts> {
  const rows: EpssRow[] = [];
  const read = await readEpssCsv(file, (r) => rows.push(r));
  addSkips(result, read.skipped, read.skippedRows);
  return inTransaction(db, () => replaceEpssScores(db, source, rows, read.date));
}

function addSkips(result: SourceSyncResult, samples: readonly SignalSkip[], count: number): void {
  result.skipped += count;
  result.skippedSamples.push(...samples.slice(0, 10));
}

function countRows(db: Db, cfg: SignalSourceConfig): number {
  return db.prepare(`SELECT COUNT(*) FROM ${cfg.type === 'kev' ? 'kev_entries' : 'epss_scores'} WHERE source = ?`).pluck().get(cfg.name) as number;
}
