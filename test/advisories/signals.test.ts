import { describe, it, expect } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync, utimesSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb, type Db } from '../../src/db/open.js';
import { syncAdvisories, type SyncOptions } from '../../src/advisories/sync.js';
import type { AdvisorySourceConfig } from '../../src/advisories/config.js';
import { groupSignalLookup } from '../../src/db/signals.js';
import { silentLogger } from '../../src/shared/log.js';
import { startServer } from '../helpers/http.js';
import { tmpDir } from '../helpers/tmp.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const KEV = path.join(FIXTURES, 'kev/known_exploited_vulnerabilities.json');
const EPSS = path.join(FIXTURES, 'epss/epss_scores-2026-12-05.csv');
const http = { timeoutMs: 5000, retries: 0, backoffMs: 0 };

async function setup(): Promise<{ db: Db; work: string; opts: SyncOptions }> {
  const work = await tmpDir();
  return { db: openDb(path.join(work, 'icms.db')), work, opts: { logger: silentLogger, now: () => new Date('2026-12-06T00:00:00Z'), tmpDir: work } };
}

const count = (db: Db, table: string) => db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get();

describe('KEV source', () => {
  it('stores the catalog per CVE, skips an unchanged file, and replaces the set when it changes', async () => {
    const { db, work, opts } = await setup();
    try {
      const file = path.join(work, 'kev.json');
      copyFileSync(KEV, file);
      const cfg: AdvisorySourceConfig[] = [{ name: 'kev', type: 'kev', path: file, ...http }];
      expect((await syncAdvisories(db, cfg, opts)).sources[0]).toMatchObject({ kind: 'kev', added: 4, skipped: 0 });
      const signals = groupSignalLookup(db);
      expect(signals('CVE-2021-3129').kev).toEqual({ cve: 'CVE-2021-3129', date_added: '2023-09-18', due_date: '2023-10-09', ransomware: true });
      expect(signals('CVE-2019-5418').kev?.ransomware).toBe(false);
      expect(signals('CVE-2099-0001')).toEqual({ kev: null, epss: null });
      expect((await syncAdvisories(db, cfg, opts)).sources[0]).toMatchObject({ notModified: true, unchanged: 4 });
      // CISA drops one entry and adds a bad one
      const doc = JSON.parse(readFileSync(file, 'utf8')) as { vulnerabilities: Record<string, unknown>[] };
      doc.vulnerabilities = [...doc.vulnerabilities.slice(1), { cveID: 'not-a-cve' }];
      writeFileSync(file, JSON.stringify(doc));
      utimesSync(file, new Date(), new Date(Date.now() + 5000));
      expect((await syncAdvisories(db, cfg, opts)).sources[0]).toMatchObject({ added: 0, removed: 1, unchanged: 3, skipped: 1 });
      expect(count(db, 'kev_entries')).toBe(3);
    } finally {
      db.close();
    }
  });

  it('keeps the previous catalog when the new file is not one', async () => {
    const { db, work, opts } = await setup();
    try {
      const file = path.join(work, 'kev.json');
      copyFileSync(KEV, file);
      const cfg: AdvisorySourceConfig[] = [{ name: 'kev', type: 'kev', path: file, ...http }];
      await syncAdvisories(db, cfg, opts);
      writeFileSync(file, '{"title": "not a catalog"}');
      expect((await syncAdvisories(db, cfg, opts)).sources[0]?.error).toMatch(/not a KEV catalog \(no "vulnerabilities" list\)/);
      expect(count(db, 'kev_entries')).toBe(4);
    } finally {
      db.close();
    }
  });

  it('downloads the catalog from a URL with ETag revalidation', async () => {
    const { db, opts } = await setup();
    try {
      const body = readFileSync(KEV);
      const server = await startServer((req, res) => {
        if (req.headers['if-none-match'] === '"kev-1"') return void res.writeHead(304).end();
        res.writeHead(200, { etag: '"kev-1"', 'content-type': 'application/json' }).end(body);
      });
      const cfg: AdvisorySourceConfig[] = [{ name: 'kev', type: 'kev', url: `${server.url}/sites/default/files/feeds/known_exploited_vulnerabilities.json`, ...http }];
      expect((await syncAdvisories(db, cfg, opts)).sources[0]).toMatchObject({ added: 4 });
      expect((await syncAdvisories(db, cfg, opts)).sources[0]).toMatchObject({ notModified: true, unchanged: 4 });
      expect(server.requests).toHaveLength(2);
    } finally {
      db.close();
    }
  });
});

describe('EPSS source', () => {
  it('reads the documented CSV (plain or gzipped), with the score date of its first line', async () => {
    const { db, work, opts } = await setup();
    try {
      const gz = path.join(work, 'epss_scores-2026-12-05.csv.gz');
      writeFileSync(gz, gzipSync(readFileSync(EPSS)));
      const cfg: AdvisorySourceConfig[] = [{ name: 'epss', type: 'epss', path: gz, ...http }];
      expect((await syncAdvisories(db, cfg, opts)).sources[0]).toMatchObject({ kind: 'epss', added: 8, skipped: 0 });
      expect(groupSignalLookup(db)('CVE-2021-3129').epss).toEqual({ cve: 'CVE-2021-3129', score: 0.9442, percentile: 0.9996, date: '2026-12-05' });
    } finally {
      db.close();
    }
  });

  it('skips bad rows with their line, and refuses a file without the header', async () => {
    const { db, work, opts } = await setup();
    try {
      const file = path.join(work, 'epss.csv');
      writeFileSync(file, `${readFileSync(EPSS, 'utf8')}CVE-2024-1,1.5,0.2\nnonsense\n`);
      const cfg: AdvisorySourceConfig[] = [{ name: 'epss', type: 'epss', path: file, ...http }];
      const r = (await syncAdvisories(db, cfg, opts)).sources[0]!;
      expect(r).toMatchObject({ added: 8, skipped: 2 });
      expect(r.skippedSamples[0]).toMatchObject({ file: 'line 11' });
      writeFileSync(file, 'cve;epss;percentile\nCVE-2024-1;0.1;0.2\n');
      utimesSync(file, new Date(), new Date(Date.now() + 5000));
      expect((await syncAdvisories(db, cfg, opts)).sources[0]?.error).toMatch(/expected the header "cve,epss,percentile"/);
      expect(count(db, 'epss_scores')).toBe(8);
    } finally {
      db.close();
    }
  });
});
