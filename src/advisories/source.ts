/**
 * The interface every advisory source implements, and the per-source result of a sync.
 * A source only fetches and parses; `sync.ts` decides what to store.
 */
import type { Advisory } from '../model/types.js';
import type { AdvisoryJsonColumns } from '../db/advisories.js';
import type { Logger } from '../shared/log.js';

/**
 * One record a source produced: an advisory (with the entries inside it that were unusable and left out), or the
 * reason it was skipped; `dropped` marks a record left out on purpose by configuration (not a problem).
 */
export type ParsedEntry =
  | { ok: true; advisory: Advisory; rawText: string; skippedEntries?: string[]; columns?: AdvisoryJsonColumns | undefined }
  | { ok: false; reason: string; dropped?: boolean };

/** One entry of a source (a file, a zip entry, an API record), read only when needed. */
export interface SourceEntry {
  /** Where it came from, for skip reasons: a relative path, zip entry name or `page 3 #12`. */
  file: string;
  /** Cheap identity of the content (size+mtime, CRC+size); an entry whose fingerprint is unchanged is not read. */
  fingerprint?: string | undefined;
  /** Reads and normalises the entry. Never throws for a bad record (returns ok: false); throws if the source broke. */
  parse(): Promise<ParsedEntry>;
}

/** HTTP validators kept per source so an unchanged download is not fetched again. */
export interface HttpValidators {
  etag?: string | undefined;
  lastModified?: string | undefined;
}

/** How a fetch ended when it did not throw. */
export interface FetchOutcome {
  /** The server said 304: nothing was yielded and the stored set stands. */
  notModified?: boolean;
  validators?: HttpValidators;
  /** Only changes were read (NVD API since the last sync): records not seen are kept, not deleted. */
  incremental?: boolean;
}

/** What a source gets from the orchestrator. */
export interface FetchContext {
  /** Validators stored by the last successful sync of this source. */
  previous: HttpValidators;
  /** Scratch directory for downloads (removed by the source when done). */
  tmpDir: string;
  logger: Logger;
  /** The newest `modified` stored from this source by its last successful sync (an incremental source asks for changes since). */
  watermark?: string | undefined;
  /** Fingerprints stored by the last syncs, by entry path (a feed file unchanged since can replay its entries unread). */
  known?: ReadonlyMap<string, { fingerprint: string; advisoryId: string }> | undefined;
  /** The clock (an incremental source asks for changes up to now). */
  now?: (() => Date) | undefined;
  /** Environment, for the credentials a source names by variable (`api_key_env`). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Download progress: bytes so far, total if the server said. */
  onProgress?: ((bytes: number, total: number | undefined) => void) | undefined;
}

/**
 * A named advisory source. `merge` sources (OSV) are upserted record by record in batches; `replace`
 * sources (vtopia) yield only after everything arrived and their set is replaced in one transaction.
 */
export interface AdvisorySource {
  readonly name: string;
  readonly kind: string;
  readonly mode: 'merge' | 'replace';
  /** Where it reads from, for the sources table and messages (no credentials). */
  readonly location: string;
  fetch(ctx: FetchContext): AsyncGenerator<SourceEntry, FetchOutcome | undefined, undefined>;
}

/** A skipped record: where and why. */
export interface SkippedSample {
  file: string;
  reason: string;
}

/** Outcome of syncing one source. */
export interface SourceSyncResult {
  source: string;
  kind: string;
  added: number;
  updated: number;
  unchanged: number;
  /** Stored advisories gone from a complete read of the source (deleted). */
  removed: number;
  /** How many of the source's stored advisories are withdrawn (kept, never matched). */
  withdrawn: number;
  skipped: number;
  /** Entries inside stored records that were unusable and left out (the record itself is kept). */
  skippedEntries: number;
  /** Records left out by configuration (CVE Manager `drop_low_credibility`). */
  dropped: number;
  /** The first few skipped records (and skipped entries). */
  skippedSamples: SkippedSample[];
  /** The source's stored advisories per ecosystem (the part before ':'; an advisory counts once per ecosystem). */
  perEcosystem: Record<string, number>;
  /** The download was answered 304 Not Modified. */
  notModified: boolean;
  /** Set when the source failed; its previous data was kept. */
  error?: string | undefined;
}

/** Outcome of `syncAdvisories`. */
export interface SyncResult {
  sources: SourceSyncResult[];
  /** Number of alias groups over all sources after the sync. */
  groups: number;
}
