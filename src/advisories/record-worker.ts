/**
 * Worker-thread entry of the record parser pool (record-pool.ts): reads and parses the NVD record files it is sent,
 * batch by batch, and posts each batch's parsed entries back in the order asked. A file that cannot be read is
 * answered with the error, which fails that entry on the main thread as a read there would.
 */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { advisoryJsonColumns } from '../db/advisories.js';
import { parseRecord } from './nvd-record.js';
import type { RecordReply, RecordRequest } from './record-pool.js';

const port = parentPort;
if (!port) throw new Error('record-worker.js runs only as a worker thread');
port.on('message', (m: RecordRequest) => {
  const results: RecordReply['results'] = m.paths.map((p) => {
    try {
      const parsed = parseRecord(readFileSync(p, 'utf8'), m.source);
      if (!parsed.ok) return { parsed };
      // strings cross to the main thread cheaply, nested objects do not: the JSON columns go serialised, and the
      // record's facts only as the raw text stored (the advisory keeps what the sync itself reads: ids, dates, scores)
      const { advisory: a } = parsed;
      return { parsed: { ...parsed, advisory: { ...a, cvss: [], references: [], raw: undefined }, columns: advisoryJsonColumns(a) } };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  });
  port.postMessage({ id: m.id, results } satisfies RecordReply);
});
