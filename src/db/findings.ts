/** SQL for matching and findings: the match inputs, and the finding lifecycle applied in one transaction. */
import { hash } from 'node:crypto';
import type { Db } from './open.js';
import { inTransaction } from './open.js';
import type { FindingStatus, OsvRange, Severity } from '../model/types.js';
import { SEVERITIES } from '../model/types.js';
import type { FindingAdvisory, IndexedEntry, MatchedFinding, MatchPackage } from '../model/match.js';
import { eventNote, loadCoverIndex, triageDecision } from './acceptances.js';

/** Every affected entry of every non-withdrawn advisory (or only those naming a stored package), with the advisory facts the matcher needs. */
export function* iterateAffectedEntries(db: Db, opts: { storedNamesOnly?: boolean } = {}): Generator<IndexedEntry> {
  // With storedNamesOnly, entries naming no stored package are not read at all: a portfolio of a few thousand
  // packages needs a few hundred of the corpus's 100k+ entries. Both sides hold the ecosystem-normalised name.
  const onlyStored = opts.storedNamesOnly ? "AND (a.ecosystem = 'any' OR a.name IN (SELECT match_name FROM packages))" : '';
  const stmt = db.prepare(`
    SELECT a.ecosystem, a.name, a.raw_name, a.ranges, a.versions, a.last_known_affected,
           adv.advisory_id, adv.source, COALESCE(adv.group_id, adv.advisory_id) AS group_id,
           adv.severity, adv.base_score, adv.cvss, adv.aliases
    FROM affected a JOIN advisories adv ON adv.id = a.advisory_rowid
    WHERE adv.withdrawn IS NULL ${onlyStored}`);
  const refs = new Map<string, IndexedEntry['advisory']>();
  for (const r of stmt.iterate() as Iterable<Record<string, string | number | null>>) {
    const refKey = `${r.source}\0${r.advisory_id}`;
    let advisory = refs.get(refKey);
    if (!advisory) {
      const cvss = JSON.parse(String(r.cvss ?? '[]')) as { vector: string; baseScore?: number }[];
      const best = cvss.filter((c) => c.baseScore !== undefined).sort((x, y) => (y.baseScore ?? 0) - (x.baseScore ?? 0))[0];
      advisory = {
        id: String(r.advisory_id),
        source: String(r.source),
        groupId: String(r.group_id),
        aliases: JSON.parse(String(r.aliases ?? '[]')) as string[],
        severity: String(r.severity) as Severity,
        baseScore: r.base_score === null ? undefined : Number(r.base_score),
        cvssVector: best?.vector,
      };
      refs.set(refKey, advisory);
    }
    yield {
      advisory,
      entry: {
        ecosystem: String(r.ecosystem),
        name: String(r.name),
        rawName: String(r.raw_name),
        ranges: JSON.parse(String(r.ranges)) as OsvRange[],
        versions: JSON.parse(String(r.versions)) as string[],
        lastKnownAffectedRange: r.last_known_affected === null ? undefined : String(r.last_known_affected),
      },
    };
  }
}

/** The distinct names stored packages are known by (from the covering index `packages_match`). */
export function listPackageNames(db: Db): { ecosystem: string; matchName: string; name: string }[] {
  return (db.prepare('SELECT DISTINCT ecosystem, match_name, name FROM packages').raw().all() as [string, string, string][]).map(([ecosystem, matchName, name]) => ({ ecosystem, matchName, name }));
}

/** How many current packages the active projects among `projectIds` have. */
export function countMatchPackages(db: Db, projectIds: readonly number[]): number {
  return db
    .prepare("SELECT COUNT(*) FROM packages p JOIN projects pr ON pr.id = p.project_id WHERE pr.status = 'active' AND p.project_id IN (SELECT value FROM json_each(?))")
    .pluck()
    .get(JSON.stringify(projectIds)) as number;
}

/**
 * Streams the current packages of active projects (optionally only `projectIds`, and only the rows known by one
 * of `names`: those are looked up through the `packages_match` index instead of reading every row).
 */
export function* iterateMatchPackages(db: Db, projectIds?: readonly number[], names?: readonly { ecosystem: string; matchName: string; name: string }[]): Generator<MatchPackage> {
  const args: string[] = [];
  let from = 'packages p';
  if (names) {
    // the candidate list drives the join (CROSS JOIN keeps that order): one index probe per name
    from = 'json_each(?) c CROSS JOIN packages p ON p.ecosystem = c.value ->> 0 AND p.match_name = c.value ->> 1 AND p.name = c.value ->> 2';
    args.push(JSON.stringify(names.map((n) => [n.ecosystem, n.matchName, n.name])));
  }
  if (projectIds) args.push(JSON.stringify(projectIds));
  const stmt = db.prepare(`
    SELECT p.project_id, p.ecosystem, p.name, p.version, p.match_name, p.match_version, p.target
    FROM ${from} JOIN projects pr ON pr.id = p.project_id
    WHERE pr.status = 'active' ${projectIds ? 'AND p.project_id IN (SELECT value FROM json_each(?))' : ''}`);
  for (const r of stmt.raw().iterate(...args) as Iterable<[number, string, string, string, string, string, string]>) {
    yield { projectId: r[0], ecosystem: r[1], name: r[2], version: r[3], matchName: r[4], matchVersion: r[5], target: r[6] };
  }
}

export interface LifecycleCounts {
  new: number;
  reopened: number;
  fixed: number;
  open: number;
  accepted: number;
  bySeverity: Record<string, { new: number; open: number; fixed: number }>;
}

const ACTIVE: readonly FindingStatus[] = ['new', 'open', 'reopened'];

/** Environmental re-score of a finding's base vector for its project (undefined when the vector cannot be scored). */
export type EnvScorer = (projectId: number, vector: string | undefined) => { score: number; severity: string } | undefined;

const isTriaged = (s: FindingStatus): boolean => s === 'accepted' || s === 'false_positive';

interface ExistingFinding {
  id: number;
  status: FindingStatus;
  severity: string;
  acceptanceId: number | null;
  note: string | null;
  hash: string | null;
}

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
    const writer = findingWriter(db, opts);
    for (const [projectId, list] of byProject) writer.saveProject(projectId, list, { fixMissing: scope.has(projectId) });
    return writer.finish();
  });
}

/** Applies a match run project by project (memory stays bounded by one project's findings). */
export interface FindingWriter {
  /** Saves all of one project's findings of this run; with `fixMissing` (default) its stored findings not among them become fixed. */
  saveProject(projectId: number, matched: readonly MatchedFinding[], opts?: { fixMissing?: boolean }): void;
  /** Writes the run's statistics (match_stats) and returns the counts. */
  finish(): LifecycleCounts;
}

/** The lifecycle writer behind saveFindings; the caller holds the transaction. */
export function findingWriter(db: Db, opts: Omit<SaveFindingsOptions, 'projectIds'>): FindingWriter {
  const at = opts.now.toISOString();
  const runId = opts.runId;
  const cover = loadCoverIndex(db, opts.now);
  const counts: LifecycleCounts = { new: 0, reopened: 0, fixed: 0, open: 0, accepted: 0, bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, { new: 0, open: 0, fixed: 0 }])) };
  const touched: number[] = [];
  const created: number[] = [];
  const existingOf = db.prepare('SELECT id, status, group_id, ecosystem, package, version, severity, acceptance_id, status_note, content_hash FROM findings WHERE project_id = ?').raw();
  const event = db.prepare('INSERT INTO finding_events (finding_id, run_id, at, from_status, to_status, note) VALUES (?, ?, ?, ?, ?, ?)');
  // positional parameters: binding named ones costs about twice as much per row at a few hundred thousand rows
  const insert = db.prepare(`INSERT INTO findings (advisory_ids, aliases, severity, cvss_score, cvss_vector, env_score, env_severity, fixed_version, targets, reason,
      content_hash, status, status_note, acceptance_id, project_id, group_id, ecosystem, package, version, first_seen, last_seen, last_run_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const update = db.prepare(`UPDATE findings SET advisory_ids = ?, aliases = ?, severity = ?, cvss_score = ?, cvss_vector = ?, env_score = ?, env_severity = ?,
      fixed_version = ?, targets = ?, reason = ?, content_hash = ?, status = ?, status_note = ?, acceptance_id = ?, last_seen = ?, fixed_at = NULL, last_run_id = ? WHERE id = ?`);
  const fix = db.prepare("UPDATE findings SET status = 'fixed', fixed_at = ?, last_run_id = ? WHERE id = ?");
  const contentOf = contentBuilder();

  return {
    saveProject(projectId, matched, { fixMissing = true } = {}) {
      const existing = new Map<string, ExistingFinding>();
      for (const r of existingOf.iterate(projectId) as Iterable<[number, FindingStatus, string, string, string, string, string, number | null, string | null, string | null]>) {
        existing.set(`${r[2]}\0${r[3]}\0${r[4]}\0${r[5]}`, { id: r[0], status: r[1], severity: r[6], acceptanceId: r[7], note: r[8], hash: r[9] });
      }
      const seen = new Set<number>();
      for (const f of matched) {
        const row = existing.get(`${f.groupId}\0${f.ecosystem}\0${f.package}\0${f.version}`);
        const env = opts.envScore?.(f.projectId, f.cvssVector);
        const content = contentOf(f, env);
        const acc = cover.cover({ projectId: f.projectId, groupId: f.groupId, package: f.package, version: f.version, ids: [...f.advisories.map((a) => a.id), ...f.aliases] });
        const bucket = counts.bySeverity[f.severity]!;
        if (!row) {
          const status: FindingStatus = acc ? acc.kind : 'new';
          const id = Number(insert.run(...content, status, acc?.reason ?? null, acc?.id ?? null, f.projectId, f.groupId, f.ecosystem, f.package, f.version, at, at, runId).lastInsertRowid);
          if (acc) {
            event.run(id, runId, at, null, status, eventNote({ note: null }, acc));
            counts.accepted++;
          } else {
            created.push(id); // their 'new' events are written in bulk by finish()
            counts.new++;
            bucket.new++;
          }
          continue;
        }
        seen.add(row.id);
        // 1. the lifecycle; 2. the acceptances decide over it (covered, or lapsed back to open)
        const lifecycle: FindingStatus = row.status === 'fixed' ? 'reopened' : isTriaged(row.status) ? row.status : 'open';
        const triage = triageDecision({ status: lifecycle, acceptanceId: row.acceptanceId }, acc, cover);
        const next = triage?.status ?? lifecycle;
        const note = triage ? triage.note : row.note;
        const acceptanceId = triage ? triage.acceptanceId : isTriaged(next) ? row.acceptanceId : null;
        if (next === row.status && row.hash === content[10] && note === row.note && acceptanceId === row.acceptanceId) touched.push(row.id);
        else update.run(...content, next, note, acceptanceId, at, runId, row.id);
        if (next !== row.status) event.run(row.id, runId, at, row.status, next, triage ? eventNote(triage, acc) : null);
        if (next === 'reopened') {
          counts.reopened++;
          bucket.new++;
        } else if (next === 'open') {
          counts.open++;
          bucket.open++;
        } else counts.accepted++;
      }
      if (!fixMissing) return;
      for (const row of existing.values()) {
        if (seen.has(row.id) || row.status === 'fixed') continue;
        fix.run(at, runId, row.id);
        event.run(row.id, runId, at, row.status, 'fixed', null);
        counts.fixed++;
        (counts.bySeverity[row.severity] ?? counts.bySeverity.UNKNOWN!).fixed++;
      }
    },
    finish() {
      touchFindings(db, touched, at, runId);
      touched.length = 0;
      const born = db.prepare("INSERT INTO finding_events (finding_id, run_id, at, from_status, to_status, note) SELECT value, ?, ?, NULL, 'new', NULL FROM json_each(?)");
      for (let i = 0; i < created.length; i += 50_000) born.run(runId, at, JSON.stringify(created.slice(i, i + 50_000)));
      created.length = 0;
      const stats = db.prepare('INSERT INTO match_stats (run_id, at, severity, status, count) VALUES (?, ?, ?, ?, ?)');
      for (const r of db.prepare('SELECT severity, status, COUNT(*) AS n FROM findings GROUP BY severity, status').all() as { severity: string; status: string; n: number }[]) {
        stats.run(runId, at, r.severity, r.status, r.n);
      }
      return counts;
    },
  };
}

/** The columns a match run writes into a finding besides its status and dates, in `insert`/`update` order, the content hash last. */
type FindingContent = [string, string, string, number | null, string | null, number | null, string | null, string | null, string, string, string];

/** The part of a finding's content every project with the same (group, ecosystem, package, version) match shares. */
interface SharedContent {
  advisories: readonly FindingAdvisory[];
  aliases: readonly string[];
  severity: string;
  cvssScore: number | null;
  cvssVector: string | null;
  fixedVersion: string | null;
  advisoryIds: string;
  aliasesJson: string;
  reason: string;
  /** sha1 of the above, the base of the finding's fingerprint. */
  hash: string;
}

/**
 * Builds finding contents, reusing the serialised shared part across projects: on a portfolio most findings are the
 * same package version matched by the same advisories in another project. A cached part is reused only when it
 * is equal (same advisory verdict objects, aliases and rating), so the result is what serialising each would give.
 */
function contentBuilder(): (f: MatchedFinding, env: { score: number; severity: string } | undefined) => FindingContent {
  const cache = new Map<string, SharedContent>();
  const shared = (f: MatchedFinding): SharedContent => {
    const key = `${f.groupId}\0${f.ecosystem}\0${f.package}\0${f.version}`;
    const hit = cache.get(key);
    if (hit && sameShared(hit, f)) return hit;
    const advisoryIds = JSON.stringify(f.advisories.map((a) => a.id));
    const aliasesJson = JSON.stringify(f.aliases);
    // the matcher shares one FindingAdvisory object per (advisory, version) verdict: each is stringified once
    const reason = `[${f.advisories.map(advisoryJson).join(',')}]`;
    const s: SharedContent = {
      advisories: f.advisories, aliases: f.aliases, severity: f.severity, cvssScore: f.cvssScore ?? null, cvssVector: f.cvssVector ?? null, fixedVersion: f.fixedVersion ?? null,
      advisoryIds, aliasesJson, reason, hash: '',
    };
    s.hash = hash('sha1', [advisoryIds, aliasesJson, s.severity, s.cvssScore, s.cvssVector, s.fixedVersion, reason].map((v) => String(v)).join('\0'), 'base64');
    cache.set(key, s);
    return s;
  };
  return (f, env) => {
    const s = shared(f);
    const targets = JSON.stringify(f.targets);
    const envScore = env?.score ?? null;
    const envSeverity = env?.severity ?? null;
    // the fingerprint of everything written: an unchanged finding is not rewritten
    const fingerprint = hash('sha1', `${s.hash}\0${String(envScore)}\0${String(envSeverity)}\0${targets}`, 'base64');
    return [s.advisoryIds, s.aliasesJson, s.severity, s.cvssScore, s.cvssVector, envScore, envSeverity, s.fixedVersion, targets, s.reason, fingerprint];
  };
}

function sameShared(s: SharedContent, f: MatchedFinding): boolean {
  return (
    s.severity === f.severity && s.cvssScore === (f.cvssScore ?? null) && s.cvssVector === (f.cvssVector ?? null) && s.fixedVersion === (f.fixedVersion ?? null) &&
    s.advisories.length === f.advisories.length && s.advisories.every((a, i) => a === f.advisories[i]) &&
    s.aliases.length === f.aliases.length && s.aliases.every((a, i) => a === f.aliases[i])
  );
}

const advisoryJsonCache = new WeakMap<FindingAdvisory, string>();

/** JSON.stringify of one advisory verdict, memoised by object. */
function advisoryJson(a: FindingAdvisory): string {
  let json = advisoryJsonCache.get(a);
  if (json === undefined) advisoryJsonCache.set(a, (json = JSON.stringify(a)));
  return json;
}

/** Re-scores every stored finding's environmental score (after a profile or label change); returns how many changed. */
export function updateEnvScores(db: Db, envScore: EnvScorer): number {
  return inTransaction(db, () => {
    const update = db.prepare('UPDATE findings SET env_score = ?, env_severity = ? WHERE id = ? AND (env_score IS NOT ? OR env_severity IS NOT ?)');
    let changed = 0;
    for (const r of db.prepare('SELECT id, project_id, cvss_vector FROM findings').all() as { id: number; project_id: number; cvss_vector: string | null }[]) {
      const env = envScore(r.project_id, r.cvss_vector ?? undefined);
      changed += update.run(env?.score ?? null, env?.severity ?? null, r.id, env?.score ?? null, env?.severity ?? null).changes;
    }
    return changed;
  });
}

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
  const stmt = db.prepare(`
    SELECT f.*, p.name AS project, a.kind AS acc_kind, a.reason AS acc_reason, a.expires AS acc_expires, a.created_by AS acc_by
    FROM findings f JOIN projects p ON p.id = f.project_id LEFT JOIN acceptances a ON a.id = f.acceptance_id
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY p.name, f.package, f.group_id, f.version`);
  const out: FindingRow[] = [];
  const parse = sharedJsonParser();
  for (const r of stmt.iterate(...args) as Iterable<Record<string, unknown>>) out.push(toFindingRow(r, parse));
  return out;
}

/**
 * JSON.parse memoised by text, for one listing: findings of the same package version in many projects carry the
 * same advisory ids, aliases and reason, so they share one parsed (frozen) value instead of a copy each; at a few
 * hundred thousand findings that is most of a report's memory.
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

function toFindingRow(r: Record<string, unknown>, parse: (text: unknown) => unknown): FindingRow {
  const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    id: Number(r.id),
    projectId: Number(r.project_id),
    project: String(r.project),
    ecosystem: String(r.ecosystem),
    package: String(r.package),
    version: String(r.version),
    groupId: String(r.group_id),
    advisoryIds: parse(r.advisory_ids) as string[],
    aliases: parse(r.aliases) as string[],
    severity: String(r.severity) as Severity,
    cvssScore: num(r.cvss_score),
    cvssVector: str(r.cvss_vector),
    envScore: num(r.env_score),
    envSeverity: str(r.env_severity) as Severity | null,
    fixedVersion: str(r.fixed_version),
    status: String(r.status) as FindingStatus,
    statusNote: str(r.status_note),
    acceptanceId: num(r.acceptance_id),
    firstSeen: String(r.first_seen),
    lastSeen: String(r.last_seen),
    fixedAt: str(r.fixed_at),
    targets: parse(r.targets) as string[],
    reason: parse(r.reason),
    acceptance:
      r.acceptance_id === null || r.acc_reason === null || r.acc_reason === undefined
        ? null
        : { id: Number(r.acceptance_id), kind: String(r.acc_kind), reason: String(r.acc_reason), expires: str(r.acc_expires), createdBy: str(r.acc_by) },
  };
}

export { ACTIVE as ACTIVE_STATUSES };

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
