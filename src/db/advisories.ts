/**
 * All SQL of the advisory store: advisories + affected + aliases keyed by (source, id), per-source sync
 * state and file fingerprints, and the alias groups recomputed over every source.
 */
import type { Advisory, AffectedEntry, Severity } from '../model/types.js';
import type { Db } from './open.js';

/** Sync state of one source as stored. */
export interface SourceRow {
  name: string;
  kind: string;
  location: string | null;
  etag: string | null;
  lastModified: string | null;
  watermark: string | null;
  lastSyncAt: string | null;
  lastStatus: string | null;
  lastError: string | null;
}

/** Reads the stored state of a source (undefined before its first sync). */
export function getSourceRow(db: Db, name: string): SourceRow | undefined {
  return db
    .prepare(
      `SELECT name, kind, location, etag, last_modified AS lastModified, watermark, last_sync_at AS lastSyncAt,
              last_status AS lastStatus, last_error AS lastError FROM advisory_sources WHERE name = ?`,
    )
    .get(name) as SourceRow | undefined;
}

/**
 * Records the end of a sync. Validators are only replaced on success, so a failed run is retried in full. The
 * watermark (newest stored `modified`) is recomputed unless the sync stored nothing (`isUnchanged`) after a successful one.
 */
export function recordSourceSync(
  db: Db,
  s: { name: string; kind: string; location: string; at: string; error?: string | undefined; etag?: string | null; lastModified?: string | null; isUnchanged?: boolean },
): void {
  const ok = s.error === undefined;
  const previous = s.isUnchanged ? getSourceRow(db, s.name) : undefined;
  db.prepare(
    `INSERT INTO advisory_sources (name, kind, location, etag, last_modified, watermark, last_sync_at, last_status, last_error)
     VALUES (@name, @kind, @location, @etag, @lastModified, @watermark, @at, @status, @error)
     ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, location = excluded.location,
       etag = CASE WHEN @ok THEN excluded.etag ELSE etag END,
       last_modified = CASE WHEN @ok THEN excluded.last_modified ELSE last_modified END,
       watermark = CASE WHEN @ok THEN excluded.watermark ELSE watermark END,
       last_sync_at = excluded.last_sync_at, last_status = excluded.last_status, last_error = excluded.last_error`,
  ).run({
    name: s.name,
    kind: s.kind,
    location: s.location,
    etag: ok ? (s.etag ?? null) : null,
    lastModified: ok ? (s.lastModified ?? null) : null,
    // kept only from a successful sync: a failed one may have stored newer records without moving it
    watermark: ok ? (previous?.lastStatus === 'ok' && previous.watermark !== null ? previous.watermark : maxModified(db, s.name)) : null,
    at: s.at,
    status: ok ? 'ok' : 'failed',
    error: s.error ?? null,
    ok: ok ? 1 : 0,
  });
}

function maxModified(db: Db, source: string): string | null {
  const row = db.prepare('SELECT MAX(modified) AS m FROM advisories WHERE source = ?').get(source) as { m: string | null };
  return row.m;
}

/** Fingerprints of the files / zip entries read by the last syncs of a source. */
export function loadFingerprints(db: Db, source: string): Map<string, { fingerprint: string; advisoryId: string }> {
  const rows = db
    .prepare('SELECT path, fingerprint, advisory_id AS advisoryId FROM advisory_files WHERE source = ?')
    .all(source) as { path: string; fingerprint: string; advisoryId: string }[];
  return new Map(rows.map((r) => [r.path, { fingerprint: r.fingerprint, advisoryId: r.advisoryId }]));
}

export type UpsertOutcome = 'added' | 'updated' | 'unchanged';

/**
 * An advisory's JSON columns, serialised where it was parsed (a worker thread: sending strings is cheap, sending the
 * objects is not); the advisory then carries no `cvss`, `references` or `raw` of its own.
 */
export interface AdvisoryJsonColumns {
  cvss: string;
  refs: string;
}

/** How an advisory's `cvss` and `references` are stored (the writer's own encoding, for code that serialises ahead). */
export function advisoryJsonColumns(adv: Pick<Advisory, 'cvss' | 'references'>): AdvisoryJsonColumns {
  return { cvss: JSON.stringify(adv.cvss), refs: JSON.stringify(adv.references) };
}

/** Optional inputs of an upsert. */
export interface UpsertExtra {
  /** `cvss` and `refs` as already serialised (instead of the advisory's own). */
  columns?: AdvisoryJsonColumns | undefined;
  /** Compare by this hash of the raw record instead of by `modified`. */
  contentHash?: string | undefined;
  /** Group id to store on insert until the next regrouping (saves rewriting most rows then). */
  groupId?: string | undefined;
}

/** Prepared statements for writing one source's advisories; call its methods inside a transaction. */
export interface AdvisoryWriter {
  /**
   * Stores `adv` unless the stored copy is as new: compared by `modified` (newer wins), or by
   * `contentHash` when given (sources without a real modification time).
   */
  upsert(adv: Advisory, rawText: string, extra?: UpsertExtra): UpsertOutcome;
  saveFingerprint(path: string, fingerprint: string, advisoryId: string): void;
}

/** Prepares the statements of an AdvisoryWriter for `source`. */
export function createAdvisoryWriter(db: Db, source: string): AdvisoryWriter {
  const existing = db.prepare('SELECT id, modified, content_hash AS hash FROM advisories WHERE source = ? AND advisory_id = ?');
  const cols = `modified, published, withdrawn, summary, details, severity_text, cvss, base_score, severity, aliases, refs, content_hash`;
  const vals = `@modified, @published, @withdrawn, @summary, @details, @severityText, @cvss, @baseScore, @severity, @aliases, @refs, @hash`;
  // group_id starts as the record's own best guess; the regrouping after the sync only fixes the rest.
  const insert = db.prepare(`INSERT INTO advisories (source, advisory_id, group_id, ${cols}) VALUES (@source, @id, @group, ${vals})`);
  const update = db.prepare(`UPDATE advisories SET (${cols}) = (${vals}) WHERE id = @rowid`);
  const saveRaw = db.prepare('INSERT OR REPLACE INTO advisory_raw (advisory_rowid, raw) VALUES (?, ?)');
  const delAffected = db.prepare('DELETE FROM affected WHERE advisory_rowid = ?');
  const delAliases = db.prepare('DELETE FROM advisory_aliases WHERE advisory_rowid = ?');
  const insAffected = db.prepare(
    `INSERT INTO affected (advisory_rowid, ecosystem, name, raw_name, purl, ranges, versions, last_known_affected, ecosystem_specific, database_specific)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insAlias = db.prepare('INSERT OR IGNORE INTO advisory_aliases (advisory_rowid, alias) VALUES (?, ?)');
  const fingerprint = db.prepare(
    `INSERT INTO advisory_files (source, path, fingerprint, advisory_id) VALUES (?, ?, ?, ?)
     ON CONFLICT(source, path) DO UPDATE SET fingerprint = excluded.fingerprint, advisory_id = excluded.advisory_id`,
  );
  const writeChildren = (rowid: number | bigint, adv: Advisory): void => {
    for (const a of adv.affected) insAffected.run(rowid, ...affectedColumns(a));
    for (const alias of adv.aliases) insAlias.run(rowid, alias);
  };
  return {
    upsert(adv, rawText, extra = {}) {
      const { contentHash } = extra;
      const row = existing.get(source, adv.id) as { id: number; modified: string; hash: string | null } | undefined;
      const params = advisoryParams(adv, contentHash, extra.columns);
      if (!row) {
        const rowid = insert.run({ source, id: adv.id, group: extra.groupId ?? null, ...params }).lastInsertRowid;
        saveRaw.run(rowid, rawText);
        writeChildren(rowid, adv);
        return 'added';
      }
      const isNewer = contentHash !== undefined ? row.hash !== contentHash : adv.modified > row.modified;
      if (!isNewer) return 'unchanged';
      update.run({ rowid: row.id, ...params });
      saveRaw.run(row.id, rawText);
      delAffected.run(row.id);
      delAliases.run(row.id);
      writeChildren(row.id, adv);
      return 'updated';
    },
    saveFingerprint(path, fp, advisoryId) {
      fingerprint.run(source, path, fp, advisoryId);
    },
  };
}

function advisoryParams(adv: Advisory, contentHash: string | undefined, given: AdvisoryJsonColumns | undefined): Record<string, unknown> {
  const columns = given ?? advisoryJsonColumns(adv);
  return {
    modified: adv.modified,
    published: adv.published ?? null,
    withdrawn: adv.withdrawn ?? null,
    summary: adv.summary ?? null,
    details: adv.details ?? null,
    severityText: adv.severityText ?? null,
    cvss: columns.cvss,
    baseScore: adv.baseScore ?? null,
    severity: adv.severity,
    aliases: JSON.stringify(adv.aliases),
    refs: columns.refs,
    hash: contentHash ?? null,
  };
}

function affectedColumns(a: AffectedEntry): unknown[] {
  return [
    a.ecosystem,
    a.name,
    a.rawName,
    a.purl ?? null,
    JSON.stringify(a.ranges),
    JSON.stringify(a.versions),
    a.lastKnownAffectedRange ?? null,
    a.ecosystemSpecific === undefined ? null : JSON.stringify(a.ecosystemSpecific),
    a.databaseSpecific === undefined ? null : JSON.stringify(a.databaseSpecific),
  ];
}

/** Deletes the source's advisories (and fingerprints) not in `keepIds` / `keepPaths`; returns advisories removed. */
export function deleteMissing(db: Db, source: string, keepIds: ReadonlySet<string>, keepPaths?: ReadonlySet<string>): number {
  const ids = db.prepare('SELECT id, advisory_id AS advisoryId FROM advisories WHERE source = ?').all(source) as {
    id: number;
    advisoryId: string;
  }[];
  const del = db.prepare('DELETE FROM advisories WHERE id = ?');
  let removed = 0;
  for (const r of ids) {
    if (keepIds.has(r.advisoryId)) continue;
    del.run(r.id);
    removed++;
  }
  if (keepPaths) {
    const paths = db.prepare('SELECT path FROM advisory_files WHERE source = ?').pluck().all(source) as string[];
    const delPath = db.prepare('DELETE FROM advisory_files WHERE source = ? AND path = ?');
    for (const p of paths) if (!keepPaths.has(p)) delPath.run(source, p);
  }
  return removed;
}

/** Every stored (id, aliases) pair over all sources, for the alias grouping. */
export function loadAliasRecords(db: Db): { id: string; aliases: string[] }[] {
  const rows = db.prepare('SELECT advisory_id AS id, aliases FROM advisories').all() as { id: string; aliases: string }[];
  return rows.map((r) => ({ id: r.id, aliases: JSON.parse(r.aliases) as string[] }));
}

/**
 * Brings alias_groups and advisories.group_id in line with `groupOf` (alias -> group id), writing only
 * the differences; returns the group count.
 */
export function saveAliasGroups(db: Db, groupOf: ReadonlyMap<string, string>): number {
  const current = new Map(
    (db.prepare('SELECT alias, group_id AS g FROM alias_groups').all() as { alias: string; g: string }[]).map((r) => [r.alias, r.g]),
  );
  const upsert = db.prepare(
    'INSERT INTO alias_groups (alias, group_id) VALUES (?, ?) ON CONFLICT(alias) DO UPDATE SET group_id = excluded.group_id',
  );
  const del = db.prepare('DELETE FROM alias_groups WHERE alias = ?');
  for (const [alias, group] of groupOf) if (current.get(alias) !== group) upsert.run(alias, group);
  for (const alias of current.keys()) if (!groupOf.has(alias)) del.run(alias);
  const rows = db.prepare('SELECT id, advisory_id AS a, group_id AS g FROM advisories').all() as { id: number; a: string; g: string | null }[];
  const upd = db.prepare('UPDATE advisories SET group_id = ? WHERE id = ?');
  for (const r of rows) {
    const g = groupOf.get(r.a) ?? r.a;
    if (r.g !== g) upd.run(g, r.id);
  }
  return countGroups(db);
}

/** Number of distinct alias groups stored. */
export function countGroups(db: Db): number {
  return (db.prepare('SELECT COUNT(DISTINCT group_id) AS n FROM alias_groups').get() as { n: number }).n;
}

/** The source's withdrawn count and advisories per ecosystem (part before ':'). */
/** What a source holds: withdrawn advisories and advisories per ecosystem. */
export interface SourceStats {
  withdrawn: number;
  perEcosystem: Record<string, number>;
}

/**
 * The source's stats: recounted (and kept in the source's `state`) when `changed`, else the kept ones, so a sync that
 * changed nothing does not scan every affected entry again (a tenth of an unchanged re-sync of the OSV corpus).
 */
export function currentSourceStats(db: Db, source: string, changed: boolean): SourceStats {
  if (!changed) {
    const kept = db.prepare("SELECT json_extract(state, '$.stats') FROM advisory_sources WHERE name = ?").pluck().get(source) as string | null | undefined;
    if (kept) return JSON.parse(kept) as SourceStats;
  }
  const stats = sourceStats(db, source);
  db.prepare("UPDATE advisory_sources SET state = json_set(state, '$.stats', json(?)) WHERE name = ?").run(JSON.stringify(stats), source);
  return stats;
}

export function sourceStats(db: Db, source: string): SourceStats {
  const withdrawn = (
    db.prepare('SELECT COUNT(*) AS n FROM advisories WHERE source = ? AND withdrawn IS NOT NULL').get(source) as { n: number }
  ).n;
  const rows = db
    .prepare(
      `SELECT CASE WHEN instr(f.ecosystem, ':') > 0 THEN substr(f.ecosystem, 1, instr(f.ecosystem, ':') - 1) ELSE f.ecosystem END AS eco,
              COUNT(DISTINCT f.advisory_rowid) AS n
       FROM affected f JOIN advisories a ON a.id = f.advisory_rowid WHERE a.source = ? GROUP BY eco ORDER BY eco`,
    )
    .all(source) as { eco: string; n: number }[];
  return { withdrawn, perEcosystem: Object.fromEntries(rows.map((r) => [r.eco, r.n])) };
}

/** Number of advisories stored for a source. */
export function countAdvisories(db: Db, source: string): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM advisories WHERE source = ?').get(source) as { n: number }).n;
}

/** Whether nothing of a source is stored: no advisory, no file fingerprint (before its first sync). */
export function isSourceEmpty(db: Db, source: string): boolean {
  return (
    db.prepare('SELECT EXISTS(SELECT 1 FROM advisories WHERE source = ?) OR EXISTS(SELECT 1 FROM advisory_files WHERE source = ?)').pluck().get(source, source) === 0
  );
}

/** An advisory as stored (with its group), or undefined. */
export function getAdvisory(db: Db, source: string, id: string): (Advisory & { groupId: string | null }) | undefined {
  const row = db
    .prepare('SELECT a.*, r.raw FROM advisories a JOIN advisory_raw r ON r.advisory_rowid = a.id WHERE a.source = ? AND a.advisory_id = ?')
    .get(source, id) as
    | Record<string, unknown>
    | undefined;
  if (!row) return undefined;
  const affected = db.prepare('SELECT * FROM affected WHERE advisory_rowid = ? ORDER BY id').all(row.id) as Record<string, unknown>[];
  return {
    source,
    id,
    aliases: JSON.parse(row.aliases as string) as string[],
    modified: row.modified as string,
    published: (row.published as string | null) ?? undefined,
    withdrawn: (row.withdrawn as string | null) ?? undefined,
    summary: (row.summary as string | null) ?? undefined,
    details: (row.details as string | null) ?? undefined,
    cvss: JSON.parse(row.cvss as string) as Advisory['cvss'],
    severityText: (row.severity_text as string | null) ?? undefined,
    baseScore: (row.base_score as number | null) ?? undefined,
    severity: row.severity as Severity,
    references: JSON.parse(row.refs as string) as Advisory['references'],
    affected: affected.map(affectedFromRow),
    raw: JSON.parse(row.raw as string) as unknown,
    groupId: (row.group_id as string | null) ?? null,
  };
}

function affectedFromRow(r: Record<string, unknown>): AffectedEntry {
  const json = (v: unknown): unknown => (v === null ? undefined : JSON.parse(v as string));
  return {
    ecosystem: r.ecosystem as string,
    name: r.name as string,
    rawName: r.raw_name as string,
    purl: (r.purl as string | null) ?? undefined,
    ranges: JSON.parse(r.ranges as string) as AffectedEntry['ranges'],
    versions: JSON.parse(r.versions as string) as string[],
    lastKnownAffectedRange: (r.last_known_affected as string | null) ?? undefined,
    ecosystemSpecific: json(r.ecosystem_specific),
    databaseSpecific: json(r.database_specific),
  };
}

/** The group id of any advisory id or alias, if known. */
export function groupOf(db: Db, alias: string): string | undefined {
  const row = db.prepare('SELECT group_id AS g FROM alias_groups WHERE alias = ?').get(alias) as { g: string } | undefined;
  return row?.g;
}

/** The (source, id) of every stored advisory in the alias group of `alias` (itself included when stored). */
export function advisoriesInGroup(db: Db, alias: string): { source: string; id: string }[] {
  const group = groupOf(db, alias) ?? alias;
  return db
    .prepare(
      `SELECT DISTINCT a.source, a.advisory_id AS id FROM advisories a
       WHERE a.group_id = ? OR a.advisory_id = ? OR a.id IN (SELECT advisory_rowid FROM advisory_aliases WHERE alias = ?)
       ORDER BY a.source, a.advisory_id`,
    )
    .all(group, alias, alias) as { source: string; id: string }[];
}

/** True once any advisory has been synced. */
export function hasAdvisories(db: Db): boolean {
  return db.prepare('SELECT 1 FROM advisories LIMIT 1').get() !== undefined;
}
