/**
 * One digest of the files a scan read: the manifests and lockfiles trivy reported (each package's target), by
 * path and content. Equal digests mean the same inputs, so a package list that differs between them is the
 * scanner's doing, not the project's.
 */
import { createHash } from 'node:crypto';
import { lstat, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Package } from '../model/types.js';

/** sha256 over the sorted targets and their contents under `dir`; undefined when `dir` is not a directory (images). */
export async function inputDigest(dir: string, packages: readonly Pick<Package, 'target'>[]): Promise<string | undefined> {
  try {
    if (!(await stat(dir)).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const hash = createHash('sha256');
  for (const target of [...new Set(packages.map((p) => p.target))].sort()) {
    const file = path.resolve(dir, target);
    const rel = path.relative(dir, file);
    let content = 'unreadable';
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) {
      try {
        if ((await lstat(file)).isFile()) content = createHash('sha256').update(await readFile(file)).digest('hex');
      } catch {
        // a target trivy named inside an archive or a file gone since: its name alone goes into the digest
      }
    }
    hash.update(`${target}\0${content}\n`);
  }
  return hash.digest('hex');
}
