/**
 * The files a local source reads, each fingerprinted by size and mtime, and one fingerprint of the whole listing (a
 * hash of every relative path, size and mtime): a re-sync that finds the listing unchanged stops there, with no
 * per-file work and no stored row read. Files are still stat-ed one by one, since a file rewritten in place (or only
 * touched) changes its own mtime, not its directory's.
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** One file of a listing. */
export interface LocalFile {
  /** Its path as given or found (joined to the root). */
  path: string;
  /** Its name in entries and fingerprints: the path under the root with `/`, or the base name of a single file. */
  rel: string;
  /** `file:<size>:<mtime ms>`, the per-entry fingerprint the sync stores. */
  fingerprint: string;
}

/** The files in name order and the fingerprint of them all. */
export interface LocalListing {
  files: LocalFile[];
  fingerprint: string;
}

/** Every `*.json` under `root` (recursive, depth first, in name order; symbolic links are not followed). */
export function listJsonTree(root: string): LocalListing {
  const files: LocalFile[] = [];
  const walk = (dir: string, rel: string): void => {
    // one readdir with file types per directory; relative names are built along, not recomputed per file
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of entries) {
      const full = `${dir}${path.sep}${d.name}`;
      if (d.isDirectory()) walk(full, `${rel}${d.name}/`);
      else if (d.isFile() && d.name.endsWith('.json')) files.push({ path: full, rel: `${rel}${d.name}`, fingerprint: fileFingerprint(full) });
    }
  };
  walk(root, '');
  return withFingerprint(files);
}

/** The given files (named by their base names), in the order given. */
export function listFiles(paths: readonly string[]): LocalListing {
  return withFingerprint(paths.map((p) => ({ path: p, rel: path.basename(p), fingerprint: fileFingerprint(p) })));
}

/** A file's size and mtime, as every local source fingerprints its files. */
export function fileFingerprint(file: string): string {
  const info = statSync(file);
  return `file:${info.size}:${Math.trunc(info.mtimeMs)}`;
}

function withFingerprint(files: LocalFile[]): LocalListing {
  // one update of the whole text: tens of thousands of small updates cost more than the hashing
  const text = files.map((f) => `${f.rel}\0${f.fingerprint}\n`).join('');
  return { files, fingerprint: `tree:${files.length}:${createHash('sha256').update(text).digest('base64url')}` };
}
