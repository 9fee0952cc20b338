import type { Migration } from './index.js';

/**
 * A finding's advisory text (its advisory ids, aliases, CVSS vector and the reason JSON) is the same for every
 * project with that package version matched by those advisories: on a portfolio of 2,000 projects, 281k findings
 * carry about a thousand distinct texts, and that text was two thirds of each finding row's bytes. It now lives
 * once in `finding_details`, which findings reference; `findings_full` joins it back for readers.
 *
 * `content_hash` goes too: a match now compares the details id and the few per-finding columns directly.
 * Columns are dropped with ALTER TABLE (the table is not rebuilt: dropping it would cascade to finding_events).
 */
export const m006FindingDetails: Migration = {
  version: 6,
  name: 'finding-details',
  up: `
CREATE TABLE finding_details (
  id            INTEGER PRIMARY KEY,
  advisory_ids  TEXT NOT NULL DEFAULT '[]',
  aliases       TEXT NOT NULL DEFAULT '[]',
  cvss_vector   TEXT,
  reason        TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO finding_details (advisory_ids, aliases, cvss_vector, reason)
  SELECT DISTINCT advisory_ids, aliases, cvss_vector, reason FROM findings;
CREATE INDEX finding_details_text ON finding_details(reason, advisory_ids, aliases, cvss_vector);
-- set by every match run. No REFERENCES clause: with foreign keys on, each delete of an unused details row would
-- scan every finding (or need an index on this column that each of a first match's inserts would pay for);
-- match deletes the rows no finding uses any more in one statement instead.
ALTER TABLE findings ADD COLUMN details_id INTEGER;
UPDATE findings SET details_id = (
  SELECT d.id FROM finding_details d
  WHERE d.reason = findings.reason AND d.advisory_ids = findings.advisory_ids AND d.aliases = findings.aliases AND d.cvss_vector IS findings.cvss_vector);
DROP INDEX finding_details_text;
ALTER TABLE findings DROP COLUMN advisory_ids;
ALTER TABLE findings DROP COLUMN aliases;
ALTER TABLE findings DROP COLUMN cvss_vector;
ALTER TABLE findings DROP COLUMN reason;
ALTER TABLE findings DROP COLUMN content_hash;
-- findings with their advisory text, as reports and triage read them
CREATE VIEW findings_full AS
  SELECT f.*, COALESCE(d.advisory_ids, '[]') AS advisory_ids, COALESCE(d.aliases, '[]') AS aliases, d.cvss_vector AS cvss_vector, COALESCE(d.reason, '[]') AS reason
  FROM findings f LEFT JOIN finding_details d ON d.id = f.details_id;
`,
};
