/**
 * fetch-projects against both generations of the ops platform, answering as ../shared/reference/ops-api.md
 * describes: until Sept. 2023 `{"err_code": 0, "description", "data"}`, rest_framework_jwt (expired token -> 403),
 * refresh by form field `token` -> `{"token"}`; since then `{"code": 0, "description", "data"}` (assemble_api_result),
 * simplejwt (expired access token -> 401), refresh = Bearer access + `{"refresh"}` -> `{"code": 0, "data": {"access"}}`.
 * A row without a branch becomes the project on the repository's default branch, read from a real git remote.
 */
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { readFile, rename, writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { startServer, json, type Handler } from '../helpers/http.js';
import { makeGitRepo } from '../helpers/git.js';
import { startGitHttpServer } from '../helpers/git-http-server.js';
import { tmpDir } from '../helpers/tmp.js';

const ACCESS = 'canary-access-token-51d0e7';
const REFRESH = 'canary-refresh-token-9a4c2f';
const FRESH = 'canary-fresh-access-3e77b1';

const ROWS = [
  { repository: 'https://gitee.com/openeuler/infra.git', branch: 'master', developer: 'Carol', email: 'carol@example.com' },
  { repository: 'https://github.com/opensourceways/app-cla-server', branch: 'main', developer: 'Bob', email: 'bob@example.com' },
];

/** A loopback ops platform and a config; `ops(url)` adds lines under inventory.ops (url = the server's base URL). */
async function setup(handler: Handler, ops: (url: string) => string = () => '', env: Record<string, string> = {}) {
  const server = await startServer(handler);
  const dir = await tmpDir();
  await writeFile(
    path.join(dir, 'icms.yaml'),
    `inventory:
  source: ops
  ops:
    url: ${server.url}/api/projects
    token_file: ${dir}/secrets/ops-token
    timeout_ms: 2000
    retries: 0
${ops(server.url)}`,
  );
  const run = (...args: string[]) => runCli(['fetch-projects', ...args], { cwd: dir, env: { ICMS_OPS_TOKEN: ACCESS, ...env } });
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

const STORED = "SELECT url, branch, name FROM projects WHERE status = 'active' ORDER BY url";
const EXPECTED = [
  { url: 'https://gitee.com/openeuler/infra', branch: 'master', name: 'gitee.com/openeuler/infra@master' },
  { url: 'https://github.com/opensourceways/app-cla-server', branch: 'main', name: 'github.com/opensourceways/app-cla-server@main' },
];

describe('fetch-projects: the ops platform before September 2023 (err_code, rest_framework_jwt)', () => {
  it('an expired token answered 403 is refreshed with the form field token, then the list is read', async () => {
    const t = await setup(
      (req, res) => {
        if (req.url === '/api/refresh') {
          expect(req.method).toBe('POST');
          expect(req.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
          expect(new URLSearchParams(req.body).get('token')).toBe(ACCESS);
          return json(res, 200, { token: FRESH });
        }
        if (req.headers.authorization !== `Bearer ${FRESH}`) return json(res, 403, { detail: 'Signature has expired.' });
        json(res, 200, { err_code: 0, description: 'success', data: ROWS });
      },
      (url) => `    refresh_url: ${url}/api/refresh\n`,
    );
    const r = await t.run();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/token rejected \(403: expired or invalid\), refreshing it once \(form style\)/);
    expect(t.server.requests.map((q) => q.url)).toEqual(['/api/projects', '/api/refresh', '/api/projects']);
    expect(t.rows(STORED)).toEqual(EXPECTED);
    expect((await readFile(path.join(t.dir, 'secrets/ops-token'), 'utf8')).trim()).toBe(FRESH);
    expect(r.stderr + r.stdout).not.toContain(FRESH);
  });
});

describe('fetch-projects: the ops platform since September 2023 (code, simplejwt)', () => {
  const newPlatform = (): Handler => (req, res) => {
    if (req.url === '/users/refresh_token/') {
      expect(req.method).toBe('POST');
      expect(req.headers.authorization).toBe(`Bearer ${ACCESS}`);
      expect(JSON.parse(req.body)).toEqual({ refresh: REFRESH });
      return json(res, 200, { code: 0, description: 'success', data: { access: FRESH } });
    }
    if (req.headers.authorization !== `Bearer ${FRESH}`) {
      return json(res, 401, { detail: 'Given token not valid for any token type', code: 'token_not_valid', messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is invalid or expired' }] });
    }
    json(res, 200, { code: 0, description: 'success', data: ROWS });
  };

  it('an expired access token answered 401 is refreshed Bearer + {"refresh"} (auto: a refresh token is set), then read', async () => {
    const t = await setup(newPlatform(), (url) => `    refresh_url: ${url}/users/refresh_token/\n`, { ICMS_OPS_REFRESH_TOKEN: REFRESH });
    const r = await t.run();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/token rejected \(401: expired or invalid\), refreshing it once \(bearer style\)/);
    expect(t.server.requests.map((q) => q.url)).toEqual(['/api/projects', '/users/refresh_token/', '/api/projects']);
    expect(t.rows(STORED)).toEqual(EXPECTED);
    expect((await readFile(path.join(t.dir, 'secrets/ops-token'), 'utf8')).trim()).toBe(FRESH);
    for (const secret of [REFRESH, FRESH, ACCESS]) expect(r.stderr + r.stdout).not.toContain(secret);
  });

  it('refresh_style: bearer without a refresh token is a usage error that says where to put one', async () => {
    const t = await setup(newPlatform(), (url) => `    refresh_style: bearer\n    refresh_url: ${url}/users/refresh_token/\n`);
    const r = await t.run();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refresh_style is bearer but no refresh token is configured/);
    expect(r.stderr).toMatch(/refresh_token_file/);
  });

  it.each([
    ['code 0', { code: 0, description: 'success', data: ROWS }],
    ['err_code 0', { err_code: 0, description: 'success', data: ROWS }],
    ['neither key, data a list', { description: 'success', data: ROWS }],
  ])('accepts the envelope with %s', async (_name, body) => {
    const t = await setup((_q, res) => json(res, 200, body));
    const r = await t.run();
    expect(r.code, r.stderr).toBe(0);
    expect(t.rows(STORED)).toEqual(EXPECTED);
  });

  it('a non-zero code is an error naming it (exit 4), the previous inventory kept', async () => {
    let body: object = { code: 0, description: 'success', data: ROWS };
    const t = await setup((_q, res) => json(res, 200, body));
    expect((await t.run()).code).toBe(0);
    body = { code: 500, description: 'database unavailable', data: null };
    const r = await t.run();
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/answered code 500: database unavailable/);
    expect(t.rows(STORED)).toEqual(EXPECTED);
  });
});

describe('fetch-projects: a row without a branch', () => {
  it("becomes the project on the repository's default branch (git ls-remote --symref), recorded for when the remote is unreachable", async () => {
    const remote = await makeGitRepo({ 'package.json': '{"name":"app"}' }, 'trunk', 'app');
    const gitServer = await startGitHttpServer(path.dirname(remote.bareDir));
    const repoUrl = `${gitServer.baseUrl}/app.git`;
    const t = await setup((_q, res) => json(res, 200, { code: 0, description: 'success', data: [...ROWS, { repository: repoUrl, branch: '', developer: 'Dan', email: 'dan@example.com' }] }));
    const first = await t.run();
    expect(first.code, first.stderr).toBe(0);
    expect(t.rows("SELECT branch, name, labels FROM projects WHERE url LIKE '%/app'")).toEqual([{ branch: 'trunk', name: expect.stringMatching(/\/app@trunk$/), labels: '{"branch_source":"remote HEAD"}' }]);
    const project = (t.rows("SELECT name FROM projects WHERE url LIKE '%/app'")[0] as { name: string }).name;
    expect(gitServer.requests.some((q) => q.url.startsWith('/app/info/refs?service=git-upload-pack'))).toBe(true);

    // the remote is gone for now: the recorded default branch keeps the project as it was (a warning, exit 3)
    await rename(remote.bareDir, `${remote.bareDir}.moved`);
    const second = await t.run('--format', 'json');
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/names no branch and the remote could not be asked .*keeping the recorded default branch trunk/);
    expect(JSON.parse(second.stdout).counts).toMatchObject({ added: 0, removed: 0, total: 3 });
    expect(t.rows("SELECT name, status FROM projects WHERE url LIKE '%/app'")).toEqual([{ name: project, status: 'active' }]);
  });

  it('is skipped with a warning when the default branch cannot be read and none was recorded', async () => {
    const t = await setup((_q, res) => json(res, 200, { code: 0, description: 'success', data: [...ROWS, { repository: 'https://127.0.0.1:9/none/app', branch: '', developer: 'Dan', email: 'dan@example.com' }] }));
    const r = await t.run();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/127\.0\.0\.1:9\/none\/app: the row names no branch and the default branch could not be read .*; skipped/);
    expect(t.rows(STORED)).toEqual(EXPECTED);
  });
});
