/**
 * The files a local source reads, each fingerprinted by size and mtime, and one fingerprint of the whole listing (a
 * hash of every relative path, size and mtime): a re-sync that finds the listing unchanged stops there, with no
 * per-file work and no stored row read. Files are still stat-ed one by one, since a file rewritten in place (or only
 * touched) changes its own mtime, not its directory's. Listings are walked lazily and never held (a full NVD mirror
 * has ~300k files).
 */
import { createHash, type Hash } from 'node:crypto';
import { readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';

/** One file of a listing. */
export interface LocalFile {
  /** Its path as given or found (joined to the root). */
  path: string;
  /** Its name in entries and fingerprints: the path under the root with `/`, or the base name of a given file. */
  rel: string;
  /** `file:<size>:<mtime ms>`, the per-entry fingerprint the sync stores. */
  fingerprint: string;
  /** Its size and mtime (ms, unrounded) as `stat` gave them, for the listing's fingerprint. */
  size: number;
  mtimeMs: number;
}

/** Every `*.json` under `root` (recursive, depth first, in name order; symbolic links are not followed). */
export function* jsonTreeFiles(root: string): Generator<LocalFile, void, undefined> {
  // one generator walking a stack of directories: nested generators (`yield*` per level) cost more than the stat
  // calls when the process is fresh, as every sync's is; relative names are built along, not recomputed per file
  const stack = [{ dir: root, rel: '', entries: sortedEntries(root), next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const d = top.entries[top.next++];
    if (d === undefined) {
      stack.pop();
      continue;
    }
    const full = `${top.dir}${path.sep}${d.name}`;
    if (d.isDirectory()) stack.push({ dir: full, rel: `${top.rel}${d.name}/`, entries: sortedEntries(full), next: 0 });
    else if (d.isFile() && d.name.endsWith('.json')) yield localFile(full, `${top.rel}${d.name}`);
  }
}

/**
 * The fingerprint `listingFingerprint(jsonTreeFiles(root))` gives, walked without an object per file: this walk is all
 * the work of a re-sync that finds nothing changed.
 */
export function jsonTreeFingerprint(root: string): string {
  const hash = new ListingHash();
  const walk = (dir: string, rel: string): void => {
    for (const d of sortedEntries(dir)) {
      const name = d.name;
      if (d.isDirectory()) walk(`${dir}${path.sep}${name}`, `${rel}${name}/`);
      else if (d.isFile() && name.endsWith('.json')) {
        const info = statSync(`${dir}${path.sep}${name}`);
        hash.addFile(rel, name, info.size, info.mtimeMs);
      }
    }
  };
  walk(root, '');
  return hash.digest();
}

function sortedEntries(dir: string): Dirent[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  // libuv lists a directory sorted by bytes, which is this order for any name without characters beyond U+FFFF:
  // checking costs less than sorting again
  for (let i = 1; i < entries.length; i++) if (!(entries[i - 1]!.name < entries[i]!.name)) return entries.sort(byName);
  return entries;
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The given files (named by their base names), in the order given. */
export function* givenFiles(paths: readonly string[]): Generator<LocalFile, void, undefined> {
  for (const p of paths) yield localFile(p, path.basename(p));
}

/** A file stat-ed: its fingerprint is its size and mtime, as every local source fingerprints its files. */
function localFile(file: string, rel: string): LocalFile {
  const info = statSync(file);
  return { path: file, rel, fingerprint: `file:${info.size}:${Math.trunc(info.mtimeMs)}`, size: info.size, mtimeMs: info.mtimeMs };
}

/**
 * The fingerprint of a listing, folded file by file as it is walked: the names go to one hash, a directory at a time
 * (`/<dir>` then its files' names, each `\0`-terminated: names hold neither `/` nor `\0`, so the listing is spelled
 * unambiguously), sizes and mtimes as doubles to another. No number is turned into text and no string is built per
 * file: that cost more than the hashing itself, a good part of a no-change re-sync.
 */
export class ListingHash {
  private readonly names: Hash = createHash('sha256');
  private readonly stats: Hash = createHash('sha256');
  private dir: string | undefined;
  private dirNames: string[] = [];
  private readonly pendingStats = new Float64Array(4096);
  private filled = 0;
  private count = 0;

  /** Adds the next file of the listing. */
  add(f: LocalFile): void {
    const cut = f.rel.lastIndexOf('/') + 1;
    this.addFile(f.rel.slice(0, cut), f.rel.slice(cut), f.size, f.mtimeMs);
  }

  /** Adds the next file of the listing: its directory (`''` or ending in `/`), name, size and mtime. */
  addFile(dir: string, name: string, size: number, mtimeMs: number): void {
    if (dir !== this.dir) {
      this.flushNames();
      this.dirNames.push(`/${dir}`);
      this.dir = dir;
    }
    this.dirNames.push(name);
    const stats = this.pendingStats;
    stats[this.filled++] = size;
    stats[this.filled++] = mtimeMs;
    // hashed in chunks: tens of thousands of tiny updates cost more than the hashing itself
    if (this.filled === stats.length) this.flushStats();
    this.count++;
  }

  /** `tree:<files>:<hash>`. */
  digest(): string {
    this.flushNames();
    this.flushStats();
    return `tree:${this.count}:${createHash('sha256').update(this.names.digest()).update(this.stats.digest()).digest('base64url')}`;
  }

  private flushNames(): void {
    if (this.dirNames.length === 0) return;
    this.dirNames.push('');
    this.names.update(this.dirNames.join('\0'));
    this.dirNames = [];
  }

  private flushStats(): void {
    this.stats.update(this.pendingStats.subarray(0, this.filled));
    this.filled = 0;
  }
}

/** The fingerprint of a whole listing. */
export function listingFingerprint(files: Iterable<LocalFile>): string {
  const h = new ListingHash();
  for (const f of files) h.add(f);
  return h.digest();
}
