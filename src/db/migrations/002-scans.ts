import type { Migration } from './index.js';

/** Scan history and each project's current package set. */
export const m002Scans: Migration = {
  version: 2,
  name: 'scans',
  up: `
CREATE TABLE scans (
  id            INTEGER PRIMARY KEY,
  project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  run_id        INTEGER REFERENCES runs(id),
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  status        TEXT NOT NULL CHECK (status IN ('running','ok','skipped','failed')),
  commit_sha    TEXT,
  trivy_path    TEXT,
  trivy_version TEXT,
  duration_ms   INTEGER,
  package_count INTEGER,
  counts        TEXT NOT NULL DEFAULT '{}',
  label         TEXT,
  warnings      TEXT NOT NULL DEFAULT '[]',
  error         TEXT
);
CREATE INDEX scans_project ON scans(project_id, started_at);
CREATE INDEX scans_project_ok ON scans(project_id, status, id);

CREATE TABLE packages (
  id           INTEGER PRIMARY KEY,
  project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  scan_id      INTEGER NOT NULL REFERENCES scans(id),
  ecosystem    TEXT NOT NULL,
  name         TEXT NOT NULL,
  version      TEXT NOT NULL,
  pkg_type     TEXT NOT NULL,
  target       TEXT NOT NULL,
  purl         TEXT,
  indirect     INTEGER NOT NULL DEFAULT 0,
  depends_on   TEXT,
  src_name     TEXT,
  src_version  TEXT,
  match_name   TEXT NOT NULL,
  match_version TEXT NOT NULL,
  unmapped     INTEGER NOT NULL DEFAULT 0,
  UNIQUE (project_id, ecosystem, name, version, target)
);
CREATE INDEX packages_match ON packages(ecosystem, match_name);
`,
};
