/** The finding lifecycle, applied in one transaction: new, open, fixed, reopened, triaged; with its events. */
import type { Db } from './open.js';
import { inTransaction } from './open.js';
import type { FindingStatus } from '../model/types.js';
import { SEVERITIES } from '../model/types.js';
import type { MatchedFinding } from '../model/match.js';
import { CONTENT_COLUMNS, detailsTextKey, findingPreparer, type EnvScorer, type FindingDetails, type PreparedProject } from './finding-content.js';
import { eventNote, loadCoverIndex, triageDecision } from './acceptances.js';
import { inputChange, scanInEffect, type InputChange } from './scans.js';

export interface LifecycleCounts {
  new: number;
  reopened: number;
  fixed: number;
  open: number;
  accepted: number;
  bySeverity: Record<string, { new: number; open: number; fixed: number }>;
}

const isTriaged = (s: FindingStatus): boolean => s === 'accepted' || s === 'false_positive';

/** Bumps last_seen / last_run_id of unchanged findings in bulk (one statement per chunk, not one per row). */
function touchFindings(db: Db, ids: readonly number[], at: string, runId: number): void {
  const touch = db.prepare('UPDATE findings SET last_seen = ?, last_run_id = ? WHERE id IN (SELECT value FROM json_each(?))');
  for (let i = 0; i < ids.length; i += 50_000) touch.run(at, runId, JSON.stringify(ids.slice(i, i + 50_000)));
}

export interface SaveFindingsOptions {
  now: Date;
  runId: number;
  /** The projects matched this run: only their findings can become fixed. */
  projectIds: readonly number[];
  envScore?: EnvScorer;
}

/**
 * Applies one match run to the stored findings (one transaction): new ones are `new`, seen again `open`,
 * gone `fixed` (fixed_at set), back again `reopened`. Findings covered by an active acceptance become
 * accepted/false_positive (reason in status_note); those whose acceptance expired or was revoked are open
 * again with status_note 'acceptance expired'/'acceptance revoked'. Only findings of `projectIds` (the projects
 * matched this run) can become fixed. `envScore` stores the environmental score of each matched finding.
 */
export function saveFindings(db: Db, matched: readonly MatchedFinding[], opts: SaveFindingsOptions): LifecycleCounts {
  return inTransaction(db, () => {
    const byProject = new Map<number, MatchedFinding[]>(opts.projectIds.map((id) => [id, []]));
    for (const f of matched) {
      const list = byProject.get(f.projectId);
      if (list) list.push(f);
      else byProject.set(f.projectId, [f]);
    }
    const scope = new Set(opts.projectIds);
    const prepare = findingPreparer(opts.envScore);
    const writer = findingWriter(db, opts);
    for (const [projectId, list] of byProject) writer.saveProject(prepare(projectId, list), { fixMissing: scope.has(projectId) });
    return writer.finish();
  });
}

/** Applies a match run project by project (memory stays bounded by one project's findings). */
export interface FindingWriter {
  /**
   * Saves all of one project's findings of this run, prepared by one `findingPreparer` for the whole run; with
   * `fixMissing` (default) its stored findings not among them become fixed.
   */
  saveProject(project: PreparedProject, opts?: { fixMissing?: boolean }): void;
  /** Writes the run's statistics (match_stats) and returns the counts. */
  finish(): LifecycleCounts;
}

interface ExistingFinding {
  id: number;
  groupId: string;
  status: FindingStatus;
  severity: string;
  acceptanceId: number | null;
  note: string | null;
  /** The stored CONTENT_COLUMNS. */
  content: unknown[];
}

/** The note of a fix that is a withdrawal, not an upgrade. */
const WITHDRAWN_NOTE = 'advisory withdrawn by its source (e.g. CVE Manager vulStatus REJECT)';

/** Alias groups all of whose advisories are withdrawn: their findings close as withdrawn, not as upgraded. */
function withdrawnGroups(db: Db): Set<string> {
  const rows = db.prepare('SELECT COALESCE(group_id, advisory_id) AS g FROM advisories GROUP BY g HAVING SUM(withdrawn IS NULL) = 0').pluck().all() as string[];
  return new Set(rows);
}

/** The lifecycle writer behind saveFindings; the caller holds the transaction. */
export function findingWriter(db: Db, opts: { now: Date; runId: number }): FindingWriter {
  const at = opts.now.toISOString();
  const runId = opts.runId;
  const cover = loadCoverIndex(db, opts.now);
  const counts: LifecycleCounts = { new: 0, reopened: 0, fixed: 0, open: 0, accepted: 0, bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, { new: 0, open: 0, fixed: 0 }])) };
  const touched: number[] = [];
  let replaced = false;
  const existingOf = db
    .prepare(`SELECT id, status, group_id, ecosystem, package, version, acceptance_id, status_note, ${CONTENT_COLUMNS.join(', ')} FROM findings WHERE project_id = ?`)
    .raw();
  const event = db.prepare('INSERT INTO finding_events (finding_id, run_id, at, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?)');
  // positional parameters: binding named ones costs about twice as much per row at a few hundred thousand rows
  const insertSql = (rows: number): string => `INSERT INTO findings (${CONTENT_COLUMNS.join(', ')}, status, status_note, acceptance_id, project_id, group_id, ecosystem, package, version, first_seen, last_seen, last_run_id)
    VALUES ${Array<string>(rows).fill(`(${Array<string>(CONTENT_COLUMNS.length + 11).fill('?').join(', ')})`).join(', ')}`;
  const insert = db.prepare(insertSql(1));
  // new findings go in INSERT_ROWS at a time (one statement per row costs a fifth more on a first match)
  const insertMany = db.prepare(insertSql(INSERT_ROWS));
  const born: unknown[] = [];
  const flushBorn = (): void => {
    let i = 0;
    const width = CONTENT_COLUMNS.length + 11;
    for (; born.length - i >= INSERT_ROWS * width; i += INSERT_ROWS * width) insertMany.run(born.slice(i, i + INSERT_ROWS * width));
    for (; i < born.length; i += width) insert.run(born.slice(i, i + width));
    born.length = 0;
  };
  const update = db.prepare(`UPDATE findings SET ${CONTENT_COLUMNS.map((c) => `${c} = ?`).join(', ')}, status = ?, status_note = ?, acceptance_id = ?, last_seen = ?, fixed_at = NULL, last_run_id = ? WHERE id = ?`);
  const fix = db.prepare("UPDATE findings SET status = 'fixed', fixed_at = ?, last_run_id = ? WHERE id = ?");
  const rekey = db.prepare('UPDATE findings SET group_id = ? WHERE id = ?');
  const storedIds = storedAdvisoryIds(db);
  const storeDetails = detailsStore(db);
  let withdrawn: Set<string> | undefined; // read once, at the first fix of the run
  const fixedAtOf = db.prepare('SELECT fixed_at FROM findings WHERE id = ?').pluck();
  /** A fixed finding seen again: did its project's inputs change since it was fixed? (Only then is it reopened.) */
  const comeback = (projectId: number, findingId: number): InputChange => {
    const fixedAt = fixedAtOf.get(findingId) as string | null;
    return inputChange(fixedAt === null ? undefined : scanInEffect(db, projectId, fixedAt), scanInEffect(db, projectId));
  };
  /** The preparer's details keys: the stored id and the ids an acceptance may name. */
  const details = new Map<number, { id: number; ids: string[] }>();

  return {
    saveProject(project, { fixMissing = true } = {}) {
      const { projectId } = project;
      for (const d of project.details) details.set(d.key, { id: storeDetails(d), ids: d.ids });
      const existing = new Map<string, ExistingFinding>();
      for (const r of existingOf.iterate(projectId) as Iterable<unknown[]>) {
        existing.set(`${String(r[2])}\0${String(r[3])}\0${String(r[4])}\0${String(r[5])}`, {
          id: r[0] as number, groupId: String(r[2]), status: r[1] as FindingStatus, acceptanceId: r[6] as number | null, note: r[7] as string | null, severity: r[8] as string, content: r.slice(8),
        });
      }
      const seen = new Set<number>();
      const renamed = renamedGroupFinder(existing, project.findings, storedIds);
      for (const f of project.findings) {
        const [groupId, ecosystem, pkg, version, severity, cvssScore, fixedVersion, envScore, envSeverity, targets, detailsKey] = f;
        const text = details.get(detailsKey);
        if (!text) throw new Error(`finding ${groupId} ${pkg}@${version}: advisory text #${detailsKey} was never handed to this writer`);
        // in CONTENT_COLUMNS order
        const content = [severity, cvssScore, fixedVersion, envScore, envSeverity, targets, text.id];
        let row = existing.get(`${groupId}\0${ecosystem}\0${pkg}\0${version}`);
        if (!row) {
          // the alias group grew or was re-keyed since: the vulnerability keeps its finding (and its history)
          row = renamed(ecosystem, pkg, version, [groupId, ...text.ids]);
          if (row) rekey.run(groupId, row.id);
        }
        const acc = cover.cover({ projectId, groupId, package: pkg, version, ids: text.ids });
        const bucket = counts.bySeverity[severity] ?? counts.bySeverity.UNKNOWN!;
        if (!row) {
          if (acc) {
            const id = Number(insert.run(...content, acc.kind, acc.reason, acc.id, projectId, groupId, ecosystem, pkg, version, at, at, runId).lastInsertRowid);
            event.run(id, runId, at, null, acc.kind, eventNote({ note: null }, acc));
            counts.accepted++;
          } else {
            // their 'new' events are written in bulk by finish()
            born.push(...content, 'new', null, null, projectId, groupId, ecosystem, pkg, version, at, at, runId);
            counts.new++;
            bucket.new++;
          }
          continue;
        }
        seen.add(row.id);
        // 1. the lifecycle; 2. the acceptances decide over it (covered, or lapsed back to open)
        const back = row.status === 'fixed' ? comeback(projectId, row.id) : undefined;
        const lifecycle: FindingStatus = back ? (back.changed ? 'reopened' : 'open') : isTriaged(row.status) ? row.status : 'open';
        const triage = triageDecision({ status: lifecycle, acceptanceId: row.acceptanceId }, acc, cover);
        const next = triage?.status ?? lifecycle;
        const note = triage ? triage.note : row.note;
        const acceptanceId = triage ? triage.acceptanceId : isTriaged(next) ? row.acceptanceId : null;
        if (next === row.status && sameContent(row.content, content) && note === row.note && acceptanceId === row.acceptanceId) touched.push(row.id);
        else {
          update.run(...content, next, note, acceptanceId, at, runId, row.id);
          if (row.content[DETAILS] !== content[DETAILS]) replaced = true;
        }
        if (next !== row.status) event.run(row.id, runId, at, row.status, next, triage ? eventNote(triage, acc) : (back?.note ?? null));
        // listed as exploited since it was made: an event (no status change) the security alert reports once
        if (storeDetails.hasKev(text.id) && !storeDetails.hasKev(row.content[DETAILS] as number)) event.run(row.id, runId, at, next, next, KEV_LISTED_NOTE);
        if (next === 'reopened') {
          counts.reopened++;
          bucket.new++;
        } else if (next === 'open') {
          counts.open++;
          bucket.open++;
        } else counts.accepted++;
      }
      flushBorn();
      if (!fixMissing) return;
      for (const row of existing.values()) {
        if (seen.has(row.id) || row.status === 'fixed') continue;
        fix.run(at, runId, row.id);
        event.run(row.id, runId, at, row.status, 'fixed', (withdrawn ??= withdrawnGroups(db)).has(row.groupId) ? WITHDRAWN_NOTE : null);
        counts.fixed++;
        (counts.bySeverity[row.severity] ?? counts.bySeverity.UNKNOWN!).fixed++;
      }
    },
    finish() {
      touchFindings(db, touched, at, runId);
      touched.length = 0;
      // the findings this run created: only a creation sets 'new' (a finding seen again becomes open, reopened or triaged)
      db.prepare("INSERT INTO finding_events (finding_id, run_id, at, from_status, to_status, note) SELECT id, ?, ?, NULL, 'new', NULL FROM findings WHERE status = 'new' AND last_run_id = ? ORDER BY id").run(runId, at, runId);
      // advisory texts no finding uses any more (a finding whose advisories changed now points at another)
      if (replaced) db.prepare('DELETE FROM finding_details WHERE id NOT IN (SELECT details_id FROM findings WHERE details_id IS NOT NULL)').run();
      const stats = db.prepare('INSERT INTO match_stats (run_id, at, severity, status, count) VALUES (?, ?, ?, ?, ?)');
      for (const r of db.prepare('SELECT severity, status, COUNT(*) AS n FROM findings GROUP BY severity, status').all() as { severity: string; status: string; n: number }[]) {
        stats.run(runId, at, r.severity, r.status, r.n);
      }
      return counts;
    },
  };
}

const DETAILS = CONTENT_COLUMNS.indexOf('details_id');

/** The advisory ids and aliases of a stored advisory text, by its id (read only when a group was renamed). */
function storedAdvisoryIds(db: Db): (detailsId: number) => string[] {
  const read = db.prepare('SELECT advisory_ids, aliases FROM finding_details WHERE id = ?').raw();
  return (detailsId) => {
    const r = read.get(detailsId) as [string, string] | undefined;
    return r ? [...(JSON.parse(r[0]) as string[]), ...(JSON.parse(r[1]) as string[])] : [];
  };
}

/**
 * Finds the stored finding of a vulnerability whose alias group is now named differently: same package version,
 * a group this run does not produce, and an advisory id or alias in common (its old group name, or its stored
 * advisory ids and aliases). Each stored finding is claimed once; the index is built on the first miss only.
 */
function renamedGroupFinder(
  existing: ReadonlyMap<string, ExistingFinding>,
  findings: readonly { 0: string; 1: string; 2: string; 3: string }[],
  storedIds: (detailsId: number) => string[],
): (ecosystem: string, pkg: string, version: string, ids: readonly string[]) => ExistingFinding | undefined {
  let byPackage: Map<string, ExistingFinding[]> | undefined;
  return (ecosystem, pkg, version, ids) => {
    if (existing.size === 0) return undefined;
    if (!byPackage) {
      byPackage = new Map();
      const current = new Set(findings.map((f) => `${f[0]}\0${f[1]}\0${f[2]}\0${f[3]}`));
      for (const [key, row] of existing) {
        if (current.has(key)) continue; // this run keeps that finding under its own name
        const at = key.slice(key.indexOf('\0') + 1);
        const list = byPackage.get(at);
        if (list) list.push(row);
        else byPackage.set(at, [row]);
      }
    }
    const candidates = byPackage.get(`${ecosystem}\0${pkg}\0${version}`);
    if (!candidates) return undefined;
    const wanted = new Set(ids);
    const i = candidates.findIndex((row) => wanted.has(row.groupId) || (typeof row.content[DETAILS] === 'number' && storedIds(row.content[DETAILS]).some((id) => wanted.has(id))));
    if (i < 0) return undefined;
    return candidates.splice(i, 1)[0];
  };
}
/** The finding_events note of a finding whose alias group CISA listed as exploited after the finding was made. */
export const KEV_LISTED_NOTE = 'kev-listed';
/** Rows per multi-row INSERT of new findings (18 parameters each, well below SQLite's limit of 32766). */
const INSERT_ROWS = 32;

/** Whether the stored content columns equal those of this run (then the finding is only touched, not rewritten). */
function sameContent(stored: readonly unknown[], next: readonly unknown[]): boolean {
  for (let i = 0; i < next.length; i++) if (stored[i] !== next[i]) return false;
  return true;
}

/** Stores one advisory text and returns its id (the match writer reuses equal ones; tests seed with it). */
export function insertFindingDetails(db: Db, d: FindingDetails): number {
  return Number(
    db.prepare('INSERT INTO finding_details (advisory_ids, aliases, cvss_vector, reason, severity_source, kev, epss) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(d.advisoryIds, d.aliases, d.cvssVector, d.reason, d.severitySource ?? null, d.kev ?? null, d.epss ?? null).lastInsertRowid,
  );
}

/** The finding_details id of a text: an equal stored one, else a new row; `hasKev` tells the texts carrying a KEV listing. */
function detailsStore(db: Db): ((d: FindingDetails) => number) & { hasKev(id: number): boolean } {
  const ids = new Map<string, number>();
  const kev = new Set<number>();
  for (const r of db.prepare('SELECT id, advisory_ids, aliases, cvss_vector, reason, severity_source, kev, epss FROM finding_details').raw().iterate() as Iterable<[number, string, string, string | null, string, string | null, string | null, string | null]>) {
    ids.set(detailsTextKey({ advisoryIds: r[1], aliases: r[2], cvssVector: r[3], reason: r[4], severitySource: r[5], kev: r[6], epss: r[7] }), r[0]);
    if (r[6] !== null) kev.add(r[0]);
  }
  const store = (d: FindingDetails): number => {
    const k = detailsTextKey(d);
    let id = ids.get(k);
    if (id === undefined) {
      ids.set(k, (id = insertFindingDetails(db, d)));
      if (d.kev) kev.add(id);
    }
    return id;
  };
  return Object.assign(store, { hasKev: (id: number) => kev.has(id) });
}

/** Re-scores every stored finding's environmental score (after a profile or label change); returns how many changed. */
export function updateEnvScores(db: Db, envScore: EnvScorer): number {
  return inTransaction(db, () => {
    const update = db.prepare('UPDATE findings SET env_score = ?, env_severity = ? WHERE id = ? AND (env_score IS NOT ? OR env_severity IS NOT ?)');
    let changed = 0;
    for (const r of db.prepare('SELECT id, project_id, cvss_vector FROM findings_full').all() as { id: number; project_id: number; cvss_vector: string | null }[]) {
      const env = envScore(r.project_id, r.cvss_vector ?? undefined);
      changed += update.run(env?.score ?? null, env?.severity ?? null, r.id, env?.score ?? null, env?.severity ?? null).changes;
    }
    return changed;
  });
}
