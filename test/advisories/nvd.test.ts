import { describe, it, expect } from 'vitest';
import { cpSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb, type Db } from '../../src/db/open.js';
import { syncAdvisories, type SyncOptions } from '../../src/advisories/sync.js';
import type { AdvisorySourceConfig, NvdSourceConfig } from '../../src/advisories/config.js';
import { getAdvisory, groupOf } from '../../src/db/advisories.js';
import { normalizeNvd } from '../../src/advisories/nvd-record.js';
import { changeWindows } from '../../src/advisories/nvd-api.js';
import { silentLogger } from '../../src/shared/log.js';
import { json, startServer } from '../helpers/http.js';
import { tmpDir } from '../helpers/tmp.js';

const RECORDS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/nvd/records');
const http = { timeoutMs: 5000, retries: 0, backoffMs: 0 };
const NOW = new Date('2026-12-06T00:00:00Z');

/** Every fixture record (the API's `cve` objects), by id. */
function records(): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const f of readdirSync(RECORDS, { recursive: true, encoding: 'utf8' }).filter((n) => n.endsWith('.json'))) {
    const r = JSON.parse(readFileSync(path.join(RECORDS, f), 'utf8')) as Record<string, unknown>;
    out.set(String(r.id), r);
  }
  return out;
}

/** A 2.0 feed document as NVD publishes it. */
function feed(items: Iterable<Record<string, unknown>>): string {
  const vulnerabilities = [...items].map((cve) => ({ cve }));
  return JSON.stringify({ resultsPerPage: vulnerabilities.length, startIndex: 0, totalResults: vulnerabilities.length, format: 'NVD_CVE', version: '2.0', timestamp: '2026-12-05T08:00:00.000', vulnerabilities });
}

async function setup(): Promise<{ db: Db; work: string; opts: SyncOptions }> {
  const work = await tmpDir();
  const db = openDb(path.join(work, 'icms.db'));
  return { db, work, opts: { logger: silentLogger, now: () => NOW, tmpDir: work, env: {} } };
}

const nvd = (extra: Partial<NvdSourceConfig>): AdvisorySourceConfig => ({ name: 'nvd', type: 'nvd', pageSize: 2000, rateWindowMs: 0, ...http, ...extra });

describe('NVD records', () => {
  it('keeps every CVSS metric with its scorer and type, the CWE ids and times in UTC', () => {
    const { advisory, rawText } = normalizeNvd(records().get('CVE-2021-3129'), 'nvd');
    expect(advisory.affected).toEqual([]);
    expect(advisory.modified).toBe(new Date(`${String(records().get('CVE-2021-3129')!.lastModified)}Z`).toISOString());
    expect(advisory.cvss.map((m) => [m.type, m.kind, m.source, m.baseScore])).toEqual([
      ['CVSS_V3', 'Primary', 'nvd@nist.gov', 9.8],
      ['CVSS_V3', 'Secondary', '134c704f-9b21-4f2e-91b3-4a467353bcc0', 9.8],
      ['CVSS_V2', 'Primary', 'nvd@nist.gov', 7.5],
    ]);
    expect(advisory.severity).toBe('CRITICAL');
    // NVD-CWE-noinfo is no CWE id
    expect(JSON.parse(rawText)).toMatchObject({ id: 'CVE-2021-3129', vulnStatus: 'Modified', cwes: [] });
    expect(JSON.parse(normalizeNvd(records().get('CVE-2019-5418'), 'nvd').rawText)).toMatchObject({ cwes: ['CWE-22'] });
  });

  it('rates by a Secondary metric when NVD has none of its own (CVE-2024-45337: the CNA and CISA-ADP only)', () => {
    const { advisory } = normalizeNvd(records().get('CVE-2024-45337'), 'nvd');
    expect(advisory.cvss.every((m) => m.kind === 'Secondary')).toBe(true);
    expect(advisory.severity).toBe('CRITICAL');
  });

  it('stores a Rejected CVE withdrawn: it rates nothing', () => {
    const r = { ...records().get('CVE-2024-45337')!, vulnStatus: 'Rejected' };
    expect(normalizeNvd(r, 'nvd').advisory.withdrawn).toBeDefined();
  });

  it('refuses a record without a CVE id or lastModified', () => {
    expect(() => normalizeNvd({ id: 'GHSA-x' }, 'nvd')).toThrow(/not a CVE id/);
    expect(() => normalizeNvd({ id: 'CVE-2024-1' }, 'nvd')).toThrow(/lastModified/);
  });

  it('changes are asked for in windows of at most 120 days', () => {
    const w = changeWindows(new Date('2026-01-01T00:00:00Z'), new Date('2026-09-01T00:00:00Z'));
    expect(w).toHaveLength(3);
    expect(w[0]!.to.getTime() - w[0]!.from.getTime()).toBe(120 * 86_400_000);
    expect(w.at(-1)!.to.toISOString()).toBe('2026-09-01T00:00:00.000Z');
  });
});

describe('sync of an NVD source', () => {
  it('reads a mirror directory, joins each CVE to its alias group, and skips unchanged files on the next sync', async () => {
    const { db, work, opts } = await setup();
    try {
      const dir = path.join(work, 'nvd');
      cpSync(RECORDS, dir, { recursive: true });
      const osv = path.join(work, 'osv');
      mkdirSync(osv);
      cpSync(path.resolve(RECORDS, '../../osv/RubyGems/GHSA-cr3x-7m39-c6jq.json'), path.join(osv, 'GHSA-cr3x-7m39-c6jq.json'));
      const cfg = [{ name: 'osv', type: 'osv' as const, path: osv, ...http }, nvd({ path: dir })];
      const first = await syncAdvisories(db, cfg, opts);
      expect(first.sources[1]).toMatchObject({ source: 'nvd', kind: 'nvd', added: records().size, skipped: 0, perEcosystem: {} });
      expect(groupOf(db, 'GHSA-cr3x-7m39-c6jq')).toBe('CVE-2020-8163');
      expect(getAdvisory(db, 'nvd', 'CVE-2020-8163')?.groupId).toBe('CVE-2020-8163');
      const again = await syncAdvisories(db, cfg, opts);
      expect(again.sources[1]).toMatchObject({ added: 0, updated: 0, unchanged: records().size, removed: 0 });
      // a record rejected upstream: rewritten, and withdrawn
      const file = path.join(dir, 'CVE-2024/CVE-2024-453xx/CVE-2024-45337.json');
      const rec = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...rec, vulnStatus: 'Rejected', lastModified: '2026-12-01T00:00:00.000' }));
      const third = await syncAdvisories(db, cfg, opts);
      expect(third.sources[1]).toMatchObject({ updated: 1, unchanged: records().size - 1, withdrawn: 1 });
    } finally {
      db.close();
    }
  });

  it('streams gzipped 2.0 feed files named by a glob, and replays an unchanged feed without reading it', async () => {
    const { db, work, opts } = await setup();
    try {
      const all = [...records().values()];
      writeFileSync(path.join(work, 'nvdcve-2.0-2021.json.gz'), gzipSync(feed(all.slice(0, 4))));
      writeFileSync(path.join(work, 'nvdcve-2.0-2024.json.gz'), gzipSync(feed(all.slice(4))));
      writeFileSync(path.join(work, 'other.json.gz'), gzipSync('not json'));
      const cfg = [nvd({ path: path.join(work, 'nvdcve-2.0-*.json.gz') })];
      expect((await syncAdvisories(db, cfg, opts)).sources[0]).toMatchObject({ added: all.length, skipped: 0 });
      expect(getAdvisory(db, 'nvd', 'CVE-2019-5418')?.severity).toBe('HIGH');
      expect((await syncAdvisories(db, cfg, opts)).sources[0]).toMatchObject({ added: 0, updated: 0, unchanged: all.length, removed: 0 });
      // a truncated feed fails the source and keeps what it had
      writeFileSync(path.join(work, 'nvdcve-2.0-2024.json.gz'), gzipSync(feed(all.slice(4)).slice(0, 500)));
      const broken = (await syncAdvisories(db, cfg, opts)).sources[0]!;
      expect(broken.error).toMatch(/nvdcve-2\.0-2024\.json\.gz: the JSON document ends early/);
      expect(db.prepare("SELECT COUNT(*) FROM advisories WHERE source = 'nvd'").pluck().get()).toBe(all.length);
    } finally {
      db.close();
    }
  });

  it('downloads a feed URL, and a 304 on the next sync reads nothing', async () => {
    const { db, opts } = await setup();
    try {
      const body = gzipSync(feed(records().values()));
      const server = await startServer((req, res) => {
        if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end();
        res.writeHead(200, { etag: '"v1"', 'content-type': 'application/gzip', 'content-length': body.length }).end(body);
      });
      const cfg = [nvd({ url: `${server.url}/feeds/json/cve/2.0/nvdcve-2.0-recent.json.gz` })];
      expect((await syncAdvisories(db, cfg, opts)).sources[0]).toMatchObject({ added: records().size });
      expect((await syncAdvisories(db, cfg, opts)).sources[0]).toMatchObject({ notModified: true, unchanged: records().size });
    } finally {
      db.close();
    }
  });
});

/** A CVE API 2.0 server over `all`, as NVD answers: pages, lastMod windows of at most 120 days, the apiKey header checked. */
async function nvdApi(all: Record<string, unknown>[], key?: string) {
  const times: number[] = [];
  const server = await startServer((req, res) => {
    times.push(Date.now());
    const q = new URL(req.url, 'http://x').searchParams;
    if (key !== undefined && req.headers.apikey !== key) return void res.writeHead(404, { message: 'Invalid apiKey' }).end();
    const start = Number(q.get('startIndex') ?? 0);
    const per = Math.min(Number(q.get('resultsPerPage') ?? 2000), 2000);
    let list = all;
    const from = q.get('lastModStartDate');
    const to = q.get('lastModEndDate');
    if (from !== null || to !== null) {
      if (from === null || to === null || Date.parse(to) - Date.parse(from) > 120 * 86_400_000) return void res.writeHead(404, { message: 'Invalid date range' }).end();
      list = all.filter((r) => {
        const t = Date.parse(`${String(r.lastModified)}Z`);
        return t >= Date.parse(from) && t <= Date.parse(to);
      });
    }
    json(res, 200, { resultsPerPage: Math.min(per, Math.max(0, list.length - start)), startIndex: start, totalResults: list.length, format: 'NVD_CVE', version: '2.0', timestamp: '2026-12-06T00:00:00.000', vulnerabilities: list.slice(start, start + per).map((cve) => ({ cve })) });
  });
  return { ...server, requests: server.requests, times };
}

describe('the NVD CVE API', () => {
  it('pages through every record with the API key, then asks only for changes since the newest lastModified', async () => {
    const { db, opts } = await setup();
    try {
      const all = [...records().values()];
      const server = await nvdApi(all, 'secret-key-123');
      const cfg = [nvd({ url: `${server.url}/rest/json/cves/2.0`, pageSize: 3, apiKeyEnv: 'NVD_API_KEY' })];
      const env = { NVD_API_KEY: 'secret-key-123' };
      const first = (await syncAdvisories(db, cfg, { ...opts, env })).sources[0]!;
      expect(first).toMatchObject({ added: all.length });
      expect(server.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('startIndex'))).toEqual(['0', '3', '6']);
      expect(server.requests.every((r) => r.headers.apikey === 'secret-key-123')).toBe(true);
      // second sync: incremental, in 120-day windows from the newest lastModified to now; nothing stored is deleted
      server.requests.length = 0;
      const second = (await syncAdvisories(db, cfg, { ...opts, env })).sources[0]!;
      expect(second).toMatchObject({ added: 0, removed: 0 });
      const windows = server.requests.map((r) => new URL(r.url, 'http://x').searchParams);
      expect(windows.length).toBeGreaterThan(0);
      expect(windows.every((q) => q.get('lastModStartDate') !== null && q.get('lastModEndDate') !== null)).toBe(true);
      expect(db.prepare("SELECT COUNT(*) FROM advisories WHERE source = 'nvd'").pluck().get()).toBe(all.length);
    } finally {
      db.close();
    }
  });

  it('fails the source with a clear message when the key variable is unset, and never logs the key', async () => {
    const { db, opts } = await setup();
    try {
      const server = await nvdApi([...records().values()], 'k');
      const cfg = [nvd({ url: `${server.url}/rest/json/cves/2.0`, apiKeyEnv: 'NVD_API_KEY' })];
      expect((await syncAdvisories(db, cfg, opts)).sources[0]?.error).toMatch(/NVD_API_KEY \(api_key_env\) is not set/);
      const wrong = (await syncAdvisories(db, cfg, { ...opts, env: { NVD_API_KEY: 'wrong-key-456' } })).sources[0]!;
      expect(wrong.error).toMatch(/HTTP 404/);
      expect(wrong.error).not.toContain('wrong-key-456');
    } finally {
      db.close();
    }
  });

  it('keeps to the rate limit: the request past the limit waits for the window', async () => {
    const { db, opts } = await setup();
    try {
      const server = await nvdApi([...records().values()]);
      const cfg = [nvd({ url: `${server.url}/rest/json/cves/2.0`, pageSize: 3, rateLimit: 2, rateWindowMs: 1000 })];
      expect((await syncAdvisories(db, cfg, opts)).sources[0]?.error).toBeUndefined();
      const at = server.times;
      expect(at).toHaveLength(3);
      // the third page may only be asked for once the first left the 1 s window (arrival times at the server: the
      // first request may have taken up to 200 ms longer on the way than the third)
      expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(800);
    } finally {
      db.close();
    }
  });
});
