/**
 * `npm run demo [out-dir]`: builds a small real portfolio from fixtures/demo (git repositories made with git,
 * a CVE Manager page served on loopback) and runs `icms run --all` on it, offline. Everything lands in
 * `demo-out/` (or the given directory): the database, the outbox, the dashboard and the archive.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../cli/main.js';
import { realContext } from '../cli/context.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/demo/', import.meta.url));

function makeRepos(gitDir: string): void {
  const env = { ...process.env, GIT_AUTHOR_NAME: 'icms demo', GIT_AUTHOR_EMAIL: 'demo@example.invalid', GIT_COMMITTER_NAME: 'icms demo', GIT_COMMITTER_EMAIL: 'demo@example.invalid' };
  for (const name of readdirSync(path.join(FIXTURES, 'repos'))) {
    const dir = path.join(gitDir, name);
    cpSync(path.join(FIXTURES, 'repos', name), dir, { recursive: true });
    for (const args of [['init', '-q', '--initial-branch', 'main'], ['add', '-A'], ['commit', '-q', '-m', `${name}: demo snapshot`]]) {
      execFileSync('git', args, { cwd: dir, env, stdio: 'ignore' });
    }
  }
}

/** Serves the demo's CVE Manager list as the real service answers it: page 1 is the fixture, later pages are empty. */
async function serveVtopia(): Promise<{ url: string; close: () => void }> {
  const page = readFileSync(path.join(FIXTURES, 'vtopia/page-1.json'), 'utf8');
  const server = http.createServer((req, res) => {
    const n = new URL(req.url ?? '/', 'http://x').searchParams.get('page_num');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(n === '1' ? page : JSON.stringify({ body: { total: (JSON.parse(page) as { body: { total: number } }).body.total, list: [] }, code: '200', errmsg: 'success' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/cve/detail/list`, close: () => server.close() };
}

async function runDemo(): Promise<number> {
  const out = path.resolve(process.argv[2] ?? 'demo-out');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(path.join(out, 'git'), { recursive: true });
  makeRepos(path.join(out, 'git'));
  const vtopia = await serveVtopia();
  try {
    const fill = (text: string) => text.replaceAll('{{GIT}}', path.join(out, 'git')).replaceAll('{{FIXTURES}}', FIXTURES.replace(/\/$/, '')).replaceAll('{{VTOPIA_URL}}', vtopia.url).replaceAll('{{OUT}}', out);
    writeFileSync(path.join(out, 'icms.yaml'), fill(readFileSync(path.join(FIXTURES, 'icms.yaml'), 'utf8')));
    writeFileSync(path.join(out, 'inventory.yaml'), fill(readFileSync(path.join(FIXTURES, 'inventory.yaml'), 'utf8')));
    const ctx = { ...realContext(), cwd: out };
    const config = ['--config', path.join(out, 'icms.yaml')];
    console.log(`icms demo: a portfolio of ${readdirSync(path.join(out, 'git')).length} git repositories in ${path.join(out, 'git')}\n`);
    const code = await main([...config, 'run', '--all'], ctx);
    console.log('\nOpen findings, known exploited (KEV) first, then most severe:\n');
    await main([...config, 'report', '--status', 'open', '--severity-min', 'medium'], ctx);
    console.log(`
Where things are:
  database     ${path.join(out, 'icms.db')}
  outbox       ${path.join(out, 'outbox')}  (one .eml per maintainer + the security-team alert)
  dashboard    ${path.join(out, 'dashboard/index.html')}  (open it in a browser)
  archive      ${path.join(out, 'archive')}
Try: node bin/icms.js --config ${path.join(out, 'icms.yaml')} explain CVE-2018-18074`);
    return code;
  } finally {
    vtopia.close();
  }
}

process.exitCode = await runDemo();
