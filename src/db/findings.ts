/** Reading findings: the rows with their shared advisory texts, states at a run, run references. */
import type { Db } from './open.js';
import type { FindingStatus, Severity } from '../model/types.js';
import type { EpssInfo, KevInfo } from '../model/match.js';

/** A stored finding joined with its project, as reports and `match --format json` show it. */
export interface FindingRow {
  id: number;
  projectId: number;
  project: string;
  ecosystem: string;
  package: string;
  version: string;
  groupId: string;
  advisoryIds: string[];
  aliases: string[];
  severity: Severity;
  cvssScore: number | null;
  cvssVector: string | null;
  envScore: number | null;
  envSeverity: Severity | null;
  fixedVersion: string | null;
  status: FindingStatus;
  statusNote: string | null;
  acceptanceId: number | null;
  firstSeen: string;
  lastSeen: string;
  fixedAt: string | null;
  targets: string[];
  reason: unknown;
  acceptance: FindingAcceptance | null;
  /** Which record gave the rating, e.g. `nvd:CVE-2024-45337 (nvd@nist.gov, Primary)`; null when nothing rates it. */
  severitySource: string | null;
  /** The alias group's CISA KEV listing, or null. */
  kev: KevInfo | null;
  /** The alias group's FIRST EPSS score, or null. */
  epss: EpssInfo | null;
}

/** The acceptance covering a finding, as reports show it. */
export interface FindingAcceptance {
  id: number;
  kind: string;
  reason: string;
  expires: string | null;
  createdBy: string | null;
}

/** Stored findings (with their acceptance), filtered by status and project ids, ordered by project, package, group, version. */
export function listFindings(db: Db, opts: { statuses?: readonly FindingStatus[]; projectIds?: readonly number[] } = {}): FindingRow[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (opts.statuses) {
    where.push(`f.status IN (SELECT value FROM json_each(?))`);
    args.push(JSON.stringify(opts.statuses));
  }
  if (opts.projectIds) {
    where.push(`f.project_id IN (SELECT value FROM json_each(?))`);
    args.push(JSON.stringify(opts.projectIds));
  }
  const details = readFindingDetails(db);
  const stmt = db.prepare(`
    SELECT f.id, f.project_id, p.name, f.ecosystem, f.package, f.version, f.group_id, f.details_id, f.severity, f.cvss_score, f.env_score, f.env_severity,
           f.fixed_version, f.status, f.status_note, f.acceptance_id, f.first_seen, f.last_seen, f.fixed_at, f.targets,
           a.kind, a.reason, a.expires, a.created_by
    FROM findings f JOIN projects p ON p.id = f.project_id LEFT JOIN acceptances a ON a.id = f.acceptance_id
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY p.name, f.package, f.group_id, f.version`);
  const out: FindingRow[] = [];
  const targetsOf = sharedJsonParser();
  for (const r of stmt.raw().iterate(...args) as Iterable<unknown[]>) out.push(toFindingRow(r, details, targetsOf));
  return out;
}

/** A finding's advisory text, parsed (frozen: shared by every finding that uses it). */
export interface SharedDetails {
  advisoryIds: string[];
  aliases: string[];
  cvssVector: string | null;
  reason: unknown;
  severitySource: string | null;
  kev: KevInfo | null;
  epss: EpssInfo | null;
}

/** What a finding without a details row (never stored by icms) reads as. */
export const NO_DETAILS: SharedDetails = Object.freeze({ advisoryIds: Object.freeze([]) as unknown as string[], aliases: Object.freeze([]) as unknown as string[], cvssVector: null, reason: Object.freeze([]), severitySource: null, kev: null, epss: null });

/** Every stored advisory text by id, parsed and frozen; they are few (one per distinct text), so readers take them all at once. */
export function readFindingDetails(db: Db): Map<number, SharedDetails> {
  const details = new Map<number, SharedDetails>();
  const rows = db.prepare('SELECT id, advisory_ids, aliases, cvss_vector, reason, severity_source, kev, epss FROM finding_details').raw().iterate() as Iterable<[number, string, string, string | null, string, string | null, string | null, string | null]>;
  for (const [id, advisoryIds, aliases, cvssVector, reason, severitySource, kev, epss] of rows) {
    details.set(id, deepFreeze({
      advisoryIds: JSON.parse(advisoryIds) as string[], aliases: JSON.parse(aliases) as string[], cvssVector, reason: JSON.parse(reason) as unknown,
      severitySource, kev: kev === null ? null : (JSON.parse(kev) as KevInfo), epss: epss === null ? null : (JSON.parse(epss) as EpssInfo),
    }));
  }
  return details;
}

/**
 * JSON.parse memoised by text, for one listing: findings in many projects carry the same targets, so they share
 * one parsed (frozen) value instead of a copy each.
 */
function sharedJsonParser(): (text: unknown) => unknown {
  const cache = new Map<string, unknown>();
  return (text) => {
    const key = String(text);
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = deepFreeze(JSON.parse(key) as unknown)));
    return value;
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** A row of listFindings' query (its column order) as a FindingRow. */
function toFindingRow(r: readonly unknown[], details: ReadonlyMap<number, SharedDetails>, targetsOf: (text: unknown) => unknown): FindingRow {
  const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  const d = (r[7] === null ? undefined : details.get(r[7] as number)) ?? NO_DETAILS;
  const acceptanceId = num(r[15]);
  return {
    id: Number(r[0]),
    projectId: Number(r[1]),
    project: String(r[2]),
    ecosystem: String(r[3]),
    package: String(r[4]),
    version: String(r[5]),
    groupId: String(r[6]),
    advisoryIds: d.advisoryIds,
    aliases: d.aliases,
    severity: String(r[8]) as Severity,
    cvssScore: num(r[9]),
    cvssVector: d.cvssVector,
    envScore: num(r[10]),
    envSeverity: str(r[11]) as Severity | null,
    fixedVersion: str(r[12]),
    status: String(r[13]) as FindingStatus,
    statusNote: str(r[14]),
    acceptanceId,
    firstSeen: String(r[16]),
    lastSeen: String(r[17]),
    fixedAt: str(r[18]),
    targets: targetsOf(r[19]) as string[],
    reason: d.reason,
    severitySource: d.severitySource,
    kev: d.kev,
    epss: d.epss,
    acceptance: acceptanceId === null || r[21] === null || r[21] === undefined ? null : { id: acceptanceId, kind: String(r[20]), reason: String(r[21]), expires: str(r[22]), createdBy: str(r[23]) },
  };
}

/** The statuses of a finding still to act on. */
export const ACTIVE_STATUSES: readonly FindingStatus[] = ['new', 'open', 'reopened'];

/** The status of every finding as of run `runId`: the last lifecycle event recorded in that run or before. */
export function findingStatesAt(db: Db, runId: number): Map<number, FindingStatus> {
  const rows = db
    .prepare(`SELECT e.finding_id AS id, e.to_status AS status FROM finding_events e
      JOIN (SELECT finding_id, MAX(id) AS last FROM finding_events WHERE run_id <= ? GROUP BY finding_id) m ON m.last = e.id`)
    .all(runId) as { id: number; status: FindingStatus }[];
  return new Map(rows.map((r) => [r.id, r.status]));
}

/**
 * The run a `--from/--to` reference points at: a run id; a date or timestamp (the last run started by then);
 * or a label (the last run so labelled, moved on to the first run after it that changed findings, e.g. the match
 * after `scan --label`, unless another scan came first). Undefined if nothing matches.
 */
export function resolveRunRef(db: Db, ref: string): { runId: number; label: string | null; startedAt: string } | undefined {
  const pick = (sql: string, ...args: unknown[]) => db.prepare(sql).get(...args) as { id: number; label: string | null; started_at: string } | undefined;
  let run: ReturnType<typeof pick>;
  if (/^\d+$/.test(ref)) run = pick('SELECT id, label, started_at FROM runs WHERE id = ?', Number(ref));
  else if (/^\d{4}-\d{2}-\d{2}$/.test(ref)) run = pick('SELECT id, label, started_at FROM runs WHERE started_at <= ? ORDER BY id DESC LIMIT 1', `${ref}T23:59:59.999Z`);
  else if (/^\d{4}-\d{2}-\d{2}T/.test(ref) && !Number.isNaN(Date.parse(ref))) run = pick('SELECT id, label, started_at FROM runs WHERE started_at <= ? ORDER BY id DESC LIMIT 1', new Date(ref).toISOString());
  else {
    const labelled = pick('SELECT id, label, started_at FROM runs WHERE label = ? ORDER BY id DESC LIMIT 1', ref);
    if (!labelled) return undefined;
    const nextScan = (db.prepare("SELECT MIN(id) AS id FROM runs WHERE id > ? AND command = 'scan'").get(labelled.id) as { id: number | null }).id ?? Number.MAX_SAFE_INTEGER;
    const applied = (db.prepare('SELECT MIN(run_id) AS id FROM finding_events WHERE run_id >= ? AND run_id < ?').get(labelled.id, nextScan) as { id: number | null }).id;
    return { runId: applied ?? labelled.id, label: labelled.label, startedAt: labelled.started_at };
  }
  return run ? { runId: run.id, label: run.label, startedAt: run.started_at } : undefined;
}
