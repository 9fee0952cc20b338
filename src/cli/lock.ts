/**
 * The run lock: a file next to the database (`<db>.lock`) naming who holds it. Writing commands take it;
 * a second writer exits 2 at once with the holder. A stale lock (dead pid on this host, or older than
 * `run.lock_timeout_ms`) is taken over with a warning. `icms run` passes its token to its steps through
 * ICMS_LOCK_TOKEN so they run under its lock.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { IcmsError, ExitCode } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';

export interface LockInfo {
  pid: number;
  host: string;
  started: string;
  command: string;
  token: string;
}

export interface HeldLock {
  info: LockInfo;
  /** True when this process inherited the lock of a parent `icms run` (release is then a no-op). */
  inherited: boolean;
  release(): void;
}

/** Takes the lock for `command`, or joins the one whose token `env.ICMS_LOCK_TOKEN` carries. */
export function acquireLock(dbPath: string, opts: { command: string; now: Date; timeoutMs: number; env: Record<string, string | undefined>; logger: Logger }): HeldLock {
  const file = `${dbPath}.lock`;
  try {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true }); // a first run: the database directory is new
  } catch {
    // reported below by openSync with the same cause
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const info: LockInfo = { pid: process.pid, host: os.hostname(), started: opts.now.toISOString(), command: opts.command, token: randomBytes(12).toString('hex') };
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(info));
      } finally {
        closeSync(fd);
      }
      return { info, inherited: false, release: () => releaseIfOurs(file, info.token) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new IcmsError(`cannot create the lock file ${file}: ${(err as Error).message}`, ExitCode.External, { hint: 'check the permissions of the database directory' });
      }
    }
    const holder = readLock(file);
    if (holder && opts.env.ICMS_LOCK_TOKEN && holder.token === opts.env.ICMS_LOCK_TOKEN) {
      return { info: holder, inherited: true, release: () => undefined };
    }
    const stale = staleness(holder, opts.now, opts.timeoutMs);
    if (!stale) {
      throw new IcmsError(
        `another icms ${holder!.command} holds the lock since ${holder!.started} (pid ${holder!.pid} on ${holder!.host})`,
        ExitCode.Usage,
        { hint: `wait for it to finish; if it is gone, the lock is taken over after run.lock_timeout_ms, or delete ${file}` },
      );
    }
    opts.logger.warn(`taking over a stale lock (${stale}) at ${file}`);
    rmSync(file, { force: true });
  }
  throw new IcmsError(`could not take the lock ${file}: it keeps changing hands`, ExitCode.External);
}

function readLock(file: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
  } catch {
    return undefined; // unreadable or half-written: treated as stale
  }
}

/** Why a lock is stale, or undefined when its holder is alive. */
function staleness(holder: LockInfo | undefined, now: Date, timeoutMs: number): string | undefined {
  if (!holder || typeof holder.pid !== 'number') return 'unreadable lock file';
  const age = now.getTime() - Date.parse(holder.started);
  if (!(age <= timeoutMs)) return `older than ${timeoutMs} ms, held by pid ${holder.pid} on ${holder.host}`;
  if (holder.host === os.hostname() && !isAlive(holder.pid)) return `pid ${holder.pid} on this host is gone`;
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseIfOurs(file: string, token: string): void {
  if (readLock(file)?.token === token) rmSync(file, { force: true });
}
