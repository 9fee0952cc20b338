/**
 * NVD record files parsed on a worker thread (record-pool.ts, the compiled dist/advisories/record-worker.js, as
 * `icms sync-vulns` runs it) store exactly what parsing on the main thread stores; an unreadable or invalid file is
 * reported the same way; the worker is stopped when the sync ends. Real files, real SQLite, the real worker.
 */
import { describe, it, expect } from 'vitest';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb, type Db } from '../../src/db/open.js';
import { syncSources, type SyncOptions } from '../../src/advisories/sync.js';
import { createNvdSource } from '../../src/advisories/nvd.js';
import { RecordPool, type RecordPoolOptions } from '../../src/advisories/record-pool.js';
import type { NvdSourceConfig } from '../../src/advisories/config.js';
import { silentLogger } from '../../src/shared/log.js';
import { tmpDir } from '../helpers/tmp.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const WORKER = new URL('../../dist/advisories/record-worker.js', import.meta.url);
const OPTS = (work: string): SyncOptions => ({ logger: silentLogger, now: () => new Date('2026-12-06T00:00:00Z'), tmpDir: work, env: {} });

/** Every NVD record file of the fixtures, flattened into one mirror-like directory. */
function mirror(into: string): number {
  let n = 0;
  const walk = (dir: string): void => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, d.name);
      if (d.isDirectory()) walk(full);
      else if (/^CVE-\d{4}-\d+\.json$/.test(d.name) && full.includes(`${path.sep}nvd`)) {
        cpSync(full, path.join(into, d.name));
        n++;
      }
    }
  };
  walk(FIXTURES);
  return n;
}

async function syncWith(dir: string, dbFile: string, pool: RecordPoolOptions): Promise<{ db: Db; result: Awaited<ReturnType<typeof syncSources>>['sources'][number] }> {
  const db = openDb(dbFile);
  const cfg: NvdSourceConfig = { name: 'nvd', type: 'nvd', path: dir, pageSize: 2000, rateWindowMs: 0, timeoutMs: 5000, retries: 0, backoffMs: 0 };
  const res = await syncSources(db, [createNvdSource(cfg, { recordPool: pool })], OPTS(path.dirname(dbFile)));
  return { db, result: res.sources[0]! };
}

/** Every stored column of the source's advisories, raw records and fingerprints, in id order. */
function stored(db: Db): unknown[] {
  return [
    db.prepare("SELECT advisory_id, group_id, modified, published, withdrawn, summary, details, severity_text, cvss, base_score, severity, aliases, refs, content_hash FROM advisories WHERE source = 'nvd' ORDER BY advisory_id").all(),
    db.prepare("SELECT a.advisory_id, r.raw FROM advisory_raw r JOIN advisories a ON a.id = r.advisory_rowid WHERE a.source = 'nvd' ORDER BY a.advisory_id").all(),
    db.prepare("SELECT path, fingerprint, advisory_id FROM advisory_files WHERE source = 'nvd' ORDER BY path").all(),
  ];
}

describe('NVD record files parsed on a worker thread', () => {
  it('is built by `npm test` before the tests', () => {
    expect(existsSync(fileURLToPath(WORKER)), 'dist/ is built by `npm test` before the tests').toBe(true);
  });

  it('stores exactly what parsing on the main thread stores, invalid files skipped alike', async () => {
    const work = await tmpDir();
    const dir = path.join(work, 'nvd');
    cpSync(path.join(FIXTURES, 'nvd/records'), dir, { recursive: true });
    const count = mirror(dir);
    expect(count).toBeGreaterThan(50);
    writeFileSync(path.join(dir, 'CVE-2020-0001.json'), '{"id": "CVE-2020-0001", "lastModified": ');
    writeFileSync(path.join(dir, 'CVE-2020-0002.json'), '{"id": "not a CVE"}');
    const inline = await syncWith(dir, path.join(work, 'inline.db'), { workerUrl: new URL('file:///nonexistent/record-worker.js') });
    // the worker from the first file on, in small batches (several messages, partial ones flushed)
    const worker = await syncWith(dir, path.join(work, 'worker.db'), { workerUrl: WORKER, inlineFirst: 0, batchSize: 7 });
    try {
      expect(inline.result.added).toBeGreaterThan(50);
      expect(worker.result.error).toBeUndefined();
      expect(worker.result).toMatchObject({ added: inline.result.added, unchanged: inline.result.unchanged, skipped: 2 });
      expect(worker.result.skippedSamples.map((s) => s.reason)).toEqual(inline.result.skippedSamples.map((s) => s.reason));
      expect(stored(worker.db)).toEqual(stored(inline.db));
      const cvss = worker.db.prepare("SELECT cvss FROM advisories WHERE source = 'nvd' AND advisory_id = 'CVE-2019-5418'").pluck().get() as string;
      expect(JSON.parse(cvss)).toContainEqual(expect.objectContaining({ source: 'nvd@nist.gov', kind: 'Primary', baseScore: 7.5 }));
    } finally {
      inline.db.close();
      worker.db.close();
    }
  });

  it('rejects a file the worker cannot read (the sync then fails that source, as for a read on the main thread)', async () => {
    const work = await tmpDir();
    const pool = new RecordPool('nvd', { workerUrl: WORKER, inlineFirst: 0, batchSize: 2 });
    const good = pool.parse(path.join(FIXTURES, 'nvd/records/CVE-2019/CVE-2019-54xx/CVE-2019-5418.json'));
    const gone = pool.parse(path.join(work, 'CVE-2019-0000.json'));
    pool.flush();
    await expect(good).resolves.toMatchObject({ ok: true, advisory: { id: 'CVE-2019-5418' } });
    await expect(gone).rejects.toThrow(/ENOENT/);
    await pool.close();
  });

  it('answers in the order asked, parses the first files on the calling thread, and rejects what is open at close', async () => {
    const work = await tmpDir();
    const dir = path.join(work, 'nvd');
    mkdirSync(dir);
    mirror(dir);
    const files = readdirSync(dir).map((f) => path.join(dir, f));
    expect(files.length).toBeGreaterThan(50);
    const pool = new RecordPool('nvd', { workerUrl: WORKER, inlineFirst: 5, batchSize: 4 });
    const started = files.map((f) => pool.parse(f));
    pool.flush();
    const parsed = await Promise.all(started);
    expect(parsed.map((p) => (p.ok ? `${p.advisory.id}.json` : p.reason))).toEqual(files.map((f) => path.basename(f)));
    const open = pool.parse(files[0]!);
    await pool.close();
    await expect(open).rejects.toThrow(/closed/);
  });
});

