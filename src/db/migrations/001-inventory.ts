import type { Migration } from './index.js';

/** Projects, maintainers and the runs journal. */
export const m001Inventory: Migration = {
  version: 1,
  name: 'inventory',
  up: `
CREATE TABLE runs (
  id          INTEGER PRIMARY KEY,
  command     TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  status      TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running','ok','partial','failed','gate')),
  exit_code   INTEGER,
  label       TEXT,
  host        TEXT,
  pid         INTEGER,
  summary     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX runs_started ON runs(started_at);

CREATE TABLE projects (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL DEFAULT 'repo' CHECK (kind IN ('repo','image','local')),
  url         TEXT NOT NULL,
  branch      TEXT NOT NULL DEFAULT '',
  name        TEXT NOT NULL,
  labels      TEXT NOT NULL DEFAULT '{}',
  source      TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','removed')),
  first_seen  TEXT NOT NULL,
  last_seen   TEXT NOT NULL,
  removed_at  TEXT,
  UNIQUE (kind, url, branch)
);

CREATE TABLE maintainers (
  id     INTEGER PRIMARY KEY,
  email  TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name   TEXT NOT NULL
);

CREATE TABLE project_maintainers (
  project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  maintainer_id INTEGER NOT NULL REFERENCES maintainers(id) ON DELETE CASCADE,
  PRIMARY KEY (project_id, maintainer_id)
);
CREATE INDEX project_maintainers_m ON project_maintainers(maintainer_id);

CREATE TABLE inventory_fetches (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER REFERENCES runs(id),
  source      TEXT NOT NULL,
  fetched_at  TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('ok','failed')),
  counts      TEXT NOT NULL DEFAULT '{}',
  error       TEXT
);
`,
};
