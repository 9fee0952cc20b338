/**
 * `icms sync-vulns`: fetch every configured advisory source, store what changed, then regroup aliases
 * across all sources. One failing source never stops the others and keeps its previous data.
 */
import type { Advisory, AffectedEntry } from '../model/types.js';
import { inTransaction, type Db } from '../db/open.js';
import {
  type AdvisoryJsonColumns,
  countAdvisories,
  isSourceEmpty,
  countGroups,
  createAdvisoryWriter,
  deleteMissing,
  getSourceRow,
  loadAliasRecords,
  loadFingerprints,
  recordSourceSync,
  saveAliasGroups,
  currentSourceStats,
  type UpsertOutcome,
} from '../db/advisories.js';
import { errorMessage, usageError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { redactPatterns } from '../shared/redact.js';
import { canonicalId, groupAliases } from './aliases.js';
import type { AdvisorySourceConfig, SignalSourceConfig } from './config.js';
import { createNvdSource } from './nvd.js';
import { syncSignalSource } from './signal-sync.js';
import { createOsvSource } from './osv.js';
import type { AdvisorySource, FetchContext, FetchOutcome, SourceEntry, SourceSyncResult, SyncResult } from './source.js';
import { contentHash, createVtopiaSource } from './vtopia.js';

/** Options of a sync run. */
export interface SyncOptions {
  /** Only this source (`--source`); unknown names are a usage error. */
  only?: string | undefined;
  logger: Logger;
  now: () => Date;
  /** Where downloads are staged. */
  tmpDir: string;
  /** Download progress of a source (bytes so far, total if known). */
  onProgress?: ((source: string, bytes: number, total: number | undefined) => void) | undefined;
  /** Records per write transaction (default 1000). */
  batchSize?: number | undefined;
  /** Environment, for credentials named by variable (an NVD source's `api_key_env`). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

const MAX_SAMPLES = 10;

/** True when the CLI should exit 3: a source failed or records were skipped. */
export function hasProblems(result: SyncResult): boolean {
  return result.sources.some((r) => r.error !== undefined || r.skipped > 0);
}

/** Builds the source object for a config entry of an advisory or NVD source (KEV and EPSS sync apart). */
export function createSource(cfg: AdvisorySourceConfig): AdvisorySource {
  switch (cfg.type) {
    case 'osv':
      return createOsvSource(cfg);
    case 'nvd':
      return createNvdSource(cfg);
    case 'vtopia':
      return createVtopiaSource(cfg);
    default:
      throw new Error(`${cfg.name}: a ${cfg.type} source holds signals, not advisories`);
  }
}

/** Syncs the configured sources (or `opts.only`), then recomputes alias groups if anything changed. */
export async function syncAdvisories(db: Db, configs: readonly AdvisorySourceConfig[], opts: SyncOptions): Promise<SyncResult> {
  const chosen = opts.only === undefined ? configs : configs.filter((c) => c.name === opts.only);
  if (opts.only !== undefined && chosen.length === 0) {
    const known = configs.map((c) => c.name).join(', ') || 'none configured';
    throw usageError(`unknown advisory source "${opts.only}"`, `known sources: ${known} (config advisories.sources)`);
  }
  // advisories and NVD records first (they regroup aliases), then the per-CVE signals
  const result = await syncSources(db, chosen.filter(isRecordSource).map(createSource), opts);
  for (const cfg of chosen) if (!isRecordSource(cfg)) result.sources.push(await syncSignalSource(db, cfg, opts));
  return result;
}

function isRecordSource(cfg: AdvisorySourceConfig): cfg is Exclude<AdvisorySourceConfig, SignalSourceConfig> {
  return cfg.type !== 'kev' && cfg.type !== 'epss';
}

/** Syncs already-built sources one after the other (the seam for sources beyond OSV and vtopia). */
export async function syncSources(db: Db, sources: readonly AdvisorySource[], opts: SyncOptions): Promise<SyncResult> {
  const results: SourceSyncResult[] = [];
  for (const source of sources) results.push(await syncSource(db, source, opts));
  // Regrouping reads every advisory: skip it when nothing changed and groups exist.
  const stored = results.some((r) => r.added + r.updated + r.removed > 0) ? undefined : countGroups(db);
  const groups = stored === undefined || stored === 0 ? inTransaction(db, () => saveAliasGroups(db, groupAliases(loadAliasRecords(db)))) : stored;
  return { sources: results, groups };
}

/** Syncs one source; never throws for a source failure (it is reported in `error`). */
export async function syncSource(db: Db, source: AdvisorySource, opts: SyncOptions): Promise<SourceSyncResult> {
  const result = emptyResult(source);
  const previous = getSourceRow(db, source.name);
  // read on first use: a source that finds nothing changed (304, an unchanged local listing) never needs them
  let known: Map<string, { fingerprint: string; advisoryId: string }> | undefined;
  const loadKnown = (): Map<string, { fingerprint: string; advisoryId: string }> => (known ??= loadFingerprints(db, source.name));
  // validators of a failed sync are not trusted: it may have stored part of a newer state
  const isTrusted = previous?.lastStatus === 'ok';
  const ctx: FetchContext = {
    previous: isTrusted ? { etag: previous.etag ?? undefined, lastModified: previous.lastModified ?? undefined } : {},
    watermark: previous?.watermark ?? undefined,
    get known() {
      return source.mode === 'merge' ? loadKnown() : undefined;
    },
    env: opts.env,
    now: opts.now,
    tmpDir: opts.tmpDir,
    logger: opts.logger,
    onProgress: opts.onProgress ? (b, t) => opts.onProgress?.(source.name, b, t) : undefined,
  };
  let outcome: FetchOutcome | undefined;
  const entries = source.fetch(ctx);
  try {
    outcome =
      source.mode === 'merge' ? await mergeEntries(db, source, entries, result, opts, loadKnown) : await replaceEntries(db, source, entries, result);
    if (outcome?.notModified) {
      result.notModified = true;
      result.unchanged = countAdvisories(db, source.name);
    }
  } catch (err) {
    result.error = redactPatterns(errorMessage(err));
    opts.logger.warn(`advisory source ${source.name}: ${result.error}; its previous data is kept`);
  } finally {
    // Runs the source's own cleanup (temp download, open zip) if we stopped early.
    await entries.return(undefined).catch(() => undefined);
  }
  recordSourceSync(db, {
    name: source.name,
    kind: source.kind,
    location: source.location,
    at: opts.now().toISOString(),
    error: result.error,
    etag: outcome?.notModified ? previous?.etag : (outcome?.validators?.etag ?? null),
    lastModified: outcome?.notModified ? previous?.lastModified : (outcome?.validators?.lastModified ?? null),
    isUnchanged: result.added + result.updated + result.removed === 0,
  });
  Object.assign(result, currentSourceStats(db, source.name, result.added + result.updated + result.removed > 0));
  return result;
}

type Entries = AsyncGenerator<SourceEntry, FetchOutcome | undefined, undefined>;
interface Pending {
  advisory: Advisory;
  rawText: string;
  columns: AdvisoryJsonColumns | undefined;
  file: string;
  fingerprint: string | undefined;
}

/**
 * Merge mode: 1. skip entries whose fingerprint is unchanged; 2. parse the rest and upsert them in
 * batches (newer `modified` wins); 3. after a complete read, drop advisories whose entry is gone.
 */
async function mergeEntries(db: Db, source: AdvisorySource, entries: Entries, result: SourceSyncResult, opts: SyncOptions, loadKnown: () => ReadonlyMap<string, { fingerprint: string; advisoryId: string }>): Promise<FetchOutcome | undefined> {
  const writer = createAdvisoryWriter(db, source.name);
  const batchSize = opts.batchSize ?? 1000;
  const seenIds = new Set<string>();
  const seenPaths = new Set<string>();
  let batch: Pending[] = [];
  // a source with nothing stored yet (its first sync) has nothing this sync could have left behind to delete
  const isFirst = isSourceEmpty(db, source.name);
  const flush = (): void => {
    const items = batch;
    batch = [];
    inTransaction(db, () => {
      for (const p of items) {
        count(result, writer.upsert(p.advisory, p.rawText, { groupId: ownGroup(p.advisory), columns: p.columns }));
        if (p.fingerprint !== undefined) writer.saveFingerprint(p.file, p.fingerprint, p.advisory.id);
      }
    });
  };
  let n = 0;
  for (let next = await entries.next(); ; next = await entries.next()) {
    if (next.done) {
      flush();
      if (!next.value?.notModified && !next.value?.incremental && !isFirst) inTransaction(db, () => (result.removed = deleteMissing(db, source.name, seenIds, seenPaths)));
      return next.value;
    }
    const entry = next.value;
    const stored = loadKnown().get(entry.file);
    seenPaths.add(entry.file);
    if (++n % 500 === 0) opts.logger.progress(`${source.name}: ${n} records`);
    if (stored !== undefined && entry.fingerprint !== undefined && stored.fingerprint === entry.fingerprint) {
      result.unchanged++;
      seenIds.add(stored.advisoryId);
      continue;
    }
    const parsed = await entry.parse();
    if (!parsed.ok) {
      if (parsed.dropped) result.dropped++;
      else skip(result, entry.file, parsed.reason);
      // An entry that turned invalid keeps its last good version rather than deleting it.
      if (stored) seenIds.add(stored.advisoryId);
      continue;
    }
    seenIds.add(parsed.advisory.id);
    skipEntries(result, entry.file, parsed.skippedEntries);
    batch.push({ advisory: parsed.advisory, rawText: parsed.rawText, columns: parsed.columns, file: entry.file, fingerprint: entry.fingerprint });
    if (batch.length >= batchSize) flush();
  }
}

/** Replace mode: read everything first, then store the whole set in one transaction (content hash decides). */
async function replaceEntries(db: Db, source: AdvisorySource, entries: Entries, result: SourceSyncResult): Promise<FetchOutcome | undefined> {
  const byId = new Map<string, { advisory: Advisory; rawText: string }>();
  let next = await entries.next();
  for (; !next.done; next = await entries.next()) {
    const parsed = await next.value.parse();
    if (!parsed.ok) {
      if (parsed.dropped) result.dropped++;
      else skip(result, next.value.file, parsed.reason);
      continue;
    }
    skipEntries(result, next.value.file, parsed.skippedEntries);
    const prior = byId.get(parsed.advisory.id);
    byId.set(parsed.advisory.id, prior ? mergeDuplicate(prior, parsed) : { advisory: parsed.advisory, rawText: parsed.rawText });
  }
  if (next.value?.notModified) return next.value;
  const writer = createAdvisoryWriter(db, source.name);
  inTransaction(db, () => {
    for (const { advisory, rawText } of byId.values()) count(result, writer.upsert(advisory, rawText, { contentHash: contentHash(rawText), groupId: ownGroup(advisory) }));
    result.removed = deleteMissing(db, source.name, new Set(byId.keys()));
  });
  return next.value;
}

/** The same id listed twice (e.g. once per package): one advisory with both affected lists. */
function mergeDuplicate(a: { advisory: Advisory; rawText: string }, b: { advisory: Advisory; rawText: string }): { advisory: Advisory; rawText: string } {
  const affected: AffectedEntry[] = a.advisory.affected.map((e) => ({ ...e, versions: [...e.versions], ranges: [...e.ranges] }));
  for (const e of b.advisory.affected) {
    const same = affected.find((x) => x.ecosystem === e.ecosystem && x.name === e.name);
    if (!same) affected.push(e);
    else {
      for (const v of e.versions) if (!same.versions.includes(v)) same.versions.push(v);
      for (const r of e.ranges) if (!same.ranges.some((x) => JSON.stringify(x) === JSON.stringify(r))) same.ranges.push(r);
    }
  }
  const raws = Array.isArray(a.advisory.raw) ? [...(a.advisory.raw as unknown[]), b.advisory.raw] : [a.advisory.raw, b.advisory.raw];
  return { advisory: { ...a.advisory, affected, raw: raws }, rawText: JSON.stringify(raws) };
}

/** The group an advisory would have on its own; most keep it after regrouping. */
function ownGroup(adv: Advisory): string {
  return canonicalId([adv.id, ...adv.aliases]);
}

function count(result: SourceSyncResult, outcome: UpsertOutcome): void {
  result[outcome]++;
}

function skip(result: SourceSyncResult, file: string, reason: string): void {
  result.skipped++;
  if (result.skippedSamples.length < MAX_SAMPLES) result.skippedSamples.push({ file, reason });
}

/** Entries left out of a stored record: counted and sampled, but the record stands (not a partial sync). */
function skipEntries(result: SourceSyncResult, file: string, reasons: readonly string[] | undefined): void {
  for (const reason of reasons ?? []) {
    result.skippedEntries++;
    if (result.skippedSamples.length < MAX_SAMPLES) result.skippedSamples.push({ file, reason: `entry left out: ${reason}` });
  }
}

function emptyResult(source: AdvisorySource): SourceSyncResult {
  return {
    source: source.name,
    kind: source.kind,
    added: 0,
    updated: 0,
    unchanged: 0,
    removed: 0,
    withdrawn: 0,
    skipped: 0,
    skippedEntries: 0,
    dropped: 0,
    skippedSamples: [],
    perEcosystem: {},
    notModified: false,
  };
}
