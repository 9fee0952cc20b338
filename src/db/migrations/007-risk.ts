import type { Migration } from './index.js';

/**
 * Ratings and exploitation signals (issue 16). NVD records are advisories of their own source (no affected
 * entries, so they rate and never match); CISA KEV entries and FIRST EPSS scores are per CVE, in tables of their own,
 * each row tagged with the source that gave it (a sync replaces that source's rows). A finding's advisory text gains
 * which record gave its rating and the KEV / EPSS facts of its alias group, so a re-rating rewrites the text, never
 * the finding's lifecycle.
 */
export const m007Risk: Migration = {
  version: 7,
  name: 'risk',
  up: `
CREATE TABLE kev_entries (
  cve              TEXT PRIMARY KEY,
  source           TEXT NOT NULL,
  date_added       TEXT,
  due_date         TEXT,
  ransomware       TEXT,
  required_action  TEXT,
  vendor           TEXT,
  product          TEXT,
  name             TEXT
) WITHOUT ROWID;
CREATE INDEX kev_entries_source ON kev_entries(source);

CREATE TABLE epss_scores (
  cve         TEXT PRIMARY KEY,
  source      TEXT NOT NULL,
  score       REAL NOT NULL,
  percentile  REAL NOT NULL,
  date        TEXT
) WITHOUT ROWID;
CREATE INDEX epss_scores_source ON epss_scores(source);

ALTER TABLE finding_details ADD COLUMN severity_source TEXT;
ALTER TABLE finding_details ADD COLUMN kev TEXT;
ALTER TABLE finding_details ADD COLUMN epss TEXT;
DROP VIEW findings_full;
CREATE VIEW findings_full AS
  SELECT f.*, COALESCE(d.advisory_ids, '[]') AS advisory_ids, COALESCE(d.aliases, '[]') AS aliases, d.cvss_vector AS cvss_vector, COALESCE(d.reason, '[]') AS reason,
         d.severity_source AS severity_source, d.kev AS kev, d.epss AS epss
  FROM findings f LEFT JOIN finding_details d ON d.id = f.details_id;
`,
};
