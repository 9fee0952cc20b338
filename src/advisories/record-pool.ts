/**
 * Reads and parses NVD record files on a worker thread while the main thread stores the ones already parsed: on a
 * first sync of a mirror directory (20,000+ files) reading, `JSON.parse` and normalising take about as long as the
 * SQLite writes, and SQLite has one writer, so the two overlap on a two-core machine instead of taking turns.
 *
 * Requests are sent in batches; `parse` answers each file in the order asked. Few files (a re-sync that found a handful
 * changed) are parsed on the calling thread: starting the worker would cost more than it saves. Without the compiled
 * worker beside this module (running from TypeScript sources) every file is parsed on the calling thread.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parseRecord } from './nvd-record.js';
import type { ParsedEntry } from './source.js';

/** A batch of files to parse. */
export interface RecordRequest {
  id: number;
  source: string;
  paths: string[];
}

/** A batch's answer, one result per path in order. */
export interface RecordReply {
  id: number;
  results: ({ parsed: ParsedEntry; error?: undefined } | { error: string })[];
}

/** The compiled worker entry beside this module. */
export const RECORD_WORKER_URL = new URL('./record-worker.js', import.meta.url);

export interface RecordPoolOptions {
  /** The worker script (tests pass the compiled one); absent or not a file: parse on the calling thread. */
  workerUrl?: URL | undefined;
  /** Files parsed on the calling thread before the worker is started. */
  inlineFirst?: number | undefined;
  /** Files per message. */
  batchSize?: number | undefined;
}

interface Waiting {
  resolve: (p: ParsedEntry) => void;
  reject: (err: Error) => void;
}

/** Parses record files for one source, on a worker once there are enough of them. Call `close` when done. */
export class RecordPool {
  private worker: Worker | undefined;
  private broken: Error | undefined;
  private seen = 0;
  private nextId = 0;
  private pending: { path: string; waiting: Waiting }[] = [];
  private readonly inFlight = new Map<number, Waiting[]>();
  private readonly url: URL | undefined;
  private readonly inlineFirst: number;
  private readonly batchSize: number;

  constructor(
    private readonly source: string,
    opts: RecordPoolOptions = {},
  ) {
    const url = opts.workerUrl ?? RECORD_WORKER_URL;
    this.url = url.protocol === 'file:' && existsSync(fileURLToPath(url)) ? url : undefined;
    this.inlineFirst = opts.inlineFirst ?? 256;
    this.batchSize = opts.batchSize ?? 64;
  }

  /**
   * Starts parsing `file`; the promise settles with its parsed entry (or rejects if it cannot be read). Call `flush`
   * before awaiting one: requests wait until a batch is full.
   */
  parse(file: string): Promise<ParsedEntry> {
    const started = this.start(file);
    // an entry nobody awaits any more (the sync stopped early) must not fail the process as an unhandled rejection
    started.catch(() => undefined);
    return started;
  }

  private start(file: string): Promise<ParsedEntry> {
    if (this.url === undefined || ++this.seen <= this.inlineFirst) {
      try {
        return Promise.resolve(parseRecord(readFileSync(file, 'utf8'), this.source));
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.pending.push({ path: file, waiting: { resolve, reject } });
      if (this.pending.length >= this.batchSize) this.flush();
    });
  }

  /** Sends the requests not yet sent. */
  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const id = this.nextId++;
    this.inFlight.set(id, batch.map((b) => b.waiting));
    this.ensureWorker().postMessage({ id, source: this.source, paths: batch.map((b) => b.path) } satisfies RecordRequest);
  }

  /** Stops the worker; requests still open are rejected. */
  async close(): Promise<void> {
    this.fail(new Error('the record parser was closed'));
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.url!);
    w.on('message', (m: RecordReply) => {
      const waiting = this.inFlight.get(m.id);
      this.inFlight.delete(m.id);
      m.results.forEach((r, i) => {
        const wt = waiting?.[i];
        if (r.error !== undefined) wt?.reject(new Error(r.error));
        else wt?.resolve(r.parsed);
      });
    });
    w.on('error', (err) => this.fail(err));
    w.on('exit', (code) => this.fail(new Error(`the record parser stopped (exit code ${code})`)));
    this.worker = w;
    return w;
  }

  private fail(err: Error): void {
    this.broken ??= err;
    for (const waiting of this.inFlight.values()) for (const w of waiting) w.reject(err);
    this.inFlight.clear();
    for (const p of this.pending) p.waiting.reject(err);
    this.pending = [];
  }
}
