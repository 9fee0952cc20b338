import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { makePortfolio, type Portfolio } from '../helpers/demo.js';
import { git } from '../helpers/git.js';
import { tmpDir } from '../helpers/tmp.js';

// A CI job: a checkout of an inventory repository, scanned in place with `scan . --fail-on high`.
let pf: Portfolio;
let checkout: string;
const db = () => ['--db', path.join(pf.dir, 'icms.db'), '--config', path.join(pf.dir, 'icms.yaml')];
const inPf = (...argv: string[]) => runCli(argv, { cwd: pf.dir });
let cache: string;
// the default work dir would be inside the checkout: icms uses $XDG_CACHE_HOME/icms instead (a temp dir here)
const inCheckout = (...argv: string[]) => runCli([...db(), ...argv], { cwd: checkout, env: { XDG_CACHE_HOME: cache } });
const rows = (sql: string) => {
  const d = new Database(path.join(pf.dir, 'icms.db'), { readonly: true });
  try {
    return d.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    d.close();
  }
};

beforeAll(async () => {
  pf = await makePortfolio(['web-frontend']);
  expect((await inPf('fetch-projects')).code).toBe(0);
  expect((await inPf('sync-vulns')).code).toBe(0);
  checkout = path.join(await tmpDir('icms-ci-'), 'builds', 'runner-7', 'web');
  cache = await tmpDir('icms-xdg-cache-');
  await mkdir(path.dirname(checkout), { recursive: true });
  await git(path.dirname(checkout), 'clone', '-q', pf.remotes['web-frontend']!.url, checkout);
}, 120_000);

describe('scan <path> --fail-on honours the stored acceptances that cover the target, and says what tripped', () => {
  it('without acceptances: exit 1 and the gate names the count and the first findings', async () => {
    const r = await inCheckout('scan', '.', '--fail-on', 'high');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/gate --fail-on high tripped by (\d+) findings?:\n {2}(CRITICAL|HIGH) \S+ \S+@\S+ in local\/web-frontend@main\n/);
    // no config sets work_dir: the default ./.icms is not written into the scanned checkout
    expect(existsSync(path.join(checkout, '.icms'))).toBe(false);
    expect(existsSync(path.join(cache, 'icms', 'trivy-cache'))).toBe(true);
    expect(await git(checkout, 'status', '--porcelain')).toBe('');
  }, 300_000);

  it('accepted for this project (named by the inventory URL with .git) -> the same scan exits 0, as match would', async () => {
    const url = `${pf.remotes['web-frontend']!.url}`; // file:///…/web-frontend.git, exactly as in the inventory
    const high = JSON.parse((await inCheckout('scan', '.', '--format', 'json')).stdout).targets[0].findings.filter((f: { severity: string }) => ['HIGH', 'CRITICAL'].includes(f.severity));
    expect(high.length).toBeGreaterThan(0);
    for (const id of new Set<string>(high.map((f: { advisory_id: string }) => f.advisory_id))) {
      const r = await inPf('triage', 'accept', id, '--project', url, '--reason', 'CI test: accepted for this project');
      expect(r.code, r.stderr).toBe(0);
    }
    const r = await inCheckout('scan', '.', '--fail-on', 'high', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const found = JSON.parse(r.stdout).targets[0];
    expect(found.project).toBe('local/web-frontend@main');
    expect(found.findings.filter((f: { status: string }) => f.status === 'accepted').length).toBe(high.length);
    // the same acceptances decide in match, for the inventory project
    expect((await inPf('scan', '--all')).code).toBe(0);
    const m = await inPf('match', '--fail-on', 'high', '--format', 'json');
    expect(m.code, m.stderr).toBe(0);
    expect(rows("SELECT COUNT(*) AS n FROM findings WHERE status = 'accepted'")[0]!.n).toBe(high.length);
  }, 300_000);

  it('--save names the project from the git remote, not the checkout path', async () => {
    const r = await inCheckout('scan', '.', '--save', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const local = rows("SELECT name, url, branch FROM projects WHERE kind = 'local'");
    expect(local).toHaveLength(1);
    // the inventory project already holds the remote's name, so the local one is made unique
    expect(local[0]).toMatchObject({ name: 'local/web-frontend@main #2', branch: 'main' });
    expect(String(local[0]!.url)).not.toContain('runner-7');
    expect(JSON.stringify(rows('SELECT name FROM projects'))).not.toContain('runner-7');
    expect(await git(checkout, 'status', '--porcelain')).toBe('');
  }, 300_000);
});
