/** SQL for reports and archives: findings with their acceptance, advisory texts, match runs and status changes (trends), latest scans, acceptances. */
import type { Db } from './open.js';
import type { FindingStatus } from '../model/types.js';
import { listFindings, type FindingRow } from './findings.js';

/** A finding as reports read it: the stored row with its acceptance (see `listFindings`). */
export type ReportFindingRow = FindingRow;

/** Findings of the given statuses (all when undefined) and projects, ordered by project, package, group. */
export function listReportFindings(db: Db, opts: { statuses?: readonly FindingStatus[]; projectIds?: readonly number[] } = {}): ReportFindingRow[] {
  return listFindings(db, opts);
}

/** The texts of an advisory a report shows. */
export interface AdvisoryText {
  id: string;
  source: string;
  summary: string | null;
  details: string | null;
  aliases: string[];
  references: { type: string; url: string }[];
  published: string | null;
  modified: string;
}

/** Advisory texts for the given advisory ids (every source that has them), in one pass. */
export function listAdvisoryTexts(db: Db, ids: Iterable<string>): AdvisoryText[] {
  const rows = db
    .prepare(
      `SELECT advisory_id, source, summary, details, aliases, refs, published, modified FROM advisories
       WHERE advisory_id IN (SELECT value FROM json_each(?)) ORDER BY advisory_id, source`,
    )
    .all(JSON.stringify([...new Set(ids)])) as Record<string, string | null>[];
  return rows.map((r) => ({
    id: String(r.advisory_id),
    source: String(r.source),
    summary: r.summary ?? null,
    details: r.details ?? null,
    aliases: JSON.parse(String(r.aliases)) as string[],
    references: JSON.parse(String(r.refs)) as { type: string; url: string }[],
    published: r.published ?? null,
    modified: String(r.modified),
  }));
}

/** One match run: its id and when it wrote its findings. */
export interface MatchRunRow {
  runId: number;
  at: string;
}

/** Match runs recorded at or after `since`, plus the last run before it (the state carried into the window), oldest first. */
export function listMatchRuns(db: Db, since: Date): MatchRunRow[] {
  const at = since.toISOString();
  return db
    .prepare(
      `SELECT run_id AS runId, MIN(at) AS at FROM match_stats
       WHERE at >= ? OR run_id = (SELECT run_id FROM match_stats WHERE at < ? ORDER BY at DESC, run_id DESC LIMIT 1)
       GROUP BY run_id ORDER BY at, run_id`,
    )
    .all(at, at) as MatchRunRow[];
}

/**
 * Every status change of every finding as `[findingId, at, toStatus]`, by finding then in the order written
 * (events that only note something, such as a KEV listing, are left out). Iterated, not loaded: one row per change.
 */
export function iterateStatusChanges(db: Db): Iterable<[findingId: number, at: string, status: FindingStatus]> {
  return db
    .prepare('SELECT finding_id, at, to_status FROM finding_events WHERE from_status IS NOT to_status ORDER BY finding_id, id')
    .raw()
    .iterate() as Iterable<[number, string, FindingStatus]>;
}

/** The most recent scan of each project. */
export interface LatestScanRow {
  projectId: number;
  startedAt: string;
  finishedAt: string | null;
  status: string;
  commitSha: string | null;
  packageCount: number | null;
  error: string | null;
}

/** The latest scan (any outcome) of every project that has one. */
export function listLatestScans(db: Db): LatestScanRow[] {
  return db
    .prepare(
      `SELECT project_id AS projectId, started_at AS startedAt, finished_at AS finishedAt, status, commit_sha AS commitSha,
              package_count AS packageCount, error
       FROM scans WHERE id IN (SELECT MAX(id) FROM scans GROUP BY project_id) ORDER BY project_id`,
    )
    .all() as LatestScanRow[];
}

/** Every acceptance ever recorded (revoked ones included: the archive is an audit trail). */
export function listAcceptanceRows(db: Db): Record<string, unknown>[] {
  return db
    .prepare(
      `SELECT a.id, a.advisory_id, a.kind, p.name AS project, a.all_projects, a.package, a.package_version, a.reason, a.expires,
              a.created_by, a.created_at, a.revoked_at, a.revoked_by
       FROM acceptances a LEFT JOIN projects p ON p.id = a.project_id ORDER BY a.id`,
    )
    .all() as Record<string, unknown>[];
}
