/** Opening the SQLite store: WAL, foreign keys, busy timeout, migrations applied. */
import Database from 'better-sqlite3';
import { accessSync, constants, mkdirSync, existsSync, chmodSync } from 'node:fs';
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
  if (!isNew && !opts.readonly && file !== ':memory:') {
    try {
      accessSync(file, constants.R_OK | constants.W_OK); // SQLite would open a write-protected file read-only, silently
    } catch (err) {
      throw dbError(file, err);
    }
  }
  let db: Db | undefined;
  try {
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db?.close(); // a handle left open keeps the file (and its volume) busy
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
  const text = `${String((err as { code?: unknown } | null)?.code ?? '')} ${msg}`;
  let hint = 'check the path in config key `db` (or ICMS_DB) and its directory permissions';
  if (/SQLITE_BUSY|database is locked/i.test(text)) hint = 'another process holds the database; retry when it finishes';
  if (/SQLITE_FULL|disk is full|ENOSPC/i.test(text)) hint = 'free disk space on the database volume';
  if (/SQLITE_IOERR|disk I\/O error/i.test(text)) hint = 'the disk failed a read or write: check free space on the database volume (df) and its health';
  if (/SQLITE_NOTADB|not a database/i.test(text)) hint = 'the file is not an icms database; point `db` elsewhere';
  if (/SQLITE_CORRUPT|malformed/i.test(text)) hint = 'the database file is damaged: restore it from a backup (`sqlite3 <db> .recover` may save data)';
  if (/SQLITE_READONLY|EACCES|EROFS|EPERM|readonly/i.test(text)) hint = 'the database file or its directory is not writable by this user (or on a read-only mount)';
  return new IcmsError(`database ${file}: ${msg}`, ExitCode.External, { hint, cause: err });
}

/** A SQLite failure raised after opening (busy, read-only, disk full, I/O, corruption) as an External IcmsError. */
export function asDatabaseError(err: unknown): IcmsError | undefined {
  return err instanceof Database.SqliteError ? dbError('error', err) : undefined;
}

/** Runs `fn` in an IMMEDIATE transaction (writers serialise up front instead of failing mid-way). */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

/**
 * `inTransaction` for work that waits in between (e.g. for a worker thread): BEGIN IMMEDIATE, COMMIT when `fn`
 * resolves, ROLLBACK when it rejects. Nothing else may use `db` until it settles.
 */
export async function inAsyncTransaction<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  db.exec('BEGIN IMMEDIATE');
  try {
    const value = await fn();
    db.exec('COMMIT');
    return value;
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
