/**
 * The files a local source reads, each fingerprinted by size and mtime, and one fingerprint of the whole listing (a
 * hash of every relative path, size and mtime): a re-sync that finds the listing unchanged stops there, with no
 * per-file work and no stored row read. Files are still stat-ed one by one, since a file rewritten in place (or only
 * touched) changes its own mtime, not its directory's. Listings are walked lazily and never held (a full NVD mirror
 * has ~300k files). A directory that is a clean git checkout is named by its tree id instead (git-tree.ts).
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
}

/**
 * Every `*.json` under `root` (recursive, depth first, in name order; symbolic links are not followed; a `.git`
 * directory is git's own store, never records, and is not entered).
 */
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
    if (d.isDirectory()) {
      if (d.name !== '.git') stack.push({ dir: full, rel: `${top.rel}${d.name}/`, entries: sortedEntries(full), next: 0 });
    } else if (d.isFile() && d.name.endsWith('.json')) yield { path: full, rel: `${top.rel}${d.name}`, fingerprint: fileFingerprint(full) };
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
      const full = `${dir}${path.sep}${d.name}`;
      if (d.isDirectory()) {
        if (d.name !== '.git') walk(full, `${rel}${d.name}/`);
      } else if (d.isFile() && d.name.endsWith('.json')) hash.addFile(`${rel}${d.name}`, fileFingerprint(full));
    }
  };
  walk(root, '');
  return hash.digest();
}

function sortedEntries(dir: string): Dirent[] {
  return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The given files (named by their base names), in the order given. */
export function* givenFiles(paths: readonly string[]): Generator<LocalFile, void, undefined> {
  for (const p of paths) yield { path: p, rel: path.basename(p), fingerprint: fileFingerprint(p) };
}

/** A file's size and mtime, as every local source fingerprints its files. */
export function fileFingerprint(file: string): string {
  const info = statSync(file);
  return `file:${info.size}:${Math.trunc(info.mtimeMs)}`;
}

/** The fingerprint of a listing, folded file by file as it is walked. */
export class ListingHash {
  private readonly hash: Hash = createHash('sha256');
  private pending = '';
  private count = 0;

  /** Adds the next file of the listing. */
  add(f: LocalFile): void {
    this.addFile(f.rel, f.fingerprint);
  }

  /** Adds the next file of the listing, by its name and fingerprint. */
  addFile(rel: string, fingerprint: string): void {
    // hashed in chunks: tens of thousands of tiny updates cost more than the hashing itself
    this.pending += `${rel}\0${fingerprint}\n`;
    this.count++;
    if (this.pending.length > 1 << 16) this.flush();
  }

  /** `tree:<files>:<hash>`. */
  digest(): string {
    this.flush();
    return `tree:${this.count}:${this.hash.digest('base64url')}`;
  }

  private flush(): void {
    this.hash.update(this.pending);
    this.pending = '';
  }
}

/** The fingerprint of a whole listing. */
export function listingFingerprint(files: Iterable<LocalFile>): string {
  const h = new ListingHash();
  for (const f of files) h.add(f);
  return h.digest();
}
