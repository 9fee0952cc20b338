/**
 * A checkout left with `.git/index.lock` by a killed `git reset --hard` (icms killed mid-scan): with no live
 * process in the checkout the lock is stale, so the next sync recovers (fresh clone) with a warning and reaches the
 * new upstream commit. A lock a live process may hold is left alone and the project fails with a clear reason.
 * Real git repositories; the live process is a real child whose working directory is the checkout.
 */
import { spawn } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Logger } from '../../src/shared/log.js';
import { syncRepo, type SyncOptions } from '../../src/gitsync/sync.js';
import { makeGitRepo } from '../helpers/git.js';
import { tmpDir } from '../helpers/tmp.js';
import { rejectionOf } from '../helpers/errors.js';

async function options(): Promise<SyncOptions & { warnings: string[] }> {
  const warnings: string[] = [];
  const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (m) => warnings.push(m), error: () => undefined, progress: () => undefined };
  return { workDir: await tmpDir(), timeoutMs: 30_000, logger, env: { PATH: process.env.PATH, HOME: process.env.HOME }, warnings };
}

describe('a git lock left in a checkout', () => {
  it('stale index.lock (no live process): recovered with a warning, the new upstream commit checked out', async () => {
    const remote = await makeGitRepo({ 'package.json': '{"name":"a","version":"1.0.0"}' });
    const opts = await options();
    const project = { url: remote.url, branch: 'main' };
    const first = await syncRepo(project, opts);
    // what a kill -9 during `git reset --hard` leaves behind
    await writeFile(path.join(first.dir, '.git', 'index.lock'), '');
    const head = await remote.commit({ 'package.json': '{"name":"a","version":"2.0.0"}' });

    const second = await syncRepo(project, opts);
    expect(second.head).toBe(head);
    expect(await readFile(path.join(second.dir, 'package.json'), 'utf8')).toContain('2.0.0');
    await expect(stat(path.join(second.dir, '.git', 'index.lock'))).rejects.toThrow();
    expect(opts.warnings.join('\n')).toMatch(/stale git lock .*index\.lock.*no git process/);

    // the same with the head unchanged (the lock would make the cleaning reset fail too)
    await writeFile(path.join(second.dir, '.git', 'index.lock'), '');
    expect((await syncRepo(project, opts)).head).toBe(head);
  });

  it('a lock while a process works in the checkout: left alone, the project fails with the reason', async () => {
    const remote = await makeGitRepo({ 'package.json': '{"name":"a"}' });
    const opts = await options();
    const project = { url: remote.url, branch: 'main' };
    const first = await syncRepo(project, opts);
    const lock = path.join(first.dir, '.git', 'index.lock');
    await writeFile(lock, '');
    const busy = spawn('sleep', ['30'], { cwd: first.dir, stdio: 'ignore' });
    onTestFinished(() => void busy.kill('SIGKILL'));
    await new Promise((resolve) => busy.once('spawn', resolve));
    await remote.commit({ 'b.txt': 'b' });

    const err = await rejectionOf(syncRepo(project, opts));
    expect(err.message).toMatch(/index\.lock.*in use by process \d+/);
    expect((await stat(lock)).isFile()).toBe(true);
  });
});
