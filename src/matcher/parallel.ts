/**
 * Runs the read side of a match (`prepareProjects`) in a worker thread, so that on a machine with two cores
 * indexing, reading and matching overlap with the main thread's SQLite writes (one writer: the writes cannot
 * be split, the rest can run beside them).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ExitCode, IcmsError } from '../shared/errors.js';
import type { EnvSettings } from '../triage/cvss.js';
import type { ProjectBatch } from './prepare.js';

/** What the worker is started with. */
export interface MatchWorkerData {
  dbFile: string;
  projectIds: readonly number[];
  triage: EnvSettings | undefined;
  /** advisories.severity_order. */
  severityOrder?: readonly string[] | undefined;
  /** Projects per message. */
  batchSize: number;
  /** Messages the worker may send before the writer has taken them. */
  window: number;
}

/** Messages from the worker. */
export type WorkerMessage =
  | { type: 'steps'; indexMs: number; readMs: number }
  | { type: 'projects'; items: ProjectBatch[] }
  | { type: 'done' }
  | { type: 'error'; message: string; stack: string | undefined; exitCode: ExitCode | undefined; hint: string | undefined };

/** The compiled worker entry beside this module (absent when running from TypeScript sources, e.g. under vitest). */
export const MATCH_WORKER_URL = new URL('./worker.js', import.meta.url);

/** Whether `url` names a worker script that exists. */
export function workerAvailable(url: URL = MATCH_WORKER_URL): boolean {
  return url.protocol === 'file:' && existsSync(fileURLToPath(url));
}

/**
 * Prepares the projects in a worker on its own read-only connection to `dbFile`, handing each batch to `take` on
 * this thread as it arrives (at most `window` batches queue up). Resolves with the worker's first steps once every
 * project was taken; rejects, with the worker stopped, if the worker fails or `take` throws.
 */
export function prepareInWorker(
  data: Omit<MatchWorkerData, 'batchSize' | 'window'> & Partial<Pick<MatchWorkerData, 'batchSize' | 'window'>>,
  take: (batch: ProjectBatch) => void,
  url: URL = MATCH_WORKER_URL,
): Promise<{ indexMs: number; readMs: number }> {
  const workerData: MatchWorkerData = { batchSize: 8, window: 4, ...data };
  return new Promise((resolve, reject) => {
    const worker = new Worker(url, { workerData });
    let steps: { indexMs: number; readMs: number } | undefined;
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    worker.on('message', (m: WorkerMessage) => {
      if (settled) return;
      try {
        if (m.type === 'steps') steps = { indexMs: m.indexMs, readMs: m.readMs };
        else if (m.type === 'projects') {
          for (const b of m.items) take(b);
          worker.postMessage('ack');
        } else if (m.type === 'done') {
          settled = true;
          void worker.terminate();
          if (steps) resolve(steps);
          else reject(new Error('match worker finished without reporting its steps'));
        } else {
          const err = m.exitCode === undefined ? new Error(`match worker: ${m.message}`) : new IcmsError(m.message, m.exitCode, { hint: m.hint });
          if (m.stack && m.exitCode === undefined) err.stack = m.stack;
          fail(err);
        }
      } catch (err) {
        fail(err);
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new IcmsError(`match worker stopped (exit code ${code}) before every project was matched`, ExitCode.Bug)));
  });
}
