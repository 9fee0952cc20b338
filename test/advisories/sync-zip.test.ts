import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openDb } from '../../src/db/open.js';
import { syncAdvisories } from '../../src/advisories/sync.js';
import type { AdvisorySourceConfig } from '../../src/advisories/config.js';
import { countAdvisories, getAdvisory } from '../../src/db/advisories.js';
import { silentLogger } from '../../src/shared/log.js';
import { tmpDir } from '../helpers/tmp.js';
import { OSV_DIR, OSV_INVALID_DIR, osvFixtureFiles } from './fixtures.js';
import { entriesFrom, writeZip } from './zip-helper.js';

describe('sync of a local OSV zip', () => {
  it('reads every entry, skips unchanged entries by CRC on the next run, and re-reads changed ones', async () => {
    const work = await tmpDir();
    const zipFile = path.join(work, 'all.zip');
    const files = osvFixtureFiles();
    const entries: Record<string, string | Buffer> = { ...entriesFrom(OSV_DIR, files), 'README.txt': 'not an advisory', 'bad.json': readFileSync(path.join(OSV_INVALID_DIR, 'missing-id.json')) };
    await writeZip(zipFile, entries);
    const db = openDb(path.join(work, 'icms.db'));
    try {
      const cfg: AdvisorySourceConfig[] = [{ name: 'osv-zip', type: 'osv', path: zipFile, timeoutMs: 1000, retries: 0, backoffMs: 0 }];
      const opts = { logger: silentLogger, now: () => new Date(), tmpDir: work };
      let r = (await syncAdvisories(db, cfg, opts)).sources[0];
      expect(r).toMatchObject({ added: files.length, skipped: 1, skippedSamples: [{ file: 'bad.json', reason: 'missing "id"' }] });
      expect(getAdvisory(db, 'osv-zip', 'GHSA-277h-px4m-62q8')?.affected[0]?.lastKnownAffectedRange).toBe('<= 1.0.0-beta.13');

      const log4shell = JSON.parse(String(entries['GHSA-jfh8-c2jp-5v3q.json'])) as Record<string, unknown>;
      await writeZip(zipFile, { ...entries, 'GHSA-jfh8-c2jp-5v3q.json': JSON.stringify({ ...log4shell, modified: '2031-01-01T00:00:00Z' }) });
      r = (await syncAdvisories(db, cfg, opts)).sources[0];
      // the invalid entry is read (and reported) again; the unchanged ones are not
      expect(r).toMatchObject({ added: 0, updated: 1, unchanged: files.length - 1, skipped: 1 });
    } finally {
      db.close();
    }
  });

  it('fails on a file that is not a zip and keeps the data of the last good sync', async () => {
    const work = await tmpDir();
    const zipFile = path.join(work, 'all.zip');
    await writeZip(zipFile, entriesFrom(OSV_DIR, ['Go/GO-2024-3122.json', 'Go/GO-2024-3160.json']));
    const db = openDb(path.join(work, 'icms.db'));
    try {
      const cfg: AdvisorySourceConfig[] = [{ name: 'osv-zip', type: 'osv', path: zipFile, timeoutMs: 1000, retries: 0, backoffMs: 0 }];
      const opts = { logger: silentLogger, now: () => new Date(), tmpDir: work };
      await syncAdvisories(db, cfg, opts);
      writeFileSync(zipFile, 'PK\x03\x04 this is not really a zip');
      const r = (await syncAdvisories(db, cfg, opts)).sources[0];
      expect(r?.error).toMatch(/invalid zip/);
      expect(r).toMatchObject({ added: 0, removed: 0 });
      expect(countAdvisories(db, 'osv-zip')).toBe(2);
      expect(db.prepare("SELECT last_status FROM advisory_sources WHERE name = 'osv-zip'").pluck().get()).toBe('failed');
    } finally {
      db.close();
    }
  });
});
