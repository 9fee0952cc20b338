import { describe, it, expect } from 'vitest';
import Database from 'better-sqlite3';
import path from 'node:path';
import { statSync } from 'node:fs';
import { openDb } from '../../src/db/open.js';
import { migrate, schemaVersion, SCHEMA_VERSION } from '../../src/db/migrate.js';
import { MIGRATIONS } from '../../src/db/migrations/index.js';
import { IcmsError } from '../../src/shared/errors.js';
import { tmpDir } from '../helpers/tmp.js';

function tableNames(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );
}

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('create the whole schema on an empty file, with WAL and foreign keys, mode 0600', async () => {
    const file = path.join(await tmpDir(), 'icms.db');
    const db = openDb(file);
    try {
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(tableNames(db)).toEqual(
        expect.arrayContaining(['projects', 'maintainers', 'scans', 'packages', 'advisories', 'affected', 'findings', 'acceptances', 'notifications', 'runs']),
      );
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it.each(MIGRATIONS.map((m) => m.version - 1))('upgrade a database at version %i to the latest and keep its rows', async (from) => {
    const file = path.join(await tmpDir(), 'icms.db');
    const raw = new Database(file);
    migrate(raw, file, from);
    expect(schemaVersion(raw)).toBe(from);
    if (from >= 1) {
      raw.prepare("INSERT INTO projects (url, name, source, first_seen, last_seen) VALUES ('https://h/o/r', 'h/o/r', 'file', 't', 't')").run();
    }
    raw.close();
    const db = openDb(file);
    try {
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      if (from >= 1) expect(db.prepare('SELECT url FROM projects').pluck().all()).toEqual(['https://h/o/r']);
      const fresh = openDb(':memory:');
      expect(tableNames(db)).toEqual(tableNames(fresh));
      fresh.close();
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer icms, leaving it untouched', async () => {
    const file = path.join(await tmpDir(), 'icms.db');
    openDb(file).close();
    const raw = new Database(file);
    raw.prepare("INSERT INTO schema_migrations VALUES (?, 'future', 'now')").run(SCHEMA_VERSION + 1);
    raw.close();
    expect(() => openDb(file)).toThrowError(IcmsError);
    expect(() => openDb(file)).toThrowError(/newer than this icms/);
    const check = new Database(file);
    expect(schemaVersion(check)).toBe(SCHEMA_VERSION + 1);
    check.close();
  });

  it('a failing migration rolls back and leaves the previous version', async () => {
    const file = path.join(await tmpDir(), 'icms.db');
    const raw = new Database(file);
    const broken = [...MIGRATIONS.slice(0, 1), { version: 2, name: 'broken', up: 'CREATE TABLE x (a); CREATE TABLE x (a);' }];
    expect(() => migrate(raw, file, 2, broken)).toThrow();
    expect(schemaVersion(raw)).toBe(1);
    expect(tableNames(raw)).not.toContain('x');
    raw.close();
  });
});
