import { describe, it, expect } from 'vitest';
import { copyFileSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openDb, type Db } from '../../src/db/open.js';
import { syncAdvisories, type SyncOptions } from '../../src/advisories/sync.js';
import type { AdvisorySourceConfig } from '../../src/advisories/config.js';
import { getAdvisory, groupOf } from '../../src/db/advisories.js';
import { silentLogger } from '../../src/shared/log.js';
import { tmpDir } from '../helpers/tmp.js';
import { OSV_INVALID_DIR, copyOsvFixtures, osvFixtureFiles } from './fixtures.js';

async function setup(): Promise<{ db: Db; dir: string; cfg: AdvisorySourceConfig[]; opts: SyncOptions }> {
  const work = await tmpDir();
  const dir = path.join(work, 'osv');
  copyOsvFixtures(dir);
  const db = openDb(path.join(work, 'icms.db'));
  const cfg: AdvisorySourceConfig[] = [{ name: 'osv-local', type: 'osv', path: dir, timeoutMs: 1000, retries: 0, backoffMs: 0 }];
  return { db, dir, cfg, opts: { logger: silentLogger, now: () => new Date('2025-01-01T00:00:00Z'), tmpDir: work } };
}

describe('sync of an OSV directory', () => {
  it('stores every fixture with provenance, counts per ecosystem, flags withdrawn ones and groups aliases', async () => {
    const { db, cfg, opts } = await setup();
    try {
      const files = osvFixtureFiles();
      const { sources, groups } = await syncAdvisories(db, cfg, opts);
      const r = sources[0];
      expect(r).toMatchObject({ source: 'osv-local', kind: 'osv', added: files.length, updated: 0, unchanged: 0, skipped: 0 });
      expect(r?.error).toBeUndefined();
      // GO-2022-0617, PYSEC-2022-15, RUSTSEC-2020-0053 are withdrawn upstream
      expect(r?.withdrawn).toBe(3);
      // GHSA-gxr4-xjj5-5px2 (filed under npm/) also affects Maven, NuGet, Packagist and RubyGems
      expect(r?.perEcosystem).toMatchObject({ Debian: 4, Alpine: 4, AlmaLinux: 4, Go: 6, NuGet: 1 });
      expect(groups).toBeGreaterThan(0);

      const lodash = getAdvisory(db, 'osv-local', 'GHSA-9wv6-86v2-598j');
      // two CVE aliases: the group is named by the smaller one
      expect(lodash?.aliases).toEqual(expect.arrayContaining(['CVE-2024-45296', 'CVE-2026-4867']));
      expect(lodash?.groupId).toBe('CVE-2024-45296');
      expect(groupOf(db, 'GHSA-37ch-88jc-xwx2')).toBe('CVE-2024-45296');
      expect(getAdvisory(db, 'osv-local', 'GO-2022-0617')?.withdrawn).toBe('2024-08-21T16:25:56.000Z');
      // AlmaLinux lists CVEs as `related`, which never joins a group
      expect(getAdvisory(db, 'osv-local', 'ALSA-2024:3043')?.groupId).toBe('ALSA-2024:3043');
      const row = db.prepare("SELECT last_status, watermark FROM advisory_sources WHERE name = 'osv-local'").get();
      expect(row).toEqual({ last_status: 'ok', watermark: '2026-09-10T03:50:18.832Z' }); // the newest modified: npm/GHSA-9wv6-86v2-598j
    } finally {
      db.close();
    }
  });

  it('is idempotent, replaces a record only when its modified is newer, and drops removed files', async () => {
    const { db, dir, cfg, opts } = await setup();
    try {
      const total = osvFixtureFiles().length;
      await syncAdvisories(db, cfg, opts);
      expect((await syncAdvisories(db, cfg, opts)).sources[0]).toMatchObject({ added: 0, updated: 0, unchanged: total, removed: 0 });

      // same modified, other content (and a new mtime): read again but not replaced
      const semverFile = path.join(dir, 'npm/GHSA-c2qf-rxjj-qqgw.json');
      const semver = JSON.parse(readFileSync(semverFile, 'utf8')) as Record<string, unknown>;
      writeFileSync(semverFile, JSON.stringify({ ...semver, summary: 'changed without a new modified' }));
      let r = (await syncAdvisories(db, cfg, opts)).sources[0];
      expect(r).toMatchObject({ added: 0, updated: 0, unchanged: total });
      expect(getAdvisory(db, 'osv-local', 'GHSA-c2qf-rxjj-qqgw')?.summary).not.toBe('changed without a new modified');

      // newer modified: replaced
      writeFileSync(semverFile, JSON.stringify({ ...semver, modified: '2030-01-01T00:00:00Z', summary: 'newer' }));
      utimesSync(semverFile, new Date(), new Date(Date.now() + 5000));
      r = (await syncAdvisories(db, cfg, opts)).sources[0];
      expect(r).toMatchObject({ added: 0, updated: 1, unchanged: total - 1 });
      expect(getAdvisory(db, 'osv-local', 'GHSA-c2qf-rxjj-qqgw')).toMatchObject({ summary: 'newer', modified: '2030-01-01T00:00:00.000Z' });

      rmSync(path.join(dir, 'Debian/DSA-5037-1.json'));
      r = (await syncAdvisories(db, cfg, opts)).sources[0];
      expect(r).toMatchObject({ removed: 1, unchanged: total - 1 });
      expect(getAdvisory(db, 'osv-local', 'DSA-5037-1')).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('skips invalid records with file and reason, stores the rest, and keeps the last good version of a file that broke', async () => {
    const { db, dir, cfg, opts } = await setup();
    try {
      await syncAdvisories(db, cfg, opts);
      for (const f of ['bad-json.json', 'missing-id.json', 'no-introduced.json']) copyFileSync(path.join(OSV_INVALID_DIR, f), path.join(dir, f));
      writeFileSync(path.join(dir, 'Maven/GHSA-jfh8-c2jp-5v3q.json'), '{"id": "GHSA-jfh8-c2jp-5v3q", "modified": ');
      const r = (await syncAdvisories(db, cfg, opts)).sources[0];
      expect(r?.skipped).toBe(4);
      expect(r?.skippedSamples).toEqual([
        { file: 'Maven/GHSA-jfh8-c2jp-5v3q.json', reason: expect.stringMatching(/^invalid JSON/) },
        { file: 'bad-json.json', reason: expect.stringMatching(/^invalid JSON/) },
        { file: 'missing-id.json', reason: 'missing "id"' },
        { file: 'no-introduced.json', reason: expect.stringMatching(/affected\[0\]\.ranges\[0\]: events without "introduced"/) },
      ]);
      expect(r).toMatchObject({ added: 0, updated: 0, removed: 0 });
      expect(getAdvisory(db, 'osv-local', 'GHSA-jfh8-c2jp-5v3q')?.severity).toBe('CRITICAL');
    } finally {
      db.close();
    }
  });

  it('fails a source whose path does not exist, keeping the others', async () => {
    const { db, cfg, opts } = await setup();
    try {
      const both: AdvisorySourceConfig[] = [...cfg, { name: 'missing', type: 'osv', path: '/nonexistent/osv', timeoutMs: 1000, retries: 0, backoffMs: 0 }];
      const { sources } = await syncAdvisories(db, both, opts);
      expect(sources[0]?.error).toBeUndefined();
      expect(sources[1]?.error).toMatch(/cannot read \/nonexistent\/osv/);
      await expect(syncAdvisories(db, both, { ...opts, only: 'nope' })).rejects.toThrow(/unknown advisory source "nope"/);
    } finally {
      db.close();
    }
  });
});

describe('source stats', () => {
  it('an unchanged re-sync reports the kept counts; a change recounts them', async () => {
    const { db, dir, cfg, opts } = await setup();
    try {
      const first = (await syncAdvisories(db, cfg, opts)).sources[0]!;
      const again = (await syncAdvisories(db, cfg, opts)).sources[0]!;
      expect(again.unchanged).toBe(first.added);
      expect({ withdrawn: again.withdrawn, perEcosystem: again.perEcosystem }).toEqual({ withdrawn: first.withdrawn, perEcosystem: first.perEcosystem });
      // a Go advisory file removed: Go counts one less, and the next unchanged run keeps the new count
      const goFile = osvFixtureFiles().find((f) => f.startsWith(`Go${path.sep}`))!;
      rmSync(path.join(dir, goFile));
      const changed = (await syncAdvisories(db, cfg, opts)).sources[0]!;
      expect(changed.removed).toBe(1);
      expect(changed.perEcosystem.Go).toBe(first.perEcosystem.Go! - 1);
      expect((await syncAdvisories(db, cfg, opts)).sources[0]!.perEcosystem).toEqual(changed.perEcosystem);
    } finally {
      db.close();
    }
  });
});
