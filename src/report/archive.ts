/** Compliance archives: one gzipped JSON snapshot per day of findings, latest scans and acceptances, with retention. */
import { once } from 'node:events';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import type { Db } from '../db/open.js';
import { listAcceptanceRows } from '../db/report.js';
import { writeFileAtomic } from '../shared/atomic-write.js';
import { batched, jsonChunks } from '../shared/json-stream.js';
import { ExitCode, IcmsError, errorMessage, externalError } from '../shared/errors.js';
import { FINDINGS_SCHEMA_VERSION, reportFindingJson } from './finding-json.js';
import { buildReport } from './model.js';

/** Only files named like this are archives (and only they are ever deleted by retention). */
export const ARCHIVE_NAME = /^(\d{4}-\d{2}-\d{2})\.json\.gz$/;

/** What an archive run did. */
export interface ArchiveResult {
  file: string;
  bytes: number;
  findings: number;
  replaced: boolean;
  /** Archives removed by retention (file names). */
  deleted: string[];
}

/** The archive file name for `now` (the UTC date). */
export function archiveName(now: Date): string {
  return `${now.toISOString().slice(0, 10)}.json.gz`;
}

/**
 * Writes `<dir>/<YYYY-MM-DD>.json.gz` atomically: every finding (all statuses), each project's latest scan
 * and every acceptance. An archive of the same day is kept unless `force`; then old archives are pruned.
 */
export async function writeArchive(db: Db, opts: { dir: string; now: Date; force: boolean; retentionDays: number }): Promise<ArchiveResult> {
  const file = path.join(opts.dir, archiveName(opts.now));
  const replaced = existsSync(file);
  if (replaced && !opts.force) {
    throw new IcmsError(`archive ${file} already exists: an archive is never overwritten`, ExitCode.Usage, { hint: 'pass --force to replace today\'s archive' });
  }
  const data = buildReport(db, { status: 'all', trendDays: 0, now: opts.now });
  // the findings are streamed into gzip one by one: the snapshot of a big portfolio is too big for one string
  const head = {
    schema_version: FINDINGS_SCHEMA_VERSION,
    kind: 'icms-archive',
    created_at: opts.now.toISOString(),
    totals: { findings: data.totals.findings, by_status: data.totals.byStatus },
    findings: null,
    projects: data.projects.map((p) => ({ name: p.name, url: p.url, kind: p.kind, maintainers: p.maintainers, last_scan: p.lastScan })),
    acceptances: listAcceptanceRows(db),
  };
  const findings = (function* () {
    for (const f of data.findings) yield reportFindingJson(f);
  })();
  try {
    await writeFileAtomic(file, gzipped(jsonChunks(head, 'findings', findings)), { mode: 0o640 });
  } catch (err) {
    throw externalError(`cannot write archive ${file}: ${errorMessage(err)}`, { hint: 'check that the archive directory is writable', cause: err });
  }
  return { file, bytes: statSync(file).size, findings: data.findings.length, replaced, deleted: pruneArchives(opts.dir, opts.now, opts.retentionDays) };
}

/** gzip of the concatenated pieces, as a stream of compressed buffers. */
async function* gzipped(pieces: Iterable<string>): AsyncGenerator<Buffer> {
  const gz = createGzip();
  const out: Buffer[] = [];
  gz.on('data', (b: Buffer) => out.push(b));
  const ended = once(gz, 'end');
  for (const batch of batched(pieces)) {
    if (!gz.write(batch)) await once(gz, 'drain');
    yield* out.splice(0);
  }
  gz.end();
  await ended;
  yield* out.splice(0);
}

/** Deletes archives dated more than `retentionDays` before `now`; other files are never touched. */
export function pruneArchives(dir: string, now: Date, retentionDays: number): string[] {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString().slice(0, 10);
  const deleted: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const m = ARCHIVE_NAME.exec(name);
    if (!m || m[1]! >= cutoff || Number.isNaN(Date.parse(m[1]!))) continue;
    rmSync(path.join(dir, name));
    deleted.push(name);
  }
  return deleted;
}
