/**
 * The ops inventory API and a CVE Manager (vtopia) source misbehaving: 5xx, connection resets, a slow-loris
 * answer trickling bytes past the timeout, an HTML page instead of JSON, a 50 MB body. Each: a clear message,
 * the right exit code, bounded time, the previous data kept, and (sync-vulns) the other source still synced.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/demo.js';
import { startServer, json } from '../helpers/http.js';
import { cveManagerPage } from '../helpers/cve-manager.js';
import { tmpDir } from '../helpers/tmp.js';

const GOOD_INVENTORY = { err_code: 0, description: 'ok', data: [{ repository: 'https://github.com/org/app', branch: 'main', developer: 'A', email: 'a@example.com' }] };
/** One real-shaped CVE Manager row (fixtures/vtopia), served as the service pages it: total 1, then an empty page. */
const VTOPIA_ROWS = (JSON.parse(readFileSync(path.join(FIXTURES, 'vtopia/records.json'), 'utf8')) as unknown[]).slice(0, 1);

type Fault = 'ok' | '5xx' | 'reset' | 'slow' | 'html' | 'huge';
const FAULTS: [Exclude<Fault, 'ok'>, RegExp][] = [
  ['5xx', /HTTP 503/],
  ['reset', /failed after 2 attempt|socket|ECONNRESET|other side closed|fetch failed/i],
  ['slow', /timed out after 1000 ms|no data for 1000 ms|aborted/i],
  ['html', /not JSON|did not return JSON/],
  ['huge', /larger than the \d+-byte limit|exceeds the \d+-byte limit/],
];

/** One server whose behaviour is switched per test; `good` is what a healthy endpoint answers. */
async function faultyServer(good: (url: string) => unknown) {
  const state = { fault: 'ok' as Fault };
  const server = await startServer(async (req, res) => {
    switch (state.fault) {
      case 'ok':
        return json(res, 200, good(req.url));
      case '5xx':
        return json(res, 503, { error: 'maintenance' });
      case 'reset':
        res.socket?.destroy();
        return;
      case 'slow':
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < 100 && !res.destroyed; i++) {
          res.write(' ');
          await new Promise((r) => setTimeout(r, 100));
        }
        res.end('{}');
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>Please log in</body></html>');
        return;
      case 'huge':
        return streamHuge(res);
    }
  });
  return { ...server, state };
}

/** 50 MB of a JSON-looking body, chunked (no Content-Length to refuse it up front). */
async function streamHuge(res: http.ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"err_code": 0, "data": [');
  const chunk = Buffer.from(`${'{"repository": "https://github.com/org/x", "email": "x@example.com"},'.repeat(1000)}`);
  for (let sent = 0; sent < 50 * 1024 * 1024 && !res.destroyed; sent += chunk.length) {
    if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
  }
  res.end('{}]}');
}

const count = (db: string, sql: string) => {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).pluck().get() as number;
  } finally {
    d.close();
  }
};

describe('ops inventory API faults (fetch-projects): exit 4, previous inventory kept', () => {
  it.each(FAULTS)('%s', async (fault, message) => {
    const srv = await faultyServer(() => GOOD_INVENTORY);
    const dir = await tmpDir('icms-opsfault-');
    await writeFile(path.join(dir, 'icms.yaml'), `inventory:\n  source: ops\n  ops:\n    url: ${srv.url}/api/projects\n    timeout_ms: 1000\n    retries: 1\n`);
    const run = () => runCli(['fetch-projects'], { cwd: dir, env: { ICMS_OPS_TOKEN: 'ops-token-1234' } });
    expect((await run()).code).toBe(0);
    srv.state.fault = fault;
    const r = await run();
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/icms: error: ops inventory: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('ops-token-1234');
    expect(count(path.join(dir, 'icms.db'), "SELECT COUNT(*) FROM projects WHERE status = 'active'")).toBe(1);
  }, 30_000);
});

describe('CVE Manager source faults (sync-vulns): the OSV source is still synced, exit 3, the old records kept', () => {
  it.each(FAULTS)('%s', async (fault, message) => {
    const srv = await faultyServer((url) => cveManagerPage(VTOPIA_ROWS, Number(new URL(url, 'http://x').searchParams.get('page_num')), 100));
    const dir = await tmpDir('icms-vtfault-');
    const osv = `    - {name: osv, type: osv, path: ${path.join(FIXTURES, 'osv/crates.io')}}\n`;
    const vtopia = `    - {name: cve-manager, type: vtopia, url: "${srv.url}/cves", timeout_ms: 1000, retries: 1, backoff_ms: 10}\n`;
    const config = (withOsv: boolean) => writeFile(path.join(dir, 'icms.yaml'), `advisories:\n  sources:\n${withOsv ? osv : ''}${vtopia}`);
    await config(false);
    expect((await runCli(['sync-vulns'], { cwd: dir })).code).toBe(0);
    await config(true);
    srv.state.fault = fault;
    const r = await runCli(['sync-vulns', '--format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/source cve-manager: /);
    expect(r.stderr).toMatch(message);
    const db = path.join(dir, 'icms.db');
    expect(count(db, "SELECT COUNT(*) FROM advisories WHERE source = 'cve-manager'")).toBe(1);
    expect(count(db, "SELECT COUNT(*) FROM advisories WHERE source = 'osv'")).toBeGreaterThan(0);
  }, 30_000);
});

describe('an OSV zip download that trickles bytes (slow-loris)', () => {
  it('is cut off when it does not advance within timeout_ms; the other source is still synced (exit 3)', async () => {
    const server = await startServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/zip' });
      for (let i = 0; i < 600 && !res.destroyed; i++) {
        res.write('P'); // one byte every 50 ms: the connection never idles, the download never ends
        await new Promise((r) => setTimeout(r, 50));
      }
      res.end();
    });
    const dir = await tmpDir('icms-zipslow-');
    await writeFile(
      path.join(dir, 'icms.yaml'),
      `advisories:\n  sources:\n    - {name: osv, type: osv, path: ${path.join(FIXTURES, 'osv/crates.io')}}\n    - {name: osv-zip, type: osv, url: "${server.url}/all.zip", timeout_ms: 1000, retries: 0}\n`,
    );
    const r = await runCli(['sync-vulns'], { cwd: dir });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/source osv-zip: .*no data for 1000 ms/);
    expect(count(path.join(dir, 'icms.db'), "SELECT COUNT(*) FROM advisories WHERE source = 'osv'")).toBeGreaterThan(0);
  }, 30_000);
});
