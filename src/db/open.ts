/** Opening the SQLite store: WAL, foreign keys, busy timeout, migrations applied. */
import Database from 'better-sqlite3';
import { mkdirSync, existsSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { IcmsError, ExitCode, errorMessage } from '../shared/errors.js';
import { migrate } from './migrate.js';

export type Db = Database.Database;

export interface OpenDbOptions {
  /** Open read-only and without migrating (status commands on a DB we must not change). */
  readonly?: boolean;
  busyTimeoutMs?: number;
}

/** Opens (creating if needed, mode 0600) the store at `file` and brings its schema up to date. */
export function openDb(file: string, opts: OpenDbOptions = {}): Db {
  const isNew = file !== ':memory:' && !existsSync(file);
  if (file !== ':memory:') {
    try {
      mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    } catch (err) {
      throw dbError(file, err);
    }
  }
  let db: Db;
  try {
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
  } catch (err) {
    throw dbError(file, err);
  }
  if (isNew) {
    try {
      chmodSync(file, 0o600);
    } catch {
      // best effort: a filesystem without modes
    }
  }
  try {
    if (!opts.readonly) migrate(db, file);
  } catch (err) {
    db.close();
    if (err instanceof IcmsError) throw err;
    throw dbError(file, err);
  }
  return db;
}

function dbError(file: string, err: unknown): IcmsError {
  const msg = errorMessage(err);
  let hint = 'check the path in config key `db` (or ICMS_DB) and its directory permissions';
  if (/SQLITE_BUSY|database is locked/i.test(msg)) hint = 'another process holds the database; retry when it finishes';
  if (/SQLITE_FULL|disk is full|ENOSPC/i.test(msg)) hint = 'free disk space on the database volume';
  if (/SQLITE_NOTADB|not a database/i.test(msg)) hint = 'the file is not an icms database; point `db` elsewhere';
  return new IcmsError(`database ${file}: ${msg}`, ExitCode.External, { hint, cause: err });
}

/** Runs `fn` in an IMMEDIATE transaction (writers serialise up front instead of failing mid-way). */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
