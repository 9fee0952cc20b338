/**
 * NVD source (enrichment): the CVE records NVD rates, read from a directory of one JSON per CVE (the public mirror's
 * `CVE-YYYY/CVE-YYYY-NNxx/CVE-YYYY-NNNN.json`), from 2.0 feed files (`nvdcve-2.0-*.json[.gz]`, by path, glob or
 * URL, streamed item by item), or from the CVE API 2.0 (nvd-api.ts). Every entry carries a fingerprint, so a re-sync
 * reads only what changed: a file by size and mtime, a feed's records by the feed file's; and a directory unchanged
 * since the last successful sync is not compared at all: a clean git checkout by its tree id (git-tree.ts), any other
 * by the fingerprint of its listing (every file's name, size and mtime). Record files are parsed ahead of the writes,
 * on a worker thread when there are many (record-pool.ts).
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { redactPatterns } from '../shared/redact.js';
import { jsonArrayItems } from '../shared/json-items.js';
import type { NvdSourceConfig } from './config.js';
import { downloadIfChanged } from './download.js';
import { parseRecord } from './nvd-record.js';
import { RecordPool, type RecordPoolOptions } from './record-pool.js';
import { nvdApiEntries } from './nvd-api.js';
import { cleanGitTree } from './git-tree.js';
import { givenFiles, jsonTreeFiles, jsonTreeFingerprint, ListingHash, listingFingerprint, type LocalFile } from './local-files.js';
import type { AdvisorySource, FetchContext, FetchOutcome, SourceEntry } from './source.js';

/** Builds the source for one `type: nvd` config entry. */
export function createNvdSource(cfg: NvdSourceConfig, opts: NvdSourceOptions = {}): AdvisorySource {
  return { name: cfg.name, kind: 'nvd', mode: 'merge', location: cfg.url ? redactPatterns(cfg.url) : (cfg.path ?? ''), fetch: (ctx) => fetchNvd(cfg, ctx, opts) };
}

export interface NvdSourceOptions {
  /** How record files are parsed (default: on the compiled worker beside record-pool.js past the first 256; tests pass dist's). */
  recordPool?: RecordPoolOptions | undefined;
}

type Entries = AsyncGenerator<SourceEntry, FetchOutcome | undefined, undefined>;

async function* fetchNvd(cfg: NvdSourceConfig, ctx: FetchContext, opts: NvdSourceOptions): Entries {
  if (cfg.url) return isFeedName(cfg.url) ? yield* feedUrl(cfg, cfg.url, ctx) : yield* nvdApiEntries(cfg, ctx);
  const { files, fingerprint, isTree } = await localFiles(cfg.path ?? '');
  // 1. the whole directory unchanged since the last successful sync: nothing to read, nothing to compare. A clean git
  //    checkout is named by its tree id (asked before anything is read: a change made during the sync changes it
  //    again), any other directory by the fingerprint of its listing; whichever named it last is asked first (a
  //    directory named by its listing pays for no git process)
  if (ctx.previous.etag?.startsWith('tree:') && ctx.previous.etag === fingerprint()) return { notModified: true };
  const git = isTree ? await cleanGitTree(cfg.path ?? '', { env: ctx.env }) : undefined;
  const gitEtag = git?.tree === undefined ? undefined : `git:${git.tree}`;
  if (git?.tree === undefined && git !== undefined) ctx.logger.debug(`advisory source ${cfg.name}: no git tree id for ${cfg.path ?? ''} (${git.why}): its listing is fingerprinted`);
  if (gitEtag !== undefined && ctx.previous.etag === gitEtag) return { notModified: true };
  // 2. else file by file (the sync skips files whose own fingerprint is unchanged), fingerprinting the listing again as
  //    it goes; that fingerprint is kept only when every record read was valid, so the next sync reports an invalid file again
  const listing = new ListingHash();
  let isClean = true;
  const noting = (e: SourceEntry): SourceEntry => ({
    ...e,
    parse: async () => {
      const parsed = await e.parse();
      if (!parsed.ok) isClean = false;
      return parsed;
    },
  });
  // record files are parsed up to LOOK_AHEAD ahead of the one being stored (on a worker thread once there are many)
  const pool = new RecordPool(cfg.name, opts.recordPool);
  const ahead: SourceEntry[] = [];
  try {
    for (const f of files()) {
      listing.add(f);
      if (!isTree || isFeedName(f.rel)) {
        while (ahead.length > 0) yield noting(ahead.shift()!);
        for await (const e of feedEntries(cfg.name, f.path, ctx, f.fingerprint)) yield noting(e);
        continue;
      }
      ahead.push(recordEntry(f, ctx.known, pool));
      if (ahead.length >= LOOK_AHEAD) yield noting(ahead.shift()!);
    }
    while (ahead.length > 0) yield noting(ahead.shift()!);
  } finally {
    await pool.close();
  }
  return isClean ? { validators: { etag: gitEtag ?? listing.digest() } } : undefined;
}

/** The files `where` names, walked anew on each call: a directory's `*.json` (`isTree`: records, or feed files by name), else feed files (a glob, one file). */
async function localFiles(where: string): Promise<{ files: () => Iterable<LocalFile>; fingerprint: () => string; isTree: boolean }> {
  const given = (paths: string[]): { files: () => Iterable<LocalFile>; fingerprint: () => string; isTree: boolean } => ({
    files: () => givenFiles(paths),
    fingerprint: () => listingFingerprint(givenFiles(paths)),
    isTree: false,
  });
  if (/[*?[]/.test(path.basename(where))) {
    const found = globFiles(where);
    if (found.length === 0) throw new Error(`no file matches ${where}`);
    return given(found);
  }
  const info = await stat(where).catch((err: Error) => {
    throw new Error(`cannot read ${where}: ${err.message}`, { cause: err });
  });
  return info.isDirectory() ? { files: () => jsonTreeFiles(where), fingerprint: () => jsonTreeFingerprint(where), isTree: true } : given([where]);
}

/** A feed file's name: NVD's `nvdcve-2.0-<year|modified|recent>.json[.gz]`, or any `.json.gz`. */
function isFeedName(p: string): boolean {
  const base = /^https?:\/\//.test(p) ? path.basename(new URL(p).pathname) : path.basename(p);
  return /^nvdcve-.*\.json(\.gz)?$/i.test(base) || /\.json\.gz$/i.test(base);
}

/** Record files parsed ahead of the one being stored. */
const LOOK_AHEAD = 512;

/**
 * One file holding one CVE (the API's `cve` object). A file the last sync stored with the same fingerprint is not read
 * (the sync skips it); any other starts parsing now.
 */
function recordEntry(f: LocalFile, known: FetchContext['known'], pool: RecordPool): SourceEntry {
  const isUnchanged = known?.get(f.rel)?.fingerprint === f.fingerprint;
  let started = isUnchanged ? undefined : pool.parse(f.path);
  return {
    file: f.rel,
    fingerprint: f.fingerprint,
    parse: () => {
      started ??= pool.parse(f.path);
      pool.flush();
      return started;
    },
  };
}

/**
 * The records of one feed file, as entries `<file name>#<CVE id>` carrying the file's fingerprint. When the file is
 * unchanged since the last sync, its stored entries are replayed without reading it (the sync skips them all).
 */
async function* feedEntries(source: string, file: string, ctx: FetchContext, fp: string, isReplayable = true): AsyncGenerator<SourceEntry, void, undefined> {
  const prefix = `${path.basename(file)}#`;
  const stored = isReplayable ? [...(ctx.known ?? new Map<string, { fingerprint: string }>())].filter(([k]) => k.startsWith(prefix)) : [];
  if (stored.length > 0 && stored.every(([, v]) => v.fingerprint === fp)) {
    for (const [k] of stored) yield { file: k, fingerprint: fp, parse: async () => ({ ok: false, reason: 'unchanged feed entry' }) };
    return;
  }
  const input = createReadStream(file);
  const text = (/\.gz$/i.test(file) ? input.pipe(createGunzip()) : input).setEncoding('utf8');
  let n = 0;
  try {
    for await (const item of jsonArrayItems(text as AsyncIterable<string>, 'vulnerabilities')) {
      n++;
      const parsed = parseRecord(item, source);
      const id = parsed.ok ? parsed.advisory.id : `#${n}`;
      yield { file: `${prefix}${id}`, fingerprint: parsed.ok ? fp : undefined, parse: async () => parsed };
    }
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  } finally {
    input.destroy();
  }
}

async function* feedUrl(cfg: NvdSourceConfig, url: string, ctx: FetchContext): AsyncGenerator<SourceEntry, FetchOutcome, undefined> {
  const name = path.basename(new URL(url).pathname);
  const file = path.join(ctx.tmpDir, `icms-nvd-${randomBytes(6).toString('hex')}-${name}`);
  try {
    const got = await downloadIfChanged(url, file, ctx.previous, { timeoutMs: cfg.timeoutMs, retries: cfg.retries, backoffMs: cfg.backoffMs, onProgress: ctx.onProgress });
    if (got.notModified) return { notModified: true };
    // the downloaded copy's name is random: entries are named by the URL's file name, fingerprinted by the validators
    for await (const e of feedEntries(cfg.name, file, ctx, `url:${got.validators.etag ?? got.validators.lastModified ?? got.bytes}`, false)) {
      yield { ...e, file: `${name}#${e.file.slice(e.file.indexOf('#') + 1)}` };
    }
    return { validators: got.validators };
  } finally {
    await rm(file, { force: true });
  }
}

/** The files a `dir/pattern` glob names (`*` and `?` in the last part only), in name order. */
function globFiles(pattern: string): string[] {
  const dir = path.dirname(pattern);
  const re = new RegExp(`^${path.basename(pattern).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new Error(`cannot read ${dir}: ${(err as Error).message}`, { cause: err });
  }
  return names.filter((n) => re.test(n)).sort().map((n) => path.join(dir, n)).filter((f) => statSync(f).isFile());
}
