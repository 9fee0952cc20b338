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

  it('version 6 moves each distinct advisory text of the findings into finding_details, keeping every finding and event', async () => {
    const file = path.join(await tmpDir(), 'icms.db');
    const raw = new Database(file);
    migrate(raw, file, 5);
    raw.prepare("INSERT INTO projects (id, url, name, source, first_seen, last_seen) VALUES (1, 'https://h/o/a', 'h/o/a', 'file', 't', 't'), (2, 'https://h/o/b', 'h/o/b', 'file', 't', 't')").run();
    const insert = raw.prepare(`INSERT INTO findings (project_id, group_id, ecosystem, package, version, advisory_ids, aliases, severity, cvss_vector, reason, status, first_seen, last_seen, content_hash)
      VALUES (?, ?, 'npm', 'axios', '0.21.0', ?, ?, 'HIGH', ?, ?, 'open', 't', 't', 'h')`);
    const texts = {
      a: ['["GHSA-1"]', '["GHSA-1","CVE-1"]', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', '[{"id":"GHSA-1","fixed":"0.21.1"}]'],
      b: ['["GHSA-2"]', '["GHSA-2"]', null, '[{"id":"GHSA-2"}]'],
    } as const;
    insert.run(1, 'CVE-1', ...texts.a);
    insert.run(2, 'CVE-1', ...texts.a);
    insert.run(1, 'GHSA-2', ...texts.b);
    raw.prepare("INSERT INTO finding_events (finding_id, at, to_status) SELECT id, 't', 'new' FROM findings").run();
    raw.close();

    const db = openDb(file);
    try {
      const rows = db.prepare('SELECT project_id, group_id, advisory_ids, aliases, cvss_vector, reason FROM findings_full ORDER BY id').raw().all();
      expect(rows).toEqual([
        [1, 'CVE-1', ...texts.a],
        [2, 'CVE-1', ...texts.a],
        [1, 'GHSA-2', ...texts.b],
      ]);
      expect(db.prepare('SELECT COUNT(*) FROM finding_details').pluck().get()).toBe(2);
      expect(db.prepare('SELECT COUNT(*) FROM finding_events').pluck().get()).toBe(3);
      const columns = (db.prepare('SELECT * FROM findings LIMIT 0').columns() as { name: string }[]).map((c) => c.name);
      expect(columns).not.toContain('reason');
      expect(columns).not.toContain('content_hash');
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
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
