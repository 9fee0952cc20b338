/** SQL for notifications, part one: who maintains what, and the findings a digest or an alert tells (the ledger is in notifications.ts). */
import type { EpssInfo, KevInfo } from '../model/match.js';
import { KEV_LISTED_NOTE } from './finding-writer.js';
import type { Db } from './open.js';
import type { FindingStatus, Maintainer, Severity } from '../model/types.js';
import { NO_DETAILS, readFindingDetails, type SharedDetails } from './findings.js';
import { reasonSentences } from '../model/match-reason.js';

/** A maintainer with their active projects. */
export interface Recipient extends Maintainer {
  projects: { id: number; name: string }[];
}

/** A finding as a notification shows it: project, advisory title, acceptance facts. */
export interface NotifyFinding {
  id: number;
  projectId: number;
  project: string;
  branch: string;
  ecosystem: string;
  package: string;
  version: string;
  groupId: string;
  /** The advisories behind the finding (id and source, for links). */
  advisories: { id: string; source: string }[];
  aliases: string[];
  severity: Severity;
  envSeverity: Severity | null;
  fixedVersion: string | null;
  status: FindingStatus;
  statusNote: string | null;
  acceptanceExpires: string | null;
  /** The reason of the finding's acceptance, or of the one that lapsed (triage reopens those with note 'acceptance expired'). */
  acceptanceReason: string | null;
  firstSeen: string;
  fixedAt: string | null;
  lastRunId: number | null;
  /** The advisory summary as the source wrote it (untrusted text). */
  title: string | null;
  /** The alias group's CISA KEV listing and EPSS score (null: none). */
  kev?: KevInfo | null;
  epss?: EpssInfo | null;
  /** The severity on the configured basis (`triage.severity_source`), set by the notify stage; else envSeverity ?? severity. */
  basisSeverity?: Severity;
  /** Why it matched, as the first sentence `icms explain` prints (null: no stored verdict). */
  reason?: string | null;
  /**
   * The RUSTSEC kind ('unmaintained', 'unsound', 'notice') when every advisory that matched is informational
   * (OSV `database_specific.informational`) and no source rates the finding: a notice, not a vulnerability.
   */
  informational?: string | null;
}

/** Maintainers of at least one active project, with those projects. */
export function listRecipients(db: Db): Recipient[] {
  const rows = db
    .prepare(
      `SELECT m.email, m.name, p.id AS project_id, p.name AS project FROM maintainers m
       JOIN project_maintainers pm ON pm.maintainer_id = m.id JOIN projects p ON p.id = pm.project_id
       WHERE p.status = 'active' ORDER BY lower(m.email), p.id`,
    )
    .all() as { email: string; name: string; project_id: number; project: string }[];
  const byEmail = new Map<string, Recipient>();
  for (const r of rows) {
    const key = r.email.toLowerCase();
    const rec = byEmail.get(key) ?? { email: r.email, name: r.name, projects: [] };
    rec.projects.push({ id: r.project_id, name: r.project });
    byEmail.set(key, rec);
  }
  return [...byEmail.values()];
}

/** Maintainers of each active project, by project id (the alert names the owners). */
export function projectOwners(db: Db): Map<number, Maintainer[]> {
  const out = new Map<number, Maintainer[]>();
  for (const r of listRecipients(db)) {
    for (const { id } of r.projects) {
      const owners = out.get(id);
      if (owners) owners.push({ name: r.name, email: r.email });
      else out.set(id, [{ name: r.name, email: r.email }]);
    }
  }
  return out;
}

/** Which findings to read: those of some projects, or some finding ids (all of the active projects when empty). */
export interface NotifyFindingFilter {
  projectIds?: readonly number[];
  ids?: readonly number[];
}

/** Every finding of the active projects (all statuses), with its acceptance expiry and advisory title. */
export function listNotifyFindings(db: Db, filter: NotifyFindingFilter = {}): NotifyFinding[] {
  return [...notifyFindingReader(db)(filter)];
}

/**
 * A reader of notify findings that keeps its statements and the advisory titles it looked up between calls, so
 * notify can read one recipient's projects at a time instead of the whole portfolio at once. Each call yields the
 * findings one at a time (ordered by id) as its statement steps; consume it before the next write to the database.
 */
export function notifyFindingReader(db: Db): (filter?: NotifyFindingFilter) => Iterable<NotifyFinding> {
  const summary = db.prepare('SELECT summary FROM advisories WHERE source = ? AND advisory_id = ?').pluck();
  const informationalOf = informationalLookup(db);
  const detailsOf = detailsLoader(db);
  const titles = new Map<string, string | null>();
  const titleOf = (advisories: { id: string; source: string }[]): string | null => {
    for (const a of advisories) {
      const key = `${a.source}\0${a.id}`;
      if (!titles.has(key)) titles.set(key, (summary.get(a.source, a.id) as string | null | undefined) ?? null);
      const t = titles.get(key);
      if (t) return t;
    }
    return null;
  };
  const select = (where: string) =>
    db.prepare(
      `SELECT f.*, p.name AS project, p.branch AS branch, a.expires AS acc_expires, a.revoked_at AS acc_revoked, a.reason AS acc_reason
       FROM findings f JOIN projects p ON p.id = f.project_id
       LEFT JOIN acceptances a ON a.id = COALESCE(f.acceptance_id, CASE WHEN f.status_note LIKE 'acceptance %' THEN (
         -- a lapsed acceptance is unlinked by triage (note 'acceptance expired' or 'acceptance revoked'); its last
         -- 'acceptance #<id>' event still names it. Other findings never had one: no lookup in the history for them.
         SELECT CAST(substr(e.note, 13) AS INTEGER) FROM finding_events e
         WHERE e.finding_id = f.id AND e.note LIKE 'acceptance #%' ORDER BY e.id DESC LIMIT 1) END)
       WHERE p.status = 'active' ${where} ORDER BY f.id`,
    );
  const all = select('');
  const ofProjects = select('AND f.project_id IN (SELECT value FROM json_each(?))');
  const ofIds = select('AND f.id IN (SELECT value FROM json_each(?))');
  return (filter = {}) => {
    const rows = (
      filter.projectIds ? ofProjects.iterate(JSON.stringify(filter.projectIds)) : filter.ids ? ofIds.iterate(JSON.stringify(filter.ids)) : all.iterate()
    ) as Iterable<Record<string, unknown>>;
    return notifyRows(rows, detailsOf(), titleOf, informationalOf);
  };
}

/**
 * The informational kind of a stored advisory, read where the sync keeps it: RustSec writes it in each affected
 * entry's `database_specific.informational` (the `affected` table), OSV allows it at the top level too (the raw
 * record). Looked up once per advisory; undefined when the advisory is a vulnerability (or not stored).
 */
function informationalLookup(db: Db): (a: { id: string; source: string }) => string | undefined {
  const stmt = db
    .prepare(
      `SELECT COALESCE(
         (SELECT i FROM (SELECT CASE WHEN json_valid(af.database_specific) THEN af.database_specific ->> '$.informational' END AS i
            FROM affected af WHERE af.advisory_rowid = adv.id) WHERE i IS NOT NULL LIMIT 1),
         (SELECT CASE WHEN json_valid(r.raw) THEN r.raw ->> '$.database_specific.informational' END FROM advisory_raw r WHERE r.advisory_rowid = adv.id))
       FROM advisories adv WHERE adv.source = ? AND adv.advisory_id = ?`,
    )
    .pluck();
  const cache = new Map<string, string | undefined>();
  return (a) => {
    const key = `${a.source}\0${a.id}`;
    if (!cache.has(key)) {
      const v = stmt.get(a.source, a.id) as unknown;
      cache.set(key, typeof v === 'string' && v.trim() !== '' ? v : undefined);
    }
    return cache.get(key);
  };
}

/** A finding's advisory refs and aliases, parsed once per stored text and shared (frozen) by the findings using it. */
interface NotifyDetails {
  advisories: { id: string; source: string }[];
  aliases: string[];
  reason: string | null;
  kev: KevInfo | null;
  epss: EpssInfo | null;
}

/** The stored advisory texts (`readFindingDetails`, read on first use) as notify needs them. */
function detailsLoader(db: Db): () => ReadonlyMap<number, NotifyDetails> {
  let details: Map<number, NotifyDetails> | undefined;
  return () => {
    details ??= new Map([...readFindingDetails(db)].map(([id, d]) => [id, toNotifyDetails(d)]));
    return details;
  };
}

function toNotifyDetails(d: SharedDetails): NotifyDetails {
  const advisories = Object.freeze(advisoryRefs(d.reason).map((a) => Object.freeze(a))) as NotifyDetails['advisories'];
  return Object.freeze({ advisories, aliases: d.aliases, reason: reasonSentences(d.reason)[0] ?? null, kev: d.kev, epss: d.epss });
}

const NO_NOTIFY_DETAILS = toNotifyDetails(NO_DETAILS);

function* notifyRows(
  rows: Iterable<Record<string, unknown>>,
  details: ReadonlyMap<number, NotifyDetails>,
  titleOf: (advisories: { id: string; source: string }[]) => string | null,
  informationalOf: (a: { id: string; source: string }) => string | undefined,
): Generator<NotifyFinding> {
  // One row at a time: a caller that keeps only some (the alert) never holds them all.
  for (const r of rows) {
    const d = (r.details_id === null ? undefined : details.get(r.details_id as number)) ?? NO_NOTIFY_DETAILS;
    const advisories = d.advisories;
    yield {
      id: r.id as number,
      projectId: r.project_id as number,
      project: r.project as string,
      branch: r.branch as string,
      ecosystem: r.ecosystem as string,
      package: r.package as string,
      version: r.version as string,
      groupId: r.group_id as string,
      advisories,
      aliases: d.aliases,
      severity: r.severity as Severity,
      envSeverity: (r.env_severity as Severity | null) ?? null,
      fixedVersion: (r.fixed_version as string | null) ?? null,
      status: r.status as FindingStatus,
      statusNote: (r.status_note as string | null) ?? null,
      acceptanceExpires: r.acc_revoked ? null : ((r.acc_expires as string | null) ?? null),
      acceptanceReason: (r.acc_reason as string | null) ?? null,
      firstSeen: r.first_seen as string,
      fixedAt: (r.fixed_at as string | null) ?? null,
      lastRunId: (r.last_run_id as number | null) ?? null,
      title: titleOf(advisories),
      kev: d.kev,
      epss: d.epss,
      reason: d.reason,
      // a rated finding stays a vulnerability even when RustSec files it as informational (e.g. an unsound crate with a rated CVE)
      informational: r.severity === 'UNKNOWN' ? notice(advisories, informationalOf) : null,
    };
  }
}

/** The informational kind when every matched advisory has one (the first advisory's), else null. */
function notice(advisories: readonly { id: string; source: string }[], informationalOf: (a: { id: string; source: string }) => string | undefined): string | null {
  if (advisories.length === 0) return null;
  const kinds = advisories.map(informationalOf);
  return kinds.every((k) => k !== undefined) ? kinds[0]! : null;
}

/** The (id, source) of each advisory verdict in a finding's parsed reason. */
function advisoryRefs(parsed: unknown): { id: string; source: string }[] {
  if (!Array.isArray(parsed)) return [];
  return parsed
    .filter((a): a is { id: string; source: string } => typeof a === 'object' && a !== null && typeof a.id === 'string' && typeof a.source === 'string')
    .map((a) => ({ id: a.id, source: a.source }));
}

/** The most recent run that applied a match (match, or scan with --fail-on): the alert's period. */
export function latestMatchRunId(db: Db): number | undefined {
  return (db.prepare('SELECT MAX(run_id) FROM match_stats').pluck().get() as number | null) ?? undefined;
}

/**
 * The match run after which the next alert starts: the latest run before `below` that a sent alert covered
 * (period `match-run-<id>`); when no alert was ever sent, the run just before the first alert attempted
 * (a failed first alert must not lose its findings); undefined when none was ever attempted.
 */
export function lastAlertedRunId(db: Db, below: number): number | undefined {
  const run = "CAST(substr(period, 11) AS INTEGER)";
  const where = `kind = 'alert' AND period LIKE 'match-run-%' AND ${run} < ?`;
  const sent = db.prepare(`SELECT MAX(${run}) FROM notifications WHERE ${where} AND state = 'sent'`).pluck().get(below) as number | null;
  if (sent !== null) return sent;
  const first = db.prepare(`SELECT MIN(${run}) FROM notifications WHERE ${where}`).pluck().get(below) as number | null;
  return first === null ? undefined : first - 1;
}

/**
 * Findings that became new or reopened in a match run after `afterRunId` up to `upToRunId` (only that run
 * when `afterRunId` is undefined), whatever their status now: two match runs between alerts lose nothing. A finding
 * CISA listed as exploited since it was first seen counts too (its `kev-listed` event): it is alerted once more.
 */
export function findingsNewInRuns(db: Db, afterRunId: number | undefined, upToRunId: number): Set<number> {
  const ids = db
    .prepare(`SELECT DISTINCT finding_id FROM finding_events WHERE (to_status IN ('new', 'reopened') OR note = '${KEV_LISTED_NOTE}') AND run_id > ? AND run_id <= ?`)
    .pluck()
    .all(afterRunId ?? upToRunId - 1, upToRunId) as number[];
  return new Set(ids);
}
