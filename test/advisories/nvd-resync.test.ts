/**
 * Re-syncs of a local NVD source (issue 16): an unchanged listing is answered without per-file work, and any changed,
 * touched, added, deleted or invalid file is still seen. Real files in a temp dir, real SQLite.
 */
import { describe, it, expect } from 'vitest';
import { cpSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb, type Db } from '../../src/db/open.js';
import { syncAdvisories, type SyncOptions } from '../../src/advisories/sync.js';
import type { AdvisorySourceConfig } from '../../src/advisories/config.js';
import { getAdvisory } from '../../src/db/advisories.js';
import { groupFactsLookup } from '../../src/db/ratings.js';
import { silentLogger } from '../../src/shared/log.js';
import { tmpDir } from '../helpers/tmp.js';

const RECORDS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/nvd/records');
const COUNT = 8; // records in fixtures/nvd/records
const RAILS = 'CVE-2019/CVE-2019-54xx/CVE-2019-5418.json';
const cfg = (p: string): AdvisorySourceConfig[] => [{ name: 'nvd', type: 'nvd', path: p, pageSize: 2000, rateWindowMs: 0, timeoutMs: 5000, retries: 0, backoffMs: 0 }];

async function setup(): Promise<{ db: Db; dir: string; work: string; sync: (p?: string) => ReturnType<typeof syncOnce> }> {
  const work = await tmpDir();
  const dir = path.join(work, 'nvd');
  cpSync(RECORDS, dir, { recursive: true });
  const db = openDb(path.join(work, 'icms.db'));
  const opts: SyncOptions = { logger: silentLogger, now: () => new Date('2026-12-06T00:00:00Z'), tmpDir: work, env: {} };
  return { db, dir, work, sync: (p = dir) => syncOnce(db, p, opts) };
}

async function syncOnce(db: Db, p: string, opts: SyncOptions): Promise<Awaited<ReturnType<typeof syncAdvisories>>['sources'][number]> {
  return (await syncAdvisories(db, cfg(p), opts)).sources[0]!;
}

/** The NVD Primary CVSS v3 score the store gives CVE-2019-5418's group, as `match` reads it. */
function railsScore(db: Db): number | undefined {
  return groupFactsLookup(db)('CVE-2019-5418').ratings.find((r) => r.scorer === 'nvd@nist.gov' && r.nvdType === 'Primary' && r.cvssType === 'CVSS_V3')?.score;
}

/** Rewrites a record as NVD would on a change: new content, newer lastModified. */
type CvssMetric = { cvssData: { baseScore: number; baseSeverity: string } };
type NvdCve = { lastModified: string; metrics: { cvssMetricV31: CvssMetric[] } };
function rewrite(file: string, change: (rec: NvdCve) => void): void {
  const rec = JSON.parse(readFileSync(file, 'utf8')) as NvdCve;
  change(rec);
  rec.lastModified = '2026-12-05T10:00:00.000';
  writeFileSync(file, JSON.stringify(rec, null, 2));
}

describe('re-sync of a local NVD source', () => {
  it('answers an unchanged mirror directory from its listing alone, again and again', async () => {
    const { db, sync } = await setup();
    try {
      expect(await sync()).toMatchObject({ added: COUNT, notModified: false, skipped: 0 });
      expect(await sync()).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: COUNT, notModified: true });
      expect(await sync()).toMatchObject({ unchanged: COUNT, notModified: true });
      expect(railsScore(db)).toBe(7.5);
    } finally {
      db.close();
    }
  });

  it('picks up a record changed in place: its rating changes, the others stay unread', async () => {
    const { db, dir, sync } = await setup();
    try {
      await sync();
      rewrite(path.join(dir, RAILS), (rec) => {
        rec.metrics.cvssMetricV31[0]!.cvssData.baseScore = 9.1;
        rec.metrics.cvssMetricV31[0]!.cvssData.baseSeverity = 'CRITICAL';
      });
      expect(await sync()).toMatchObject({ updated: 1, unchanged: COUNT - 1, notModified: false });
      expect(railsScore(db)).toBe(9.1);
      expect(getAdvisory(db, 'nvd', 'CVE-2019-5418')?.severity).toBe('CRITICAL');
      expect(await sync()).toMatchObject({ unchanged: COUNT, notModified: true });
    } finally {
      db.close();
    }
  });

  it('reads a file again when only its mtime changed (touch)', async () => {
    const { db, dir, sync } = await setup();
    try {
      await sync();
      const file = path.join(dir, RAILS);
      const later = new Date(statSync(file).mtimeMs + 60_000);
      utimesSync(file, later, later);
      expect(await sync()).toMatchObject({ updated: 0, unchanged: COUNT, notModified: false });
      expect(await sync()).toMatchObject({ notModified: true });
    } finally {
      db.close();
    }
  });

  it('adds a new record file and removes the record of a deleted one (its rating is gone)', async () => {
    const { db, dir, sync } = await setup();
    try {
      await sync();
      const rec = JSON.parse(readFileSync(path.join(dir, RAILS), 'utf8')) as Record<string, unknown>;
      mkdirSync(path.join(dir, 'CVE-2026/CVE-2026-990xx'), { recursive: true });
      writeFileSync(path.join(dir, 'CVE-2026/CVE-2026-990xx/CVE-2026-99001.json'), JSON.stringify({ ...rec, id: 'CVE-2026-99001' }));
      expect(await sync()).toMatchObject({ added: 1, unchanged: COUNT, notModified: false });
      expect(getAdvisory(db, 'nvd', 'CVE-2026-99001')?.severity).toBe('HIGH');
      rmSync(path.join(dir, RAILS));
      expect(await sync()).toMatchObject({ added: 0, removed: 1, unchanged: COUNT, notModified: false });
      expect(getAdvisory(db, 'nvd', 'CVE-2019-5418')).toBeUndefined();
      expect(railsScore(db)).toBeUndefined();
      expect(await sync()).toMatchObject({ removed: 0, unchanged: COUNT, notModified: true });
    } finally {
      db.close();
    }
  });

  it('reports an invalid file on every sync (the listing is not trusted while one is skipped)', async () => {
    const { db, dir, sync } = await setup();
    try {
      mkdirSync(path.join(dir, 'CVE-2026/CVE-2026-990xx'), { recursive: true });
      writeFileSync(path.join(dir, 'CVE-2026/CVE-2026-990xx/CVE-2026-99002.json'), '{"id": "CVE-2026-99002", ');
      expect(await sync()).toMatchObject({ added: COUNT, skipped: 1 });
      const again = await sync();
      expect(again).toMatchObject({ unchanged: COUNT, skipped: 1, notModified: false });
      expect(again.skippedSamples[0]?.file).toBe('CVE-2026/CVE-2026-990xx/CVE-2026-99002.json');
    } finally {
      db.close();
    }
  });

  it('after a failed sync reads file by file even when the listing is back to the last good one', async () => {
    const { db, dir, sync } = await setup();
    try {
      await sync();
      // a truncated feed file inside the mirror fails the source
      const broken = path.join(dir, 'nvdcve-2.0-modified.json');
      writeFileSync(broken, '{"format": "NVD_CVE", "version": "2.0", "vulnerabilities": [');
      expect((await sync()).error).toMatch(/nvdcve-2\.0-modified\.json/);
      rmSync(broken);
      const after = await sync();
      expect(after).toMatchObject({ unchanged: COUNT, notModified: false });
      expect(after.error).toBeUndefined();
      expect(await sync()).toMatchObject({ unchanged: COUNT, notModified: true });
    } finally {
      db.close();
    }
  });

  it('answers unchanged feed files named by a glob from their listing, and reads a replaced one', async () => {
    const { db, work, sync } = await setup();
    try {
      const rec = JSON.parse(readFileSync(path.join(RECORDS, RAILS), 'utf8')) as Record<string, unknown>;
      const feed = (cves: unknown[]): Buffer => gzipSync(JSON.stringify({ format: 'NVD_CVE', version: '2.0', vulnerabilities: cves.map((cve) => ({ cve })) }));
      const file = path.join(work, 'nvdcve-2.0-2019.json.gz');
      writeFileSync(file, feed([rec]));
      const glob = path.join(work, 'nvdcve-2.0-*.json.gz');
      expect(await sync(glob)).toMatchObject({ added: 1, notModified: false });
      expect(await sync(glob)).toMatchObject({ unchanged: 1, notModified: true });
      writeFileSync(file, feed([rec, { ...rec, id: 'CVE-2019-99003' }]));
      utimesSync(file, new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));
      expect(await sync(glob)).toMatchObject({ added: 1, unchanged: 1, notModified: false });
    } finally {
      db.close();
    }
  });
});
