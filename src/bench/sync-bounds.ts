/**
 * Lower bounds of a first sync, measured beside its floor: what parts of the work the issue requires cost on
 * their own, with nothing else. (1) read + JSON.parse + normalise every record with the real normaliser, storing
 * nothing; (2) read + JSON.parse + store only the raw text of every record (the audit copy the issue asks for)
 * in one transaction of a SQLite file opened like icms opens its store. A first sync does both and more.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseOsvText } from '../advisories/normalize.js';
import { openDb } from '../db/open.js';

export interface SyncBounds {
  files: number;
  /** Affected entries the normaliser produced (what a sync also writes, one row each). */
  affectedEntries: number;
  /** read + parse + normalise, no store, ms (second, warm pass). */
  normaliseMs: number;
  /** read + parse + INSERT the raw text only, one transaction, ms. */
  rawStoreMs: number;
}

/** Measures both lower bounds over every `.json` file under `dir`, with a scratch database under `tmpDir`. */
export function measureSyncBounds(dir: string, tmpDir: string): SyncBounds {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(dir, f));
  const normalise = (): { ms: number; entries: number } => {
    const t = performance.now();
    let entries = 0;
    for (const f of files) {
      try {
        entries += parseOsvText(readFileSync(f, 'utf8'), 'osv').affected.length;
      } catch {
        // an invalid record costs what the sync's skip costs: nothing more to do here
      }
    }
    return { ms: performance.now() - t, entries };
  };
  normalise(); // warm the page cache and the JIT, as the floor does
  const { ms: normaliseMs, entries } = normalise();

  const dbFile = path.join(tmpDir, `bounds-${process.pid}.db`);
  const db = openDb(dbFile);
  try {
    db.exec('CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, advisory_id TEXT NOT NULL UNIQUE, raw TEXT NOT NULL)');
    const insert = db.prepare('INSERT OR REPLACE INTO bench_raw (advisory_id, raw) VALUES (?, ?)');
    const t = performance.now();
    db.transaction(() => {
      for (const f of files) {
        const text = readFileSync(f, 'utf8');
        const id = (JSON.parse(text) as { id?: unknown }).id;
        insert.run(typeof id === 'string' ? id : f, text);
      }
    })();
    const rawStoreMs = performance.now() - t;
    return { files: files.length, affectedEntries: entries, normaliseMs, rawStoreMs };
  } finally {
    db.close();
    for (const ext of ['', '-wal', '-shm']) rmSync(`${dbFile}${ext}`, { force: true });
  }
}
