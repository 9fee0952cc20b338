import type { Migration } from './index.js';

/** Findings and their history, triage acceptances, the notification ledger and match statistics. */
export const m004Findings: Migration = {
  version: 4,
  name: 'findings',
  up: `
CREATE TABLE acceptances (
  id              INTEGER PRIMARY KEY,
  advisory_id     TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('accepted','false_positive')),
  project_id      INTEGER REFERENCES projects(id),
  all_projects    INTEGER NOT NULL DEFAULT 0,
  package         TEXT,
  package_version TEXT,
  reason          TEXT NOT NULL CHECK (length(trim(reason)) > 0),
  expires         TEXT,
  created_by      TEXT,
  created_at      TEXT NOT NULL,
  revoked_at      TEXT,
  revoked_by      TEXT,
  CHECK (all_projects = 1 OR project_id IS NOT NULL)
);
CREATE INDEX acceptances_advisory ON acceptances(advisory_id);

CREATE TABLE findings (
  id             INTEGER PRIMARY KEY,
  project_id     INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  group_id       TEXT NOT NULL,
  ecosystem      TEXT NOT NULL,
  package        TEXT NOT NULL,
  version        TEXT NOT NULL,
  advisory_ids   TEXT NOT NULL DEFAULT '[]',
  aliases        TEXT NOT NULL DEFAULT '[]',
  severity       TEXT NOT NULL DEFAULT 'UNKNOWN',
  cvss_score     REAL,
  cvss_vector    TEXT,
  env_score      REAL,
  env_severity   TEXT,
  fixed_version  TEXT,
  targets        TEXT NOT NULL DEFAULT '[]',
  reason         TEXT NOT NULL DEFAULT '{}',
  status         TEXT NOT NULL CHECK (status IN ('new','open','fixed','reopened','accepted','false_positive')),
  status_note    TEXT,
  acceptance_id  INTEGER REFERENCES acceptances(id),
  first_seen     TEXT NOT NULL,
  last_seen      TEXT NOT NULL,
  fixed_at       TEXT,
  last_run_id    INTEGER REFERENCES runs(id),
  -- fingerprint of the matched content (advisories, scores, fix, targets, reason): unchanged rows are not rewritten
  content_hash   TEXT,
  UNIQUE (project_id, group_id, ecosystem, package, version)
);
CREATE INDEX findings_status ON findings(status);
CREATE INDEX findings_group ON findings(group_id);

CREATE TABLE finding_events (
  id          INTEGER PRIMARY KEY,
  finding_id  INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
  run_id      INTEGER REFERENCES runs(id),
  at          TEXT NOT NULL,
  from_status TEXT,
  to_status   TEXT NOT NULL,
  note        TEXT
);
CREATE INDEX finding_events_finding ON finding_events(finding_id);

-- per match run: counts by severity and status, for trends and 'since last run' summaries
CREATE TABLE match_stats (
  run_id    INTEGER NOT NULL REFERENCES runs(id),
  at        TEXT NOT NULL,
  severity  TEXT NOT NULL,
  status    TEXT NOT NULL,
  count     INTEGER NOT NULL,
  PRIMARY KEY (run_id, severity, status)
);

CREATE TABLE notifications (
  id            INTEGER PRIMARY KEY,
  recipient     TEXT NOT NULL COLLATE NOCASE,
  kind          TEXT NOT NULL CHECK (kind IN ('digest','alert')),
  period        TEXT NOT NULL,
  content_hash  TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('pending','sent','failed')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  message_id    TEXT,
  smtp_response TEXT,
  error         TEXT,
  finding_ids   TEXT NOT NULL DEFAULT '[]',
  created_at    TEXT NOT NULL,
  sent_at       TEXT,
  run_id        INTEGER REFERENCES runs(id),
  -- 1 when a 'pending' row (crash between SMTP acceptance and this write) was closed as sent without proof
  unconfirmed   INTEGER NOT NULL DEFAULT 0,
  transport     TEXT,
  UNIQUE (recipient, kind, period)
);
`,
};
