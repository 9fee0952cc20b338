/** A real pipeline (git remotes, trivy, OSV demo advisories, SQLite) built once per test file, copied per test. */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const FIXTURES = path.join(ROOT, 'fixtures/triage');

/** Day 0 of every test clock: 2024-06-01 12:00 UTC. */
export const DAY0 = new Date('2024-06-01T12:00:00Z');
export const day = (n: number): Date => new Date(DAY0.getTime() + n * 86_400_000);

export interface Pipeline {
  /** Directory holding icms.yaml, inventory.yaml and icms.db after fetch-projects, scan --all, sync-vulns, match. */
  dir: string;
  dispose(): Promise<void>;
}

async function files(name: string, list: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of list) out[f] = await readFile(path.join(ROOT, 'fixtures/demo/repos', name, f), 'utf8');
  return out;
}

/**
 * Builds web-frontend from the demo manifests (npm/yarn; no exposure label, so the default `internal` profile)
 * and runs the data path once, on day 0, with the scan labelled 4.0.0. Findings (checked against the OSV records):
 * axios 0.19.0 CVE-2021-3749 (GHSA-cph5-m8f7-6c5x, base 7.5), axios 0.19.0 CVE-2020-28168 (GHSA-4w2v-q235-vp99,
 * base 5.9), follow-redirects 1.5.10 CVE-2022-0155 (GHSA-74fj-2j2h-c42q, base 8.0).
 */
export async function buildPipeline(): Promise<Pipeline> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'icms-triage-'));
  const web = await makeGitRepoOutsideTest('web-frontend', await files('web-frontend', ['package.json', 'yarn.lock']));
  await writeFile(path.join(dir, 'inventory.yaml'), `projects:
  - url: ${web.url}
    branch: main
    maintainers: [{name: Wendy, email: wendy@example.com}]
    labels: {team: web}
`);
  await writeFile(path.join(dir, 'icms.yaml'), `inventory:
  source: file
  file: inventory.yaml
advisories:
  sources: [{name: osv-demo, type: osv, path: ${path.join(ROOT, 'fixtures/demo/osv')}}]
`);
  const now = () => DAY0;
  for (const argv of [['fetch-projects'], ['scan', '--all', '--label', '4.0.0'], ['sync-vulns'], ['match']]) {
    const r = await runCli(argv, { cwd: dir, now });
    if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr}`);
  }
  return { dir, dispose: async () => {
    await rm(dir, { recursive: true, force: true });
    await web.dispose();
  } };
}

// makeGitRepo cleans up through onTestFinished, which beforeAll does not have: keep our own handle.
async function makeGitRepoOutsideTest(name: string, content: Record<string, string>): Promise<{ url: string; dispose(): Promise<void> }> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const run = promisify(execFile);
  const root = await mkdtemp(path.join(os.tmpdir(), 'icms-triage-git-'));
  const work = path.join(root, 'work');
  const bare = path.join(root, name);
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid', GIT_CONFIG_NOSYSTEM: '1' };
  await run('git', ['init', '-q', '--bare', '--initial-branch', 'main', bare], { env });
  await run('git', ['init', '-q', '--initial-branch', 'main', work], { env });
  for (const [name, text] of Object.entries(content)) await writeFile(path.join(work, name), text);
  await run('git', ['add', '-A'], { cwd: work, env });
  await run('git', ['commit', '-q', '-m', 'initial'], { cwd: work, env });
  await run('git', ['push', '-q', bare, 'main'], { cwd: work, env });
  return { url: `file://${bare}`, dispose: () => rm(root, { recursive: true, force: true }) };
}

/** A private copy of the pipeline directory for one test (the database files included). */
export async function copyPipeline(p: Pipeline): Promise<{ dir: string; run(argv: string[], now?: Date): Promise<CliResult> }> {
  const dir = await tmpDir();
  for (const name of ['icms.yaml', 'inventory.yaml', 'icms.db', 'icms.db-wal', 'icms.db-shm']) {
    if (existsSync(path.join(p.dir, name))) await cp(path.join(p.dir, name), path.join(dir, name));
  }
  return { dir, run: (argv, now = DAY0) => runCli(argv, { cwd: dir, now: () => now, env: { USER: 'tester' } }) };
}
