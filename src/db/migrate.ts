/** Versioned schema migrations: each applied in its own transaction, recorded in schema_migrations. */
import type Database from 'better-sqlite3';
import { IcmsError, ExitCode } from '../shared/errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** The schema version this build of icms writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The version recorded in the database (0 for an empty file). */
export function schemaVersion(db: Database.Database): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Applies every pending migration up to `target` (default: all). A database written by a newer icms is
 * refused rather than guessed at.
 */
export function migrate(db: Database.Database, file: string, target = SCHEMA_VERSION, migrations: readonly Migration[] = MIGRATIONS): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new IcmsError(
      `database ${file} has schema version ${current}, newer than this icms understands (${migrations.length})`,
      ExitCode.External,
      { hint: 'upgrade icms, or point `db` at another file' },
    );
  }
  for (const m of migrations) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      db.exec(m.up);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    }).immediate();
  }
  return schemaVersion(db);
}
