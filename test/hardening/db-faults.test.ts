/**
 * Database faults: a read-only database file or directory, a database locked by another writer, a file that
 * is not SQLite or is damaged, and a full disk. Each: a clear message, exit 4, and the database unchanged.
 * Permissions mean nothing to root, so as root icms runs as `nobody` (setpriv); the full disk is a 2 MB tmpfs
 * (needs root and mount; skipped otherwise).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/demo.js';
import { BIN, type IcmsProcessResult } from '../helpers/icms-process.js';
import { tmpDir } from '../helpers/tmp.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;
let seeded: string;

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A directory the unprivileged user can use, holding a copy of the seeded store and a config. */
async function workspace() {
  const dir = await tmpDir('icms-dbfault-');
  chmodSync(dir, 0o777);
  const db = path.join(dir, 'icms.db');
  copyFileSync(seeded, db);
  chmodSync(db, 0o666);
  const work = path.join(dir, 'work');
  mkdirSync(work, { mode: 0o700 });
  if (isRoot) chownSync(work, NOBODY, NOBODY);
  writeFileSync(path.join(dir, 'inventory.yaml'), 'projects:\n  - url: https://github.com/org/other\n    maintainers: [{name: B, email: b@example.com}]\n');
  writeFileSync(path.join(dir, 'icms.yaml'), `db: ${db}\nwork_dir: ${work}\ninventory: {file: inventory.yaml}\nadvisories:\n  sources:\n    - {name: osv-go, type: osv, path: ${path.join(FIXTURES, 'osv/Go')}}\n`);
  onTestFinished(() => {
    chmodSync(dir, 0o755); // let tmpDir remove it
  });
  return { dir, db };
}

/** Runs icms as an unprivileged user (as root: nobody through setpriv), so file modes apply. */
function runUnprivileged(args: string[], cwd: string): Promise<IcmsProcessResult> {
  const argv = [process.execPath, BIN, ...args];
  const [cmd, ...rest] = isRoot ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...argv] : argv;
  const child = spawn(cmd!, rest, { cwd, env: { PATH: process.env.PATH, HOME: '/tmp' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

const COMMANDS = ['sync-vulns', 'match', 'fetch-projects'];

beforeAll(async () => {
  const dir = await tmpDir('icms-dbfault-seed-');
  writeFileSync(path.join(dir, 'inventory.yaml'), 'projects:\n  - url: https://github.com/org/app\n    maintainers: [{name: A, email: a@example.com}]\n');
  writeFileSync(path.join(dir, 'icms.yaml'), `inventory: {file: inventory.yaml}\nadvisories:\n  sources:\n    - {name: osv-crates, type: osv, path: ${path.join(FIXTURES, 'osv/crates.io')}}\n`);
  for (const args of [['fetch-projects'], ['sync-vulns']]) {
    const r = await runCli(args, { cwd: dir });
    if (r.code !== 0) throw new Error(r.stderr);
  }
  seeded = path.join(dir, 'icms.db');
});

describe('database faults: clear error, exit 4, database unchanged', () => {
  it.each(COMMANDS)('a read-only database file: %s', async (command) => {
    const w = await workspace();
    chmodSync(w.db, 0o444);
    const before = sha(w.db);
    const r = await runUnprivileged(['--config', 'icms.yaml', command], w.dir);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/icms: error: database .*icms\.db: .*(permission denied|readonly)/i);
    expect(r.stderr).toMatch(/hint: the database file or its directory is not writable/);
    expect(sha(w.db)).toBe(before);
  });

  it.each(COMMANDS)('a read-only database directory: %s', async (command) => {
    const w = await workspace();
    chmodSync(w.dir, 0o555);
    const before = sha(w.db);
    const r = await runUnprivileged(['--config', 'icms.yaml', command], w.dir);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/icms: error: cannot create the lock file .*icms\.db\.lock: EACCES/);
    expect(sha(w.db)).toBe(before);
    expect(existsSync(`${w.db}-wal`)).toBe(false);
  });

  it('a database locked by another writer (BEGIN IMMEDIATE held): waits the busy timeout, then exit 4', async () => {
    const w = await workspace();
    const holder = new Database(w.db);
    holder.exec('BEGIN IMMEDIATE');
    holder.prepare("INSERT INTO runs (command, started_at) VALUES ('other', '2024-01-01')").run();
    try {
      const r = await runUnprivileged(['--config', 'icms.yaml', 'sync-vulns'], w.dir);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toMatch(/icms: error: database .*: database is locked/);
      expect(r.stderr).toMatch(/hint: another process holds the database/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    const db = new Database(w.db, { readonly: true });
    expect(db.prepare("SELECT COUNT(*) FROM advisories WHERE source = 'osv-go'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM runs').pluck().get()).toBe(2); // the seed's two runs only
    db.close();
  }, 30_000);

  it.each([
    ['random bytes', () => Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 256))],
    ['a text file', () => Buffer.from('db: this is my config, not a database\n')],
    ['a truncated icms database', () => readFileSync(seeded).subarray(0, 40_000)],
  ])('%s at the db path', async (_name, bytes) => {
    const w = await workspace();
    writeFileSync(w.db, bytes());
    const before = sha(w.db);
    for (const command of COMMANDS) {
      const r = await runUnprivileged(['--config', 'icms.yaml', command], w.dir);
      expect(r.code, `${command}: ${r.stderr}`).toBe(4);
      expect(r.stderr).toMatch(/icms: error: database .*: (file is not a database|database disk image is malformed)/);
      expect(r.stderr).toMatch(/hint: the (file is not an icms database|database file is damaged)/);
      expect(sha(w.db)).toBe(before);
    }
  });

  it.for([
    ['16 KB free: the store cannot even open its WAL', 16],
    ['200 KB free: the disk fills in the middle of the advisory upserts', 200],
  ] as const)('a full disk (2 MB tmpfs), %s: exit 4 with a disk hint, stored advisories intact', async ([, freeKb], ctx) => {
    const mnt = await tmpDir('icms-full-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      ctx.skip(); // needs root and mount(2)
    }
    onTestFinished(() => {
      execFileSync('umount', [mnt]);
    });
    const db = path.join(mnt, 'icms.db');
    copyFileSync(seeded, db);
    const free = Number(execFileSync('df', ['--output=avail', '-B1', mnt]).toString().split('\n')[1]);
    writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(Math.max(0, free - freeKb * 1024)));
    const dir = await tmpDir('icms-full-cfg-');
    writeFileSync(path.join(dir, 'icms.yaml'), `db: ${db}\nadvisories:\n  sources:\n    - {name: osv-demo, type: osv, path: ${path.join(FIXTURES, 'demo/osv')}}\n`);
    const r = await runCli(['sync-vulns'], { cwd: dir });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/database or disk is full|ENOSPC|disk I\/O error/);
    if (freeKb < 32) expect(r.stderr).toMatch(/hint: .*free space/); // else the source's own error line says it
    rmSync(path.join(mnt, 'filler'));
    const check = new Database(db, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(check.prepare("SELECT COUNT(*) FROM advisories WHERE source = 'osv-demo'").pluck().get()).toBe(0);
    expect(check.prepare("SELECT COUNT(*) FROM advisories WHERE source = 'osv-crates'").pluck().get()).toBeGreaterThan(0);
    check.close();
  });
});
