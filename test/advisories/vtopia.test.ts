import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import { openDb, type Db } from '../../src/db/open.js';
import { syncAdvisories, type SyncOptions } from '../../src/advisories/sync.js';
import type { AdvisorySourceConfig, VtopiaSourceConfig } from '../../src/advisories/config.js';
import { getAdvisory, groupOf } from '../../src/db/advisories.js';
import { parseVtopiaRecord } from '../../src/advisories/vtopia.js';
import { silentLogger } from '../../src/shared/log.js';
import { tmpDir } from '../helpers/tmp.js';
import { OSV_DIR, VTOPIA_RECORDS } from './fixtures.js';
import { serve } from './servers.js';

type VRecord = Record<string, unknown>;
const RECORDS = JSON.parse(readFileSync(VTOPIA_RECORDS, 'utf8')) as VRecord[];

/** Serves `records()` paged as the CVE Manager does; `fail(page)` may answer a page itself. */
async function vtopiaServer(records: () => VRecord[], fail?: (page: number, res: ServerResponse) => boolean) {
  const pages: number[] = [];
  const server = await serve((req, res) => {
    const u = new URL(req.url, 'http://x');
    expect(u.pathname).toBe('/api/cve/list');
    const page = Number(u.searchParams.get('page_num'));
    const size = Number(u.searchParams.get('count_per_page'));
    pages.push(page);
    if (fail?.(page, res)) return;
    const list = records().slice((page - 1) * size, page * size);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ body: { list } }));
  });
  return { ...server, pages };
}

async function setup(): Promise<{ db: Db; opts: SyncOptions }> {
  const work = await tmpDir();
  const db = openDb(path.join(work, 'icms.db'));
  return { db, opts: { logger: silentLogger, now: () => new Date(), tmpDir: work } };
}

const vtopia = (url: string, over: Partial<VtopiaSourceConfig> = {}): VtopiaSourceConfig => ({
  name: 'vtopia',
  type: 'vtopia',
  url: `${url}/api/cve/list`,
  pageSize: 2,
  maxPages: 100,
  timeoutMs: 2000,
  retries: 2,
  backoffMs: 5,
  ...over,
});

describe('parseVtopiaRecord', () => {
  it('turns name==version pairs into explicit versions under ecosystem any, PEP 503 names merged', () => {
    const parsed = parseVtopiaRecord(RECORDS[2], 'vtopia');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.advisory).toMatchObject({
      id: 'CVE-2023-27522',
      severity: 'MEDIUM',
      severityText: 'Medium',
      published: '2023-03-07T00:00:00.000Z',
      modified: '2023-03-07T00:00:00.000Z',
      affected: [{ ecosystem: 'any', name: 'uwsgi', rawName: 'uwsgi', versions: ['2.0.21', '2.0.20'], ranges: [] }],
    });
    expect(parsed.advisory.details).toMatch(/^HTTP Response Smuggling/);
  });

  it.each([
    [{ ...RECORDS[0], cveNum: 'not-a-cve' }, /invalid cveNum/],
    [{ ...RECORDS[0], packName: ['jquery>=3.4.1'] }, /"jquery>=3.4.1" is not "name==version"/],
    ['a string', /not a JSON object/],
  ])('rejects %j', (record, reason) => {
    const parsed = parseVtopiaRecord(record, 'vtopia');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });
});

describe('vtopia sync', () => {
  it('reads every page until an empty one, stores the set, and a second sync changes nothing', async () => {
    const { db, opts } = await setup();
    const server = await vtopiaServer(() => RECORDS);
    try {
      const first = (await syncAdvisories(db, [vtopia(server.url)], opts)).sources[0];
      expect(first).toMatchObject({ added: 9, skipped: 0, perEcosystem: { any: 8 } });
      expect(server.pages).toEqual([1, 2, 3, 4, 5, 6]);
      expect(getAdvisory(db, 'vtopia', 'CVE-2016-3076')?.affected).toMatchObject([{ ecosystem: 'any', name: 'pillow', versions: ['3.1.1'] }]);
      const second = (await syncAdvisories(db, [vtopia(server.url)], opts)).sources[0];
      expect(second).toMatchObject({ added: 0, updated: 0, unchanged: 9, removed: 0 });
    } finally {
      db.close();
    }
  });

  it('retries a 500 and a garbled page, then succeeds', async () => {
    const { db, opts } = await setup();
    let failures = 0;
    const server = await vtopiaServer(
      () => RECORDS,
      (page, res) => {
        if (page === 1 && failures === 0) return ++failures, res.writeHead(500).end(), true;
        if (page === 2 && failures === 1) return ++failures, res.writeHead(200).end('{"body": {"li'), true;
        return false;
      },
    );
    try {
      const r = (await syncAdvisories(db, [vtopia(server.url)], opts)).sources[0];
      expect(r?.error).toBeUndefined();
      expect(r?.added).toBe(9);
      expect(server.pages).toEqual([1, 1, 2, 2, 3, 4, 5, 6]);
    } finally {
      db.close();
    }
  });

  it('an error on page 3 of 5 fails the source after bounded retries and leaves the previous set exactly as it was', async () => {
    const { db, opts } = await setup();
    let records = RECORDS;
    let broken = false;
    const server = await vtopiaServer(
      () => records,
      (page, res) => broken && page === 3 && (res.writeHead(502).end(), true),
    );
    try {
      await syncAdvisories(db, [vtopia(server.url)], opts);
      const before = db.prepare("SELECT advisory_id, summary FROM advisories WHERE source = 'vtopia' ORDER BY advisory_id").all();
      // the next listing drops a record and changes another, but page 3 fails
      records = [{ ...RECORDS[0], title: 'changed' }, ...RECORDS.slice(2)];
      broken = true;
      server.pages.length = 0;
      const r = (await syncAdvisories(db, [vtopia(server.url, { retries: 2 })], opts)).sources[0];
      expect(r?.error).toMatch(/failed after 3 attempt\(s\): HTTP 502/);
      expect(server.pages).toEqual([1, 2, 3, 3, 3]);
      expect(r).toMatchObject({ added: 0, updated: 0, removed: 0 });
      expect(db.prepare("SELECT advisory_id, summary FROM advisories WHERE source = 'vtopia' ORDER BY advisory_id").all()).toEqual(before);

      broken = false;
      const ok = (await syncAdvisories(db, [vtopia(server.url)], opts)).sources[0];
      expect(ok).toMatchObject({ added: 0, updated: 1, unchanged: 7, removed: 1 });
    } finally {
      db.close();
    }
  });

  it('stops at max_pages instead of looping forever', async () => {
    const { db, opts } = await setup();
    const server = await vtopiaServer(() => Array.from({ length: 1000 }, () => RECORDS[0]!));
    try {
      const r = (await syncAdvisories(db, [vtopia(server.url, { maxPages: 3 })], opts)).sources[0];
      expect(r?.error).toMatch(/max_pages=3/);
      expect(server.pages).toEqual([1, 2, 3]);
    } finally {
      db.close();
    }
  });

  it('puts a GHSA from OSV and the vtopia record of its CVE into one group', async () => {
    const { db, opts } = await setup();
    const server = await vtopiaServer(() => RECORDS);
    try {
      const sources: AdvisorySourceConfig[] = [
        { name: 'osv', type: 'osv', path: OSV_DIR, timeoutMs: 1000, retries: 0, backoffMs: 0 },
        vtopia(server.url),
      ];
      await syncAdvisories(db, sources, opts);
      expect(getAdvisory(db, 'osv', 'GHSA-gxr4-xjj5-5px2')?.groupId).toBe('CVE-2020-11022');
      expect(getAdvisory(db, 'vtopia', 'CVE-2020-11022')?.groupId).toBe('CVE-2020-11022');
      expect(getAdvisory(db, 'osv', 'PYSEC-2017-92')?.groupId).toBe('CVE-2016-3076');
      expect(groupOf(db, 'BIT-drupal-2020-11022')).toBe('CVE-2020-11022');
      const members = db.prepare("SELECT source || ':' || advisory_id FROM advisories WHERE group_id = 'CVE-2020-11022' ORDER BY 1").pluck().all();
      expect(members).toEqual(['osv:GHSA-gxr4-xjj5-5px2', 'vtopia:CVE-2020-11022']);
    } finally {
      db.close();
    }
  });
});
