import type { Migration } from './index.js';

/** Advisories normalised to OSV, their affected entries, alias groups and per-source sync state. */
export const m003Advisories: Migration = {
  version: 3,
  name: 'advisories',
  up: `
CREATE TABLE advisory_sources (
  name           TEXT PRIMARY KEY,
  kind           TEXT NOT NULL,
  location       TEXT,
  etag           TEXT,
  last_modified  TEXT,
  watermark      TEXT,
  last_sync_at   TEXT,
  last_status    TEXT,
  last_error     TEXT,
  state          TEXT NOT NULL DEFAULT '{}'
);

-- per-source watermark for file/zip-entry sources: an entry whose fingerprint (size+mtime, or zip
-- CRC+size) is unchanged is not read again
CREATE TABLE advisory_files (
  source       TEXT NOT NULL,
  path         TEXT NOT NULL,
  fingerprint  TEXT NOT NULL,
  advisory_id  TEXT NOT NULL,
  PRIMARY KEY (source, path)
) WITHOUT ROWID;

CREATE TABLE advisories (
  id             INTEGER PRIMARY KEY,
  source         TEXT NOT NULL,
  advisory_id    TEXT NOT NULL,
  modified       TEXT NOT NULL,
  published      TEXT,
  withdrawn      TEXT,
  summary        TEXT,
  details        TEXT,
  severity_text  TEXT,
  cvss           TEXT NOT NULL DEFAULT '[]',
  base_score     REAL,
  severity       TEXT NOT NULL DEFAULT 'UNKNOWN',
  aliases        TEXT NOT NULL DEFAULT '[]',
  refs           TEXT NOT NULL DEFAULT '[]',
  -- sha1 of the raw record: sources without a usable 'modified' (vtopia) compare content instead
  content_hash   TEXT,
  group_id       TEXT,
  UNIQUE (source, advisory_id)
);
CREATE INDEX advisories_id ON advisories(advisory_id);
CREATE INDEX advisories_group ON advisories(group_id);

-- the record as the source sent it, apart so that rewriting an advisory row (group_id) stays cheap
CREATE TABLE advisory_raw (
  advisory_rowid INTEGER PRIMARY KEY REFERENCES advisories(id) ON DELETE CASCADE,
  raw            TEXT NOT NULL
);

CREATE TABLE advisory_aliases (
  advisory_rowid INTEGER NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,
  alias          TEXT NOT NULL,
  PRIMARY KEY (advisory_rowid, alias)
);
CREATE INDEX advisory_aliases_alias ON advisory_aliases(alias);

-- alias -> canonical id of its group (transitive closure of aliases; the CVE preferred)
CREATE TABLE alias_groups (
  alias     TEXT PRIMARY KEY,
  group_id  TEXT NOT NULL
);
CREATE INDEX alias_groups_group ON alias_groups(group_id);

CREATE TABLE affected (
  id                  INTEGER PRIMARY KEY,
  advisory_rowid      INTEGER NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,
  ecosystem           TEXT NOT NULL,
  name                TEXT NOT NULL,
  raw_name            TEXT NOT NULL,
  purl                TEXT,
  ranges              TEXT NOT NULL DEFAULT '[]',
  versions            TEXT NOT NULL DEFAULT '[]',
  last_known_affected TEXT,
  ecosystem_specific  TEXT,
  database_specific   TEXT
);
CREATE INDEX affected_match ON affected(ecosystem, name);
CREATE INDEX affected_name ON affected(name);
CREATE INDEX affected_advisory ON affected(advisory_rowid);
`,
};
