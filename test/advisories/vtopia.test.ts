import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openDb, type Db } from '../../src/db/open.js';
import { syncAdvisories, type SyncOptions } from '../../src/advisories/sync.js';
import type { AdvisorySourceConfig, VtopiaSourceConfig } from '../../src/advisories/config.js';
import { getAdvisory, groupOf } from '../../src/db/advisories.js';
import { parseVtopiaRecord } from '../../src/advisories/vtopia.js';
import { iterateAffectedEntries } from '../../src/db/match-inputs.js';
import { buildAffectedIndex, matchPackages, type MatchPackage } from '../../src/matcher/match.js';
import { silentLogger } from '../../src/shared/log.js';
import type { Advisory } from '../../src/model/types.js';
import { tmpDir } from '../helpers/tmp.js';
import { cveManagerError, cveManagerPage, cveManagerServer } from '../helpers/cve-manager.js';
import { OSV_DIR, VTOPIA_RECORDS } from './fixtures.js';

type VRecord = Record<string, unknown>;
const RECORDS = JSON.parse(readFileSync(VTOPIA_RECORDS, 'utf8')) as VRecord[];
const record = (cve: string): VRecord => RECORDS.find((r) => r.cveNum === cve)!;

async function setup(): Promise<{ db: Db; opts: SyncOptions }> {
  const work = await tmpDir();
  const db = openDb(path.join(work, 'icms.db'));
  return { db, opts: { logger: silentLogger, now: () => new Date(), tmpDir: work } };
}

const vtopia = (url: string, over: Partial<VtopiaSourceConfig> = {}): VtopiaSourceConfig => ({
  name: 'vtopia',
  type: 'vtopia',
  url,
  pageSize: 2,
  maxPages: 100,
  timeoutMs: 2000,
  retries: 2,
  backoffMs: 5,
  dropLowCredibility: false,
  ...over,
});

function parsed(cve: string, over: VRecord = {}): Advisory & { skippedEntries?: string[] } {
  const p = parseVtopiaRecord({ ...record(cve), ...over }, 'vtopia');
  if (!p.ok) throw new Error(p.reason);
  return { ...p.advisory, ...(p.skippedEntries ? { skippedEntries: p.skippedEntries } : {}) };
}

describe('parseVtopiaRecord (real CveOriginData shape)', () => {
  it('rates from impact.baseMetricV3, keeps references, CNNVD/CNVD aliases, CWE, and the purl range of the ecosystem', () => {
    const a = parsed('CVE-2020-11022');
    expect(a).toMatchObject({
      id: 'CVE-2020-11022',
      aliases: ['CNNVD-202004-2420', 'CNVD-2020-27346'],
      severity: 'MEDIUM',
      severityText: 'MEDIUM',
      baseScore: 6.1,
      cvss: [{ type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', baseScore: 6.1 }],
      withdrawn: undefined,
    });
    expect(a.references).toEqual([
      { type: 'ADVISORY', url: 'https://github.com/jquery/jquery/security/advisories/GHSA-gxr4-xjj5-5px2' },
      { type: 'FIX', url: 'https://github.com/jquery/jquery/commit/1d61fd9407e6fbe82fe55cb0b938307aa0791f77' },
      { type: 'WEB', url: 'https://blog.jquery.com/2020/04/10/jquery-3-5-0-released/' },
    ]);
    // the purl covers "jquery" precisely, so the bare names cvePackName/packName add no ecosystem-less entry
    expect(a.affected).toHaveLength(1);
    expect(a.affected[0]).toMatchObject({ ecosystem: 'npm', name: 'jquery', purl: 'pkg:npm/jquery', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.2.0' }, { fixed: '3.5.0' }], database_specific: { cve_manager_feed: 'gemnasium' } }], versions: [] });
    expect(a.affected[0]!.databaseSpecific).toMatchObject({ credibility: 0, low_credibility: false, cwe_ids: ['CWE-79'], severity_source: 'impact.baseMetricV3', fixed_versions: ['3.5.0'] });
    expect(a.skippedEntries).toBeUndefined();
  });

  it('falls back to baseMetricV2 when the v3 metric is empty; credibility 4 makes the version the fix of an ecosystem-less range', () => {
    const a = parsed('CVE-2016-3076');
    expect(a).toMatchObject({ severity: 'MEDIUM', severityText: 'MEDIUM', baseScore: 4.3, cvss: [{ type: 'CVSS_V2', vector: 'AV:N/AC:M/Au:N/C:N/I:N/A:P' }] });
    expect(a.affected).toEqual([
      expect.objectContaining({ ecosystem: 'any', name: 'pillow', rawName: 'Pillow', versions: [], ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.2.0' }] }] }),
    ]);
    expect(a.affected[0]!.databaseSpecific).toMatchObject({ credibility: 4, severity_source: 'impact.baseMetricV2' });
    // packName [""] (the service's split of an empty column) is an entry left out, not a broken record
    expect(a.skippedEntries).toEqual(['packName[0] is empty']);
  });

  it('merges cvePackName and name==version packName entries per PEP 503 name; credibility 0-3 versions are exact', () => {
    const a = parsed('CVE-2023-27522');
    expect(a.affected).toEqual([expect.objectContaining({ ecosystem: 'any', name: 'uwsgi', versions: ['2.0.21', '2.0.20'], ranges: [] })]);
    expect(a.severity).toBe('HIGH');
  });

  it('vulStatus is a status: REJECT withdraws, DISPUTED is kept and marked, credibility 6 is marked low', () => {
    expect(parsed('CVE-2021-3918').withdrawn).toBe('2021-11-13T00:00:00.000Z');
    const disputed = parsed('CVE-2021-23337');
    expect(disputed.withdrawn).toBeUndefined();
    expect(disputed.summary).toBe('DISPUTED: lodash: command injection via template');
    expect(disputed.affected[0]!.databaseSpecific).toMatchObject({ vul_status: 'DISPUTED' });
    expect(disputed.affected[0]!.fixedVersions).toEqual(['4.17.21']);
    expect(parsed('CVE-2022-31163').affected[0]!.databaseSpecific).toMatchObject({ credibility: 6, low_credibility: true });
  });

  it('an exclusive lower bound is kept as introduced + start_excluding; maven purls name group:artifact', () => {
    expect(parsed('CVE-2021-29425').affected).toEqual([
      expect.objectContaining({
        ecosystem: 'Maven',
        name: 'commons-io:commons-io',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.2' }, { last_affected: '2.6' }], database_specific: { cve_manager_feed: 'huntr', start_excluding: '2.2' } }],
      }),
      expect.objectContaining({ ecosystem: 'any', name: 'apache-commons-io', versions: ['2.6'] }),
    ]);
  });

  it('a malformed entry is left out and named; the record and its other entries stay', () => {
    const a = parsed('CVE-2023-27522', {
      packName: ['', 'uwsgi==2.0.19', 'bad name==1', 'x=='],
      package_url: { gemnasium: [{ purl: 'not a purl' }, { purl: 'pkg:deb/debian/uwsgi', versionEndExcluding: '2.0.22' }, { purl: 'pkg:pypi/uWSGI', versionEndExcluding: '  ' }], go: null, github_advistory: null, huntr: null },
    });
    expect(a.affected.map((e) => [e.ecosystem, e.name, e.versions])).toEqual([['any', 'uwsgi', ['2.0.21', '2.0.19']]]);
    expect(a.skippedEntries).toEqual([
      expect.stringMatching(/^package_url.gemnasium\[0\]: purl "not a purl" does not parse/),
      'package_url.gemnasium[1]: purl type "deb" has no OSV ecosystem icms matches',
      'package_url.gemnasium[2]: versionEndExcluding "  " is not a version',
      'packName[0] is empty',
      'packName[2] "bad name==1" is not "name" or "name==version"',
      'packName[3] "x==" is not "name" or "name==version"',
    ]);
  });

  it('an upstream name is placed in the ecosystem the record\'s purls give; openEuler packName names stay name-only', () => {
    const a = parsed('CVE-2023-27522', {
      cvePackName: ['uWSGI-tools'],
      packName: ['python-uwsgi==2.0.21'],
      package_url: { gemnasium: [{ purl: 'pkg:pypi/uwsgi', versionEndExcluding: '2.0.22' }], go: null, github_advistory: null, huntr: null },
    });
    expect(a.affected.map((e) => [e.ecosystem, e.name, e.versions])).toEqual([
      ['PyPI', 'uwsgi', []],
      ['PyPI', 'uwsgi-tools', ['2.0.21']],
      ['any', 'python-uwsgi', ['2.0.21']],
    ]);
  });

  it('a version that is no version (an operator, a space) leaves the entry out', () => {
    const a = parsed('CVE-2023-27522', { cvePackName: ['uwsgi'], packName: ['uwsgi==<2.0.22'], version: '2.0.21' });
    expect(a.affected.map((e) => [e.ecosystem, e.name, e.versions])).toEqual([['any', 'uwsgi', ['2.0.21']]]);
    expect(a.skippedEntries).toEqual(['packName[0] "uwsgi": "<2.0.22" is not a version']);
    const b = parsed('CVE-2023-27522', { cvePackName: ['uwsgi'], packName: [''], version: '<=2.0.21' });
    expect(b.affected).toEqual([]);
    expect(b.skippedEntries).toEqual(['cvePackName[0] "uwsgi": "<=2.0.21" is not a version', 'packName[0] is empty']);
  });

  it.each([
    [{ cveNum: 'not-a-cve', ids: 'x' }, /invalid cveNum/],
    ['a string', /not a JSON object/],
  ])('skips a record without a CVE id: %j', (over, reason) => {
    const p = parseVtopiaRecord(typeof over === 'string' ? over : { ...record('CVE-2020-11022'), ...over }, 'vtopia');
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.reason).toMatch(reason);
  });
});

const MATCH_PACKAGES: [string, string, string][] = [
  ['npm', 'jquery', '3.4.1'],
  ['npm', 'jquery', '3.5.0'],
  ['PyPI', 'Pillow', '3.1.1'],
  ['PyPI', 'Pillow', '3.2.0'],
  ['npm', 'json-schema', '0.3.0'],
  ['Maven', 'commons-io:commons-io', '2.2'],
  ['Maven', 'commons-io:commons-io', '2.6'],
  ['npm', 'lodash', '4.17.20'],
];

function matchAgainstStore(db: Db) {
  const index = buildAffectedIndex(iterateAffectedEntries(db));
  const pkgs: MatchPackage[] = MATCH_PACKAGES.map(([ecosystem, name, version]) => ({ projectId: 1, ecosystem, name, version, matchName: ecosystem === 'PyPI' ? name.toLowerCase() : name, matchVersion: version, target: 'lockfile' }));
  return matchPackages(pkgs, index).findings;
}

describe('vtopia sync against a loopback CVE Manager', () => {
  it('reads pages until body.total rows arrived, stores them, and the findings carry severity, fix, aliases', async () => {
    const { db, opts } = await setup();
    const server = await cveManagerServer(() => RECORDS);
    try {
      const first = (await syncAdvisories(db, [vtopia(server.url)], opts)).sources[0];
      expect(first?.error).toBeUndefined();
      expect(first).toMatchObject({ added: 12, skipped: 0, withdrawn: 1 });
      // CVE-2016-3076 packName [""], CVE-2022-45061 cvePackName [""] and packName [""], CVE-2022-24775 and CVE-2021-3918 packName [""]
      expect(first?.skippedEntries).toBe(5);
      expect(server.pages).toEqual([1, 2, 3, 4, 5, 6]); // 12 rows of total 12: no extra empty page
      const second = (await syncAdvisories(db, [vtopia(server.url)], opts)).sources[0];
      expect(second).toMatchObject({ added: 0, updated: 0, unchanged: 12, removed: 0 });

      const found = matchAgainstStore(db).map((f) => ({ pkg: `${f.ecosystem} ${f.package} ${f.version}`, id: f.groupId, severity: f.severity, fixed: f.fixedVersion, aliases: f.aliases, reason: f.advisories[0]!.reason }));
      expect(found.map((f) => f.pkg).sort()).toEqual(['Maven commons-io:commons-io 2.6', 'PyPI Pillow 3.1.1', 'npm jquery 3.4.1', 'npm lodash 4.17.20']);
      expect(found.find((f) => f.pkg === 'npm jquery 3.4.1')).toMatchObject({ id: 'CVE-2020-11022', severity: 'MEDIUM', fixed: '3.5.0', aliases: ['CVE-2020-11022', 'CNNVD-202004-2420', 'CNVD-2020-27346'] });
      // credibility 4: 3.1.1 is below the given (fixed) 3.2.0, 3.2.0 itself is not flagged; the reason says the name had no ecosystem
      expect(found.find((f) => f.pkg === 'PyPI Pillow 3.1.1')).toMatchObject({ fixed: '3.2.0', reason: { kind: 'range', scheme: 'PyPI', note: expect.stringMatching(/names "Pillow" without an ecosystem .* matched to PyPI Pillow by name only/) } });
      // DISPUTED is still reported; its exact version takes the fix from patch[]
      expect(found.find((f) => f.pkg === 'npm lodash 4.17.20')).toMatchObject({ fixed: '4.17.21', reason: { kind: 'exact-any', note: expect.stringMatching(/exact version 4.17.20 listed; .*without an ecosystem/) } });
      // versionStartExcluding 2.2: 2.2 itself is not affected, 2.6 (versionEndIncluding) is
      expect(found.some((f) => f.pkg === 'Maven commons-io:commons-io 2.2')).toBe(false);
      expect(getAdvisory(db, 'vtopia', 'CVE-2020-11022')?.references).toHaveLength(3);
    } finally {
      db.close();
    }
  });

  it('drop_low_credibility leaves credibility-6 records out (counted as dropped, not as a problem)', async () => {
    const { db, opts } = await setup();
    const server = await cveManagerServer(() => RECORDS);
    try {
      const r = (await syncAdvisories(db, [vtopia(server.url, { dropLowCredibility: true })], opts)).sources[0];
      expect(r).toMatchObject({ added: 11, dropped: 1, skipped: 0 });
      expect(getAdvisory(db, 'vtopia', 'CVE-2022-31163')).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('retries a 500 and a garbled page, then succeeds', async () => {
    const { db, opts } = await setup();
    const server = await cveManagerServer(
      () => RECORDS,
      (page, n, res) => {
        if (page === 1 && n === 1) return res.writeHead(500).end(), 'handled';
        if (page === 2 && n === 1) return res.writeHead(200).end('{"body": {"li'), 'handled';
        return undefined;
      },
    );
    try {
      const r = (await syncAdvisories(db, [vtopia(server.url)], opts)).sources[0];
      expect(r?.error).toBeUndefined();
      expect(r?.added).toBe(12);
      expect(server.pages).toEqual([1, 1, 2, 2, 3, 4, 5, 6]);
    } finally {
      db.close();
    }
  });

  it('surfaces errno/errmsg and a code other than "200", and keeps the previous set', async () => {
    const { db, opts } = await setup();
    let bad: object | undefined;
    const server = await cveManagerServer(() => RECORDS, (page) => (page === 2 ? bad : undefined));
    try {
      await syncAdvisories(db, [vtopia(server.url)], opts);
      bad = cveManagerError('4103', 'count_per_page out of range');
      const r = (await syncAdvisories(db, [vtopia(server.url)], opts)).sources[0];
      expect(r?.error).toBe('page 2: the service answered errno "4103": "count_per_page out of range" (success is code "200")');
      bad = { body: { total: 12, list: [] }, code: '500', errmsg: 'db error' };
      expect((await syncAdvisories(db, [vtopia(server.url)], opts)).sources[0]?.error).toMatch(/page 2: the service answered code "500": "db error"/);
      expect(db.prepare("SELECT COUNT(*) FROM advisories WHERE source = 'vtopia'").pluck().get()).toBe(12);
    } finally {
      db.close();
    }
  });

  it('rows arriving during paging (total grows, a row repeats) make it read the listing again', async () => {
    const { db, opts } = await setup();
    const newest = { ...record('CVE-2020-11022'), ids: 'CVE-2024-0001', cveNum: 'CVE-2024-0001' };
    let rows: VRecord[] = RECORDS;
    const server = await cveManagerServer(
      () => rows,
      (page, n) => {
        // a row is inserted at the top (ORDER BY cve_id DESC) right after page 1 was served the first time
        if (page === 1 && n === 1) {
          const answer = cveManagerPage(rows, 1, 2);
          rows = [newest, ...RECORDS];
          return answer;
        }
        return undefined;
      },
    );
    try {
      const r = (await syncAdvisories(db, [vtopia(server.url)], opts)).sources[0];
      expect(r?.error).toBeUndefined();
      expect(r?.added).toBe(13);
      expect(server.pages).toEqual([1, 2, 1, 2, 3, 4, 5, 6, 7]);
    } finally {
      db.close();
    }
  });

  it('an error on page 3 fails the source after bounded retries and leaves the previous set exactly as it was', async () => {
    const { db, opts } = await setup();
    let rows: VRecord[] = RECORDS;
    let broken = false;
    const server = await cveManagerServer(
      () => rows,
      (page, _n, res) => (broken && page === 3 ? (res.writeHead(502).end(), 'handled') : undefined),
    );
    try {
      await syncAdvisories(db, [vtopia(server.url)], opts);
      const before = db.prepare("SELECT advisory_id, summary FROM advisories WHERE source = 'vtopia' ORDER BY advisory_id").all();
      rows = [{ ...RECORDS[0], title: 'changed' }, ...RECORDS.slice(2)];
      broken = true;
      server.pages.length = 0;
      const r = (await syncAdvisories(db, [vtopia(server.url, { retries: 2 })], opts)).sources[0];
      expect(r?.error).toMatch(/failed after 3 attempts: HTTP 502/);
      expect(server.pages).toEqual([1, 2, 3, 3, 3]);
      expect(r).toMatchObject({ added: 0, updated: 0, removed: 0 });
      expect(db.prepare("SELECT advisory_id, summary FROM advisories WHERE source = 'vtopia' ORDER BY advisory_id").all()).toEqual(before);

      broken = false;
      const ok = (await syncAdvisories(db, [vtopia(server.url)], opts)).sources[0];
      expect(ok).toMatchObject({ added: 0, updated: 1, unchanged: 10, removed: 1 });
    } finally {
      db.close();
    }
  });

  it('stops at max_pages instead of looping forever', async () => {
    const { db, opts } = await setup();
    const many = Array.from({ length: 1000 }, (_, i) => ({ ...record('CVE-2020-11022'), ids: `row-${i}` }));
    const server = await cveManagerServer(() => many);
    try {
      const r = (await syncAdvisories(db, [vtopia(server.url, { maxPages: 3 })], opts)).sources[0];
      expect(r?.error).toMatch(/max_pages=3/);
      expect(server.pages).toEqual([1, 2, 3]);
    } finally {
      db.close();
    }
  });

  it('puts a GHSA from OSV and the CVE Manager record of its CVE into one group', async () => {
    const { db, opts } = await setup();
    const server = await cveManagerServer(() => RECORDS);
    try {
      const sources: AdvisorySourceConfig[] = [{ name: 'osv', type: 'osv', path: OSV_DIR, timeoutMs: 1000, retries: 0, backoffMs: 0 }, vtopia(server.url)];
      await syncAdvisories(db, sources, opts);
      expect(getAdvisory(db, 'osv', 'GHSA-gxr4-xjj5-5px2')?.groupId).toBe('CVE-2020-11022');
      expect(getAdvisory(db, 'vtopia', 'CVE-2020-11022')?.groupId).toBe('CVE-2020-11022');
      expect(getAdvisory(db, 'osv', 'PYSEC-2017-92')?.groupId).toBe('CVE-2016-3076');
      expect(groupOf(db, 'CNNVD-202004-2420')).toBe('CVE-2020-11022');
    } finally {
      db.close();
    }
  });
});
