/**
 * What the ops platform API may point icms at: `file://` URLs (with `..` too) name repositories on the local file
 * system, which a remote inventory must not reach unless `inventory.allow.local` says so; each such row is refused
 * and reported, the other rows stored. A URL carrying credentials is kept without them, with the warning the YAML
 * inventory gives. A loopback server answers as the ops platform does (shared/reference/ops-platform).
 */
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { json, startServer } from '../helpers/http.js';
import { makeGitRepo } from '../helpers/git.js';
import { tmpDir } from '../helpers/tmp.js';

const TOKEN = 'canary-ops-token-2c9d';

async function setup(data: unknown[], extra = '') {
  const server = await startServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, { err_code: 401 });
    json(res, 200, { err_code: 0, description: 'ok', data });
  });
  const dir = await tmpDir();
  await writeFile(path.join(dir, 'icms.yaml'), `inventory:\n  source: ops\n  ops:\n    url: ${server.url}/api/projects\n    timeout_ms: 1000\n    retries: 0\n${extra}`);
  const run = () => runCli(['fetch-projects', '--format', 'json'], { cwd: dir, env: { ICMS_OPS_TOKEN: TOKEN } });
  const urls = () => {
    const db = new Database(path.join(dir, 'icms.db'), { readonly: true });
    try {
      return db.prepare("SELECT url FROM projects WHERE status = 'active' ORDER BY url").pluck().all() as string[];
    } finally {
      db.close();
    }
  };
  return { run, urls };
}

const row = (repository: string) => ({ repository, branch: 'main', developer: 'Alice', email: 'alice@example.com' });

describe('ops inventory URLs', () => {
  it('refuses file:// repositories from the API by default, stores the others', async () => {
    const local = await makeGitRepo({ 'package.json': '{}' }, 'main', 'secret-local');
    const t = await setup([row('https://github.com/opensourceways/app-cla-server'), row(local.url), row(`file://${path.dirname(local.bareDir)}/../${path.basename(path.dirname(local.bareDir))}/secret-local.git`), row('file:///etc/passwd')]);
    const r = await t.run();
    expect(r.code, r.stderr).toBe(3);
    expect(t.urls()).toEqual(['https://github.com/opensourceways/app-cla-server']);
    expect(JSON.parse(r.stdout).counts).toMatchObject({ added: 1, invalid: 3 });
    expect(r.stderr).toMatch(/ops inventory: file:\/\/.*secret-local is a local repository: refused from the ops API \(set inventory\.allow\.local to allow\)/);
  });

  it('stores them when inventory.allow.local is set', async () => {
    const local = await makeGitRepo({ 'package.json': '{}' }, 'main', 'mirror');
    const t = await setup([row('https://github.com/opensourceways/app-cla-server'), row(local.url)], '  allow:\n    local: true\n');
    const r = await t.run();
    expect(r.code, r.stderr).toBe(0);
    expect(t.urls()).toEqual([`file://${local.bareDir.replace(/\.git$/, '')}`, 'https://github.com/opensourceways/app-cla-server']);
  });

  it('a URL with credentials: stored without them, with the warning the YAML source gives; the secret never printed', async () => {
    const t = await setup([row('https://deploy:ghp_canary5e1f@github.com/opensourceways/app-cla-server.git'), row('https://gitee.com/openeuler/infra')]);
    const r = await t.run();
    expect(r.code, r.stderr).toBe(3);
    expect(t.urls()).toEqual(['https://gitee.com/openeuler/infra', 'https://github.com/opensourceways/app-cla-server']);
    expect(r.stderr).toMatch(/data\[0\]: https:\/\/github\.com\/opensourceways\/app-cla-server: credentials in the URL were dropped; configure git\.auth instead/);
    expect(`${r.stdout}${r.stderr}`).not.toContain('ghp_canary5e1f');
  });
});
