/**
 * SQL for triage acceptances (accepted risks and false positives) and the rule deciding which findings one covers.
 * An acceptance names any alias of a vulnerability; it covers every finding of that alias group in its scope.
 */
import type { Db } from './open.js';
import { inTransaction } from './open.js';
import type { FindingStatus } from '../model/types.js';

export type AcceptanceKind = 'accepted' | 'false_positive';

/** A new acceptance: one vulnerability id, a scope, a reason, maybe an expiry date (YYYY-MM-DD, inclusive). */
export interface NewAcceptance {
  advisoryId: string;
  kind: AcceptanceKind;
  projectId: number | null;
  allProjects: boolean;
  package: string | null;
  packageVersion: string | null;
  reason: string;
  expires: string | null;
  createdBy: string | null;
}

/** An acceptance as stored, with its project's name. */
export interface Acceptance extends NewAcceptance {
  id: number;
  project: string | null;
  createdAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
}

/** The UTC calendar day of `now`: an acceptance expiring on that day is still active until it ends. */
export function dayOf(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Active: not revoked, and no expiry or the expiry day not yet past. */
export function isActive(a: Pick<Acceptance, 'revokedAt' | 'expires'>, now: Date): boolean {
  return a.revokedAt === null && (a.expires === null || a.expires >= dayOf(now));
}

/** Stores an acceptance and returns its id. */
export function insertAcceptance(db: Db, a: NewAcceptance, now: Date): number {
  return Number(
    db
      .prepare(`INSERT INTO acceptances (advisory_id, kind, project_id, all_projects, package, package_version, reason, expires, created_by, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(a.advisoryId, a.kind, a.projectId, a.allProjects ? 1 : 0, a.package, a.packageVersion, a.reason, a.expires, a.createdBy, now.toISOString()).lastInsertRowid,
  );
}

/** Updates the reviewable fields (reason, expiry, author) of an acceptance. */
export function updateAcceptance(db: Db, id: number, fields: Pick<NewAcceptance, 'reason' | 'expires' | 'createdBy'>): void {
  db.prepare('UPDATE acceptances SET reason = ?, expires = ?, created_by = ? WHERE id = ?').run(fields.reason, fields.expires, fields.createdBy, id);
}

/** Marks an acceptance revoked; false if it does not exist or was revoked already. */
export function revokeAcceptance(db: Db, id: number, now: Date, by: string | null): boolean {
  return db.prepare('UPDATE acceptances SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL').run(now.toISOString(), by, id).changes === 1;
}

/** Acceptances, oldest first; revoked ones only when asked. */
export function listAcceptances(db: Db, opts: { includeRevoked?: boolean } = {}): Acceptance[] {
  const rows = db
    .prepare(`SELECT a.*, p.name AS project FROM acceptances a LEFT JOIN projects p ON p.id = a.project_id ${opts.includeRevoked ? '' : 'WHERE a.revoked_at IS NULL'} ORDER BY a.id`)
    .all() as Record<string, unknown>[];
  return rows.map(fromRow);
}

function fromRow(r: Record<string, unknown>): Acceptance {
  return {
    id: r.id as number,
    advisoryId: r.advisory_id as string,
    kind: r.kind as AcceptanceKind,
    projectId: (r.project_id as number | null) ?? null,
    project: (r.project as string | null) ?? null,
    allProjects: r.all_projects === 1,
    package: (r.package as string | null) ?? null,
    packageVersion: (r.package_version as string | null) ?? null,
    reason: r.reason as string,
    expires: (r.expires as string | null) ?? null,
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: r.created_at as string,
    revokedAt: (r.revoked_at as string | null) ?? null,
    revokedBy: (r.revoked_by as string | null) ?? null,
  };
}

/** What a coverage check needs of a finding. */
export interface CoverableFinding {
  projectId: number;
  groupId: string;
  package: string;
  version: string;
  /** Every id the finding is known by (advisory ids and aliases). */
  ids: readonly string[];
}

/** Answers "which active acceptance covers this finding" and "why did this one lapse" at one moment. */
export interface CoverIndex {
  cover(f: CoverableFinding): Acceptance | undefined;
  /** The status note of a finding whose acceptance no longer covers it. */
  lapseNote(acceptanceId: number): string;
}

const norm = (id: string): string => id.trim().toUpperCase();

/** Loads every acceptance with its alias group resolved (alias_groups), for coverage checks at `now`. */
export function loadCoverIndex(db: Db, now: Date): CoverIndex {
  const all = listAcceptances(db, { includeRevoked: true });
  const group = db.prepare('SELECT group_id AS g FROM alias_groups WHERE alias = ?').pluck();
  const active = all
    .filter((a) => isActive(a, now))
    .map((a) => ({ a, group: (group.get(a.advisoryId) as string | undefined) ?? a.advisoryId }))
    // most specific scope first, then newest: a package-level false positive beats a project-wide acceptance
    .sort((x, y) => specificity(y.a) - specificity(x.a) || y.a.id - x.a.id);
  const byId = new Map(all.map((a) => [a.id, a]));
  return {
    cover(f) {
      return active.find(({ a, group: ag }) => matchesScope(a, ag, f))?.a;
    },
    lapseNote(acceptanceId) {
      const a = byId.get(acceptanceId);
      return a && a.revokedAt === null && !isActive(a, now) ? 'acceptance expired' : 'acceptance revoked';
    },
  };
}

/** The group id of an acceptance's advisory id (itself when no alias group names it). */
export function acceptanceGroup(db: Db, a: Pick<Acceptance, 'advisoryId'>): string {
  return (db.prepare('SELECT group_id FROM alias_groups WHERE alias = ?').pluck().get(a.advisoryId) as string | undefined) ?? a.advisoryId;
}

/** True when `f` is in the acceptance's scope: same alias group (or named by the id), project, package, version. */
export function matchesScope(a: Acceptance, group: string, f: CoverableFinding): boolean {
  const id = norm(a.advisoryId);
  const g = norm(group);
  return (
    (g === norm(f.groupId) || id === norm(f.groupId) || f.ids.some((x) => norm(x) === id)) &&
    (a.allProjects || a.projectId === f.projectId) &&
    (a.package === null || a.package.toLowerCase() === f.package.toLowerCase()) &&
    (a.packageVersion === null || a.packageVersion === f.version)
  );
}

function specificity(a: Acceptance): number {
  return (a.allProjects ? 0 : 4) + (a.package !== null ? 2 : 0) + (a.packageVersion !== null ? 1 : 0);
}

/** The triage outcome for one stored finding: unchanged, covered, or back to open because its acceptance lapsed. */
export function triageDecision(
  row: { status: FindingStatus; acceptanceId: number | null },
  covering: Acceptance | undefined,
  cover: CoverIndex,
): { status: FindingStatus; note: string | null; acceptanceId: number | null } | undefined {
  if (covering) {
    if (row.status === covering.kind && row.acceptanceId === covering.id) return undefined;
    return { status: covering.kind, note: covering.reason, acceptanceId: covering.id };
  }
  const triaged = row.status === 'accepted' || row.status === 'false_positive';
  // Triage states without an acceptance record (set by hand) are left alone.
  if (!triaged || row.acceptanceId === null) return undefined;
  return { status: 'open', note: cover.lapseNote(row.acceptanceId), acceptanceId: null };
}

/**
 * Applies the acceptances to every stored finding that is not fixed (one transaction): covered ones become
 * accepted/false_positive with the reason as note, lapsed ones open again with 'acceptance expired'/'revoked'.
 */
export function applyAcceptances(db: Db, opts: { now: Date; runId: number | null }): { covered: number; reopened: number } {
  return inTransaction(db, () => {
    const cover = loadCoverIndex(db, opts.now);
    const rows = db.prepare("SELECT id, project_id, group_id, package, version, advisory_ids, aliases, status, acceptance_id FROM findings_full WHERE status != 'fixed'").all() as Record<string, unknown>[];
    const update = db.prepare('UPDATE findings SET status = ?, status_note = ?, acceptance_id = ? WHERE id = ?');
    const event = db.prepare('INSERT INTO finding_events (finding_id, run_id, at, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?)');
    const out = { covered: 0, reopened: 0 };
    for (const r of rows) {
      const ids = [...(JSON.parse(r.advisory_ids as string) as string[]), ...(JSON.parse(r.aliases as string) as string[])];
      const row = { status: r.status as FindingStatus, acceptanceId: (r.acceptance_id as number | null) ?? null };
      const acc = cover.cover({ projectId: r.project_id as number, groupId: r.group_id as string, package: r.package as string, version: r.version as string, ids });
      const next = triageDecision(row, acc, cover);
      if (!next) continue;
      update.run(next.status, next.note, next.acceptanceId, r.id);
      if (next.status !== row.status) event.run(r.id, opts.runId, opts.now.toISOString(), row.status, next.status, eventNote(next, acc));
      if (acc) out.covered++;
      else out.reopened++;
    }
    return out;
  });
}

/** The finding_events note of a triage change: which acceptance, or why it lapsed. */
export function eventNote(next: { note: string | null }, acc: Acceptance | undefined): string | null {
  return acc ? `acceptance #${acc.id}` : next.note;
}
