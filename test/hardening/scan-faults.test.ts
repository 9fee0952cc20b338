/**
 * External parts failing during `icms scan --all`: git (auth refused, unreachable host, a server that never
 * answers) and trivy (crash, non-zero exit, garbage report, hanging past trivy.timeout_ms). Each failing
 * project is named with a clear reason, exit 3, and the healthy project is still scanned and stored.
 * trivy is a fake script here (the real one is exercised elsewhere): it acts by the checkout's name.
 */
import { chmod, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeGitRepo } from '../helpers/git.js';
import { startGitHttpServer, startHangingServer } from '../helpers/git-http-server.js';
import { tmpDir } from '../helpers/tmp.js';

/** A report trivy 0.44 would write for a one-package npm project. */
const REPORT = JSON.stringify({
  SchemaVersion: 2,
  ArtifactName: '.',
  ArtifactType: 'filesystem',
  Results: [{ Target: 'package-lock.json', Class: 'lang-pkgs', Type: 'npm', Packages: [{ ID: 'axios@0.19.0', Name: 'axios', Version: '0.19.0' }] }],
});

async function fakeTrivy(dir: string): Promise<string> {
  const file = path.join(dir, 'fake-trivy');
  await writeFile(
    file,
    `#!/bin/sh
[ "$1" = "--version" ] && { echo "Version: 0.44.1"; exit 0; }
out=""; prev=""; target=""
for a in "$@"; do [ "$prev" = "--output" ] && out="$a"; [ "$prev" = "fs" ] && target="$a"; prev="$a"; done
[ -f "${dir}/all-healthy" ] && target=healthy
case "$target" in
  *crash*) kill -SEGV $$ ;;
  *fails*) echo "FATAL filesystem scan error: unable to initialize a scanner" >&2; exit 2 ;;
  *garbage*) printf '{"SchemaVersion": 2, "Results": [{"Packages": ' > "$out"; exit 0 ;;
  *hangs*) exec sleep 30 ;;
esac
printf '%s' '${REPORT}' > "$out"
`,
  );
  await chmod(file, 0o755);
  return file;
}

async function portfolio(urls: string[], extra = '') {
  const dir = await tmpDir('icms-scanfault-');
  await writeFile(path.join(dir, 'inventory.yaml'), `projects:\n${urls.map((u) => `  - url: ${u}\n    maintainers: [{name: M, email: m@example.com}]\n`).join('')}`);
  await writeFile(path.join(dir, 'icms.yaml'), `inventory: {file: inventory.yaml}\ntrivy:\n  path: ${await fakeTrivy(dir)}\n  timeout_ms: 1500\ngit:\n  timeout_ms: 2000\n${extra}`);
  const cli = (...args: string[]) => runCli(args, { cwd: dir, env: { PRIVATE_TOKEN: 'wrong-token-value' } });
  expect((await cli('fetch-projects')).code).toBe(0);
  const packages = () => {
    const db = new Database(path.join(dir, 'icms.db'), { readonly: true });
    try {
      return db.prepare('SELECT p.url AS url, COUNT(k.id) AS n FROM projects p LEFT JOIN packages k ON k.project_id = p.id GROUP BY p.id ORDER BY p.url').all() as { url: string; n: number }[];
    } finally {
      db.close();
    }
  };
  return { dir, cli, packages };
}

const repo = async (name: string) => makeGitRepo({ 'package.json': '{"name":"x","version":"1.0.0"}' }, 'main', name);

describe('scan --all with failing git remotes and a failing trivy', () => {
  it('git: auth refused, unreachable host, a server that never answers — each reported, the healthy one stored', async () => {
    const good = await repo('good');
    const secret = await repo('secret');
    const auth = await startGitHttpServer(path.dirname(secret.bareDir), { requireAuth: 'Basic never' });
    const hanging = await startHangingServer();
    const urls = [good.url, `${auth.baseUrl}/secret.git`, 'http://127.0.0.1:1/org/unreachable.git', `${hanging.baseUrl}/org/slow.git`];
    const host = new URL(auth.baseUrl).host;
    const t = await portfolio(urls, `  auth:\n    "${host}": {token_env: PRIVATE_TOKEN}\n`);
    const r = await t.cli('scan', '--all', '--format', 'json');
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/authentication failed for http:\/\/127\.0\.0\.1:\d+\/secret/);
    expect(r.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1\/org\/unreachable/);
    expect(r.stderr).toMatch(/git ls-remote of http:\/\/127\.0\.0\.1:\d+\/org\/slow timed out after 2s/);
    expect(r.stderr).not.toContain('wrong-token-value');
    const out = JSON.parse(r.stdout) as { scanned: number; failed: number };
    expect(out).toMatchObject({ scanned: 1, failed: 3 });
    expect(Object.fromEntries(t.packages().map((p) => [path.basename(p.url), p.n]))).toEqual({ good: 1, secret: 0, slow: 0, unreachable: 0 });
  }, 60_000);

  it('trivy: crash, non-zero exit, truncated report, hang past trivy.timeout_ms — each reported, the healthy one stored, previous packages kept', async () => {
    const names = ['healthy', 'crash', 'fails', 'garbage', 'hangs'];
    const remotes = await Promise.all(names.map(repo));
    const t = await portfolio(remotes.map((r) => r.url));
    // first every project scans fine; then each branch moves and trivy fails for four of them
    await writeFile(path.join(t.dir, 'all-healthy'), '');
    expect((await t.cli('scan', '--all')).code).toBe(0);
    await rm(path.join(t.dir, 'all-healthy'));
    for (const remote of remotes) await remote.commit({ 'README.md': 'moved' });
    const r = await t.cli('scan', '--all', '--format', 'json');
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/crash.*trivy fs .* failed \(SIGSEGV\)|crash.*signal/);
    expect(r.stderr).toMatch(/fails.*trivy fs .* exited 2[\s\S]*FATAL filesystem scan error/);
    expect(r.stderr).toMatch(/garbage.*not valid JSON|garbage.*truncated/);
    expect(r.stderr).toMatch(/hangs.*timed out after 1500 ms/);
    expect(JSON.parse(r.stdout)).toMatchObject({ scanned: 1, failed: 4 });
    const byName = Object.fromEntries(t.packages().map((p) => [path.basename(p.url), p.n]));
    expect(byName).toEqual({ healthy: 1, crash: 1, fails: 1, garbage: 1, hangs: 1 }); // the failing ones kept theirs
  }, 60_000);
});
