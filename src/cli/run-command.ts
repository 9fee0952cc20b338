/** The frame of a writing command: open the store, record the run, always close both. */
import os from 'node:os';
import { openDb, type Db } from '../db/open.js';
import { closeInterruptedRuns, finishRun, startRun, type RunStatus } from '../db/runs.js';
import { closeInterruptedScans } from '../db/scans.js';
import type { Logger } from '../shared/log.js';
import { ExitCode, errorMessage, IcmsError } from '../shared/errors.js';
import type { Session } from './session.js';
import { acquireLock } from './lock.js';
import { plural } from '../shared/plural.js';

export interface CommandOutcome {
  exitCode: ExitCode;
  summary: object;
}

const STATUS: Record<number, RunStatus> = { 0: 'ok', 1: 'gate', 3: 'partial' };

/** Runs `fn` under the run lock with an open database and a `runs` row that records the outcome, even on failure. */
export async function withRun(s: Session, command: string, fn: (db: Db, runId: number, lockToken: string) => Promise<CommandOutcome>, opts: { label?: string } = {}): Promise<ExitCode> {
  const lock = acquireLock(s.config.db, { command, now: s.ctx.now(), timeoutMs: s.config.run.lockTimeoutMs, env: s.ctx.env, logger: s.logger });
  let db: Db;
  try {
    db = openDb(s.config.db);
  } catch (err) {
    lock.release();
    throw err;
  }
  try {
    if (!lock.inherited) closeInterrupted(db, s.ctx.now(), s.logger);
    const runId = startRun(db, { command, at: s.ctx.now(), label: opts.label, host: os.hostname(), pid: process.pid });
    try {
      const outcome = await fn(db, runId, lock.info.token);
      finishRun(db, runId, { at: s.ctx.now(), status: STATUS[outcome.exitCode] ?? 'failed', exitCode: outcome.exitCode, summary: outcome.summary });
      return outcome.exitCode;
    } catch (err) {
      const code = err instanceof IcmsError ? err.exitCode : ExitCode.Bug;
      try {
        finishRun(db, runId, { at: s.ctx.now(), status: 'failed', exitCode: code, summary: { error: s.redactor.redact(errorMessage(err)) } });
      } catch {
        // the database itself may be what failed; the original error matters more
      }
      throw err;
    }
  } finally {
    db.close();
    lock.release();
  }
}

/** Under our own lock no other icms runs: `running` rows are left by a process that died; close them as failed. */
function closeInterrupted(db: Db, now: Date, logger: Logger): void {
  const runs = closeInterruptedRuns(db, now);
  const scans = closeInterruptedScans(db, now);
  if (runs.length > 0) logger.warn(`${runs.length === 1 ? 'run' : 'runs'} ${runs.join(', ')} ended without finishing (killed or crashed): recorded as failed${scans ? `, with ${plural(scans, 'unfinished scan')}` : ''}`);
}
