import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { readFile, stat, writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { startServer, json, type Handler } from '../helpers/http.js';
import { tmpDir } from '../helpers/tmp.js';

const TOKEN = 'canary-ops-token-7f3a9c';
const FRESH = 'canary-fresh-token-b81e22';

const row = (repository: string, developer: string, email: string, branch = 'master') => ({ repository, branch, developer, email });
const PORTFOLIO = [
  row('https://github.com/opensourceways/app-cla-server.git', 'Alice', 'alice@example.com'),
  row('https://github.com/opensourceways/app-cla-server', 'Bob', 'bob@example.com'),
  row('https://gitee.com/openeuler/infra', 'Carol', 'carol@example.com', 'main'),
  row('https://github.com/someone-else/tool', 'Dan', 'dan@example.com'),
];

async function setup(handler: Handler, extra = '') {
  const server = await startServer(handler);
  const dir = await tmpDir();
  await writeFile(
    path.join(dir, 'icms.yaml'),
    `inventory:
  source: ops
  ops:
    url: ${server.url}/api/projects
    refresh_url: ${server.url}/api/refresh
    token_file: ${dir}/secrets/ops-token
    timeout_ms: 1000
    retries: 1
  allow:
    domains: [github.com, gitee.com]
    organizations: [opensourceways, openeuler]
${extra}`,
  );
  const run = (...args: string[]) => runCli(['fetch-projects', ...args], { cwd: dir, env: { ICMS_OPS_TOKEN: TOKEN } });
  const rows = (sql: string) => {
    const db = new Database(path.join(dir, 'icms.db'), { readonly: true });
    try {
      return db.prepare(sql).all();
    } finally {
      db.close();
    }
  };
  return { server, dir, run, rows };
}

const ok = (data: unknown[]): Handler => (req, res) => {
  if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, { err_code: 401 });
  json(res, 200, { err_code: 0, description: 'ok', data });
};

async function bytesOf(dir: string, file: string): Promise<string> {
  const p = path.join(dir, file);
  return (await readFile(p).catch(() => Buffer.alloc(0))).toString('latin1');
}

describe('icms fetch-projects (ops API on loopback)', () => {
  it('stores the allowed projects, merges duplicates, counts the skipped, sends the Bearer token', async () => {
    const t = await setup(ok(PORTFOLIO));
    const r = await t.run('--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.counts).toMatchObject({ added: 2, removed: 0, skipped: 1, total: 2 });
    expect(out.skipped[0].reason).toMatch(/organisation someone-else/);
    expect(t.server.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(t.rows('SELECT url, branch, status FROM projects ORDER BY url')).toEqual([
      { url: 'https://gitee.com/openeuler/infra', branch: 'main', status: 'active' },
      { url: 'https://github.com/opensourceways/app-cla-server', branch: 'master', status: 'active' },
    ]);
    expect(t.rows("SELECT m.email FROM maintainers m JOIN project_maintainers pm ON pm.maintainer_id = m.id JOIN projects p ON p.id = pm.project_id WHERE p.url LIKE '%app-cla-server' ORDER BY m.email")).toEqual([{ email: 'alice@example.com' }, { email: 'bob@example.com' }]);
  });

  it('marks vanished projects removed (kept for history) and re-adds them when they return', async () => {
    let data = PORTFOLIO;
    const t = await setup((req, res) => ok(data)(req, res));
    expect((await t.run()).code).toBe(0);
    data = PORTFOLIO.slice(0, 2);
    const r = await t.run('--format', 'json');
    expect(JSON.parse(r.stdout).counts).toMatchObject({ removed: 1, total: 1 });
    expect(t.rows("SELECT url, status, removed_at IS NOT NULL AS gone FROM projects WHERE url LIKE '%gitee%'")).toEqual([{ url: 'https://gitee.com/openeuler/infra', status: 'removed', gone: 1 }]);
    data = PORTFOLIO;
    expect(JSON.parse((await t.run('--format', 'json')).stdout).counts).toMatchObject({ added: 1, removed: 0 });
  });

  it('on a 401 refreshes the token once, retries, and keeps the new token only in a 0600 file', async () => {
    const t = await setup((req, res) => {
      if (req.url === '/api/refresh') {
        expect(new URLSearchParams(req.body).get('token')).toBe(TOKEN);
        return json(res, 200, { token: FRESH });
      }
      if (req.headers.authorization !== `Bearer ${FRESH}`) return json(res, 401, { err_code: 401, description: 'expired' });
      json(res, 200, { err_code: 0, data: PORTFOLIO.slice(0, 1) });
    });
    const r = await t.run();
    expect(r.code, r.stderr).toBe(0);
    expect(t.server.requests.map((q) => q.url)).toEqual(['/api/projects', '/api/refresh', '/api/projects']);
    const tokenFile = path.join(t.dir, 'secrets/ops-token');
    expect((await readFile(tokenFile, 'utf8')).trim()).toBe(FRESH);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    for (const f of ['icms.db', 'icms.db-wal']) {
      const bytes = await bytesOf(t.dir, f);
      expect(bytes).not.toContain(TOKEN);
      expect(bytes).not.toContain(FRESH);
    }
    expect(r.stderr + r.stdout).not.toContain(TOKEN);
    expect(r.stderr + r.stdout).not.toContain(FRESH);
    // the next run reads the refreshed token from the file
    const again = await t.run();
    expect(again.code).toBe(0);
    expect(t.server.requests.at(-1)!.headers.authorization).toBe(`Bearer ${FRESH}`);
  });

  it('retries a 500 and then succeeds', async () => {
    let calls = 0;
    const t = await setup((req, res) => (++calls === 1 ? json(res, 500, {}) : ok(PORTFOLIO)(req, res)));
    const r = await t.run();
    expect(r.code, r.stderr).toBe(0);
    expect(calls).toBe(2);
  });

  it.each<[string, Handler, RegExp]>([
    ['a persistent 500', (_q, res) => json(res, 503, {}), /ops inventory: GET \S+ failed after 2 attempts: HTTP 503/],
    ['a timeout', () => undefined, /timed out after 1000 ms/],
    ['a garbage body', (_q, res) => res.end('<html>gateway</html>'), /did not return JSON/],
    ['err_code 1', (_q, res) => json(res, 200, { err_code: 1, description: 'db down', data: [] }), /answered err_code 1: db down/],
    ['a 403', (_q, res) => json(res, 403, {}), /answered HTTP 403/],
  ])('on %s exits 4, says why, and keeps the previous inventory', async (_name, failure, message) => {
    let fail = false;
    const t = await setup((req, res) => (fail ? failure(req, res) : ok(PORTFOLIO)(req, res)));
    expect((await t.run()).code).toBe(0);
    const before = t.rows('SELECT * FROM projects ORDER BY id');
    fail = true;
    const r = await t.run();
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain(TOKEN);
    expect(t.rows('SELECT * FROM projects ORDER BY id')).toEqual(before);
    expect(t.rows("SELECT status FROM inventory_fetches ORDER BY id")).toEqual([{ status: 'ok' }, { status: 'failed' }]);
  });

  it('refuses an empty list when projects are stored, unless --allow-empty', async () => {
    let data: unknown[] = PORTFOLIO;
    const t = await setup((req, res) => ok(data)(req, res));
    expect((await t.run()).code).toBe(0);
    data = [];
    const r = await t.run();
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/inventory is empty but 2 projects are stored/);
    expect(t.rows("SELECT COUNT(*) AS n FROM projects WHERE status = 'active'")).toEqual([{ n: 2 }]);
    expect((await t.run('--allow-empty')).code).toBe(0);
    expect(t.rows("SELECT COUNT(*) AS n FROM projects WHERE status = 'active'")).toEqual([{ n: 0 }]);
  });

  it('reports unusable rows (exit 3) and stores the rest', async () => {
    const t = await setup(ok([...PORTFOLIO, row('not a url', 'X', 'x@example.com')]));
    const r = await t.run();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/data\[4\]: repository "not a url" is not a repository URL/);
    expect(t.rows("SELECT COUNT(*) AS n FROM projects")).toEqual([{ n: 2 }]);
  });

  it('without a token says how to provide one (exit 2)', async () => {
    const t = await setup(ok(PORTFOLIO));
    const r = await runCli(['fetch-projects'], { cwd: t.dir, env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no ops API token/);
    expect(r.stderr).toMatch(/export ICMS_OPS_TOKEN/);
  });
});

describe('icms fetch-projects (YAML file)', () => {
  it('reads the file named by --file and prints a summary table', async () => {
    const dir = await tmpDir();
    await writeFile(path.join(dir, 'inv.yaml'), 'projects:\n  - url: https://github.com/o/r.git\n    maintainers: [{name: A, email: a@example.com}]\n');
    const r = await runCli(['fetch-projects', '--source', 'file', '--file', 'inv.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/added.*removed.*changed/s);
    expect(r.stdout).toMatch(/│ 1 +│ 0/);
  });

  it('an invalid file is exit 2 with file:line and nothing stored', async () => {
    const dir = await tmpDir();
    await writeFile(path.join(dir, 'inv.yaml'), 'projects:\n  - url: https://github.com/o/r\n    maintainers: []\n');
    const r = await runCli(['fetch-projects', '--file', 'inv.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/inv\.yaml:3: projects\[0\]\.maintainers must list at least one/);
  });
});
