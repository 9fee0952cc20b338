/**
 * Git lock files left in a checkout by a git that was killed (icms killed mid-scan, a reboot): git refuses every
 * later command in that checkout ("Unable to create index.lock: File exists"), so the project would keep its old
 * packages for good. A lock is stale when no live process works in the checkout; then the checkout is dropped and
 * cloned afresh (a killed `reset --hard` may also have left the work tree half-written).
 */
import { readdir, readlink, realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../shared/log.js';
import { externalError } from '../shared/errors.js';

/** The lock files git's own commands take in a checkout (the branch's ref lock is added per project). */
const LOCKS = ['index.lock', 'HEAD.lock', 'ORIG_HEAD.lock', 'FETCH_HEAD.lock', 'shallow.lock', 'config.lock', 'packed-refs.lock'];

/** The first live process whose working directory is `dir` or inside it (Linux /proc); null when /proc is unreadable. */
async function processIn(checkout: string): Promise<number | undefined | null> {
  const dir = await realpath(checkout);
  const pids = await readdir('/proc').catch(() => null);
  if (pids === null) return null;
  for (const pid of pids) {
    if (!/^\d+$/.test(pid)) continue;
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
    if (cwd !== undefined && (cwd === dir || cwd.startsWith(dir + path.sep))) return Number(pid);
  }
  return undefined;
}

/**
 * Checks `dir` (a checkout icms owns) for git lock files before any git command runs in it. A stale lock: the
 * checkout is removed with a warning (the caller clones afresh). A lock a live process may hold: an external
 * error naming it. Without /proc, a lock older than `staleAfterMs` (longer than any git command of icms may run)
 * counts as stale.
 */
export async function recoverStaleLocks(dir: string, branch: string, opts: { logger: Logger; staleAfterMs: number; now?: Date }): Promise<void> {
  const found: { file: string; mtimeMs: number }[] = [];
  for (const name of [...LOCKS, `refs/heads/${branch}.lock`]) {
    const file = path.join(dir, '.git', name);
    const st = await stat(file).catch(() => undefined);
    if (st?.isFile()) found.push({ file, mtimeMs: st.mtimeMs });
  }
  if (found.length === 0) return;
  const names = found.map((f) => path.relative(dir, f.file)).join(', ');
  const pid = await processIn(dir);
  const now = (opts.now ?? new Date()).getTime();
  const stale = pid === undefined || (pid === null && found.every((f) => now - f.mtimeMs > opts.staleAfterMs));
  if (!stale) {
    throw externalError(`git lock ${names} in ${dir} is ${typeof pid === 'number' ? `in use by process ${pid}` : 'recent and may be in use'}`, {
      hint: 'another git command works in this checkout; if none does, delete the lock file (icms removes it by itself once it is stale)',
    });
  }
  opts.logger.warn(`stale git lock ${names} in ${dir} (no git process works there; left by an interrupted run): cloning the project afresh`);
  await rm(dir, { recursive: true, force: true });
}
