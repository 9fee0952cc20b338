/**
 * Worker-thread entry of `icms match` (started by `prepareInWorker`): runs `prepareProjects` on a read-only
 * connection of its own and posts the projects in batches, never more than `window` batches ahead of the writer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from '../db/open.js';
import { IcmsError } from '../shared/errors.js';
import { prepareProjects, type ProjectBatch } from './prepare.js';
import type { MatchWorkerData, WorkerMessage } from './parallel.js';

const port = parentPort;
if (!port) throw new Error('worker.js runs only as a worker thread');
const data = workerData as MatchWorkerData;
let credit = data.window;
let wake: (() => void) | undefined;
port.on('message', (m: unknown) => {
  if (m !== 'ack') return;
  credit++;
  wake?.();
});
const post = (m: WorkerMessage): void => port.postMessage(m);

async function send(items: ProjectBatch[]): Promise<void> {
  while (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
  credit--;
  post({ type: 'projects', items });
}

async function run(): Promise<void> {
  const db = openDb(data.dbFile, { readonly: true });
  try {
    const prepared = prepareProjects(db, data.projectIds, data.triage, data.severityOrder);
    post({ type: 'steps', indexMs: prepared.indexMs, readMs: prepared.readMs });
    let batch: ProjectBatch[] = [];
    for (const p of prepared.projects) {
      batch.push(p);
      if (batch.length >= data.batchSize) {
        await send(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await send(batch);
    post({ type: 'done' });
  } finally {
    db.close();
  }
}

run().then(
  () => port.close(),
  (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    post({ type: 'error', message: e.message, stack: e.stack, exitCode: err instanceof IcmsError ? err.exitCode : undefined, hint: err instanceof IcmsError ? err.hint : undefined });
    port.close();
  },
);
