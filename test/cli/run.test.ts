import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import os from 'node:os';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { writeFile, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { makePortfolio, type Portfolio } from '../helpers/demo.js';

const BIN = fileURLToPath(new URL('../../bin/icms.js', import.meta.url));
let pf: Portfolio;
const cli = (...argv: string[]) => runCli(argv, { cwd: pf.dir });
const db = () => new Database(path.join(pf.dir, 'icms.db'), { readonly: true });
const count = (sql: string) => {
  const d = db();
  try {
    return (d.prepare(sql).get() as { n: number }).n;
  } finally {
    d.close();
  }
};

function spawnIcms(args: string[]): { done: Promise<{ code: number; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: pf.dir, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))) };
}

beforeAll(async () => {
  pf = await makePortfolio(['web-frontend', 'issue-board'], 'inventory:\n  file: inventory.yaml\n');
}, 60_000);

describe('icms run --all', () => {
  it('runs the whole chain with real parts: findings, mails in the outbox, a run journal', async () => {
    const r = await cli('run', '--all', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.steps.map((s: { step: string; status: string }) => `${s.step}:${s.status}`)).toEqual([
      'fetch-projects:ok',
      'scan:ok',
      'sync-vulns:ok',
      'match:ok',
      'notify:ok',
      'report:skipped',
    ]);
    expect(count("SELECT COUNT(*) AS n FROM findings WHERE package = 'axios'")).toBe(2);
    const outbox = readdirSync(path.join(pf.dir, 'outbox'));
    expect(outbox.filter((f) => f.endsWith('.eml'))).toHaveLength(2); // one digest per maintainer
    const runs = JSON.parse((await cli('runs', '--format', 'json')).stdout).runs as { command: string; status: string }[];
    // newest first; the run row was opened before its steps, and closed after them
    expect(runs.map((x) => x.command)).toEqual(['notify', 'match', 'sync-vulns', 'scan', 'fetch-projects', 'run']);
    expect(runs.every((x) => x.status === 'ok')).toBe(true);
    expect(existsSync(path.join(pf.dir, 'icms.db.lock'))).toBe(false);
  });

  it('a second run with nothing changed invokes no trivy, sends no mail and changes no finding', async () => {
    const before = count("SELECT COUNT(*) AS n FROM findings WHERE status IN ('new','open')");
    const r = await cli('run', '--all', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const steps = JSON.parse(r.stdout).steps as { step: string; summary: Record<string, unknown> }[];
    expect(steps.find((s) => s.step === 'scan')!.summary).toMatchObject({ scanned: 0, skipped: 2 });
    expect(count("SELECT COUNT(*) AS n FROM findings WHERE status IN ('new','open')")).toBe(before);
    expect(readdirSync(path.join(pf.dir, 'outbox')).filter((f) => f.endsWith('.eml'))).toHaveLength(2);
    expect(count("SELECT COUNT(*) AS n FROM scans WHERE status = 'ok'")).toBe(2);
  });

  it('a failing inventory source keeps the previous inventory and the chain goes on (exit 4 overall)', async () => {
    const inv = path.join(pf.dir, 'inventory.yaml');
    const good = await readFile(inv, 'utf8');
    await writeFile(inv, 'projects: [oops');
    try {
      const r = await cli('run', '--all', '--skip', 'notify', '--format', 'json');
      const steps = JSON.parse(r.stdout).steps as { step: string; status: string; note?: string }[];
      expect(steps[0]).toMatchObject({ step: 'fetch-projects', status: 'failed', note: expect.stringMatching(/goes on/) });
      expect(steps.find((s) => s.step === 'match')!.status).toBe('ok');
      expect(steps.find((s) => s.step === 'notify')!.status).toBe('skipped');
      expect(r.code).toBe(4);
    } finally {
      await writeFile(inv, good);
    }
  });

  it('--fail-on high makes the run exit 1 through match', async () => {
    const r = await cli('run', '--only', 'match', '--fail-on', 'high');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/match +│ gate/);
  });

  it('a second concurrent run exits 2 at once naming the holder; nothing is corrupted', async () => {
    await cli('scan', '--all', '--force'); // warm
    const first = spawnIcms(['run', '--all', '--skip', 'notify']);
    const lock = path.join(pf.dir, 'icms.db.lock');
    for (let i = 0; i < 200 && !existsSync(lock); i++) await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(lock)).toBe(true);
    const second = await runCli(['scan', '--all', '--force'], { cwd: pf.dir });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/another icms run holds the lock since .* \(pid \d+ on /);
    const r1 = await first.done;
    expect(r1.code, r1.stderr).toBe(0);
    const d = db();
    expect(d.pragma('integrity_check', { simple: true })).toBe('ok');
    d.close();
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a stale lock (dead pid on this host) with a warning', async () => {
    const lock = path.join(pf.dir, 'icms.db.lock');
    await writeFile(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), started: new Date().toISOString(), command: 'run', token: 'x' }));
    const r = await cli('run', '--only', 'match');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/taking over a stale lock \(pid \d+ on this host is gone\)/);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock older than run.lock_timeout_ms even if its holder looks alive', async () => {
    const lock = path.join(pf.dir, 'icms.db.lock');
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: 'other-host', started: '2020-01-01T00:00:00Z', command: 'run', token: 'y' }));
    const r = await cli('match');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/taking over a stale lock \(older than/);
  });

  it('without --all or --only it is a usage error', async () => {
    expect((await cli('run')).code).toBe(2);
    expect((await cli('run', '--only', 'bogus')).code).toBe(2);
  });
});
