/** Which stored projects a user's words name: shared by `--project` and the register's `scope.project`. */
import { repoIdentity } from './repo-url.js';
import type { StoredProject } from './types.js';

/**
 * The projects `w` names: the exact name or URL; else the repository in any URL form (as written in the
 * inventory, with `.git`, scp-style `git@host:org/repo` or `ssh://`), optionally with `@branch`; else the
 * projects whose name contains `w`. Empty when nothing matches.
 */
export function projectsNamed(all: readonly StoredProject[], w: string): StoredProject[] {
  const exact = all.filter((p) => p.name === w || p.url === w);
  if (exact.length > 0) return exact;
  const sameRepo = byRepository(all, w);
  if (sameRepo.length > 0) return sameRepo;
  return all.filter((p) => p.name.includes(w));
}

/** The projects of the repository `w` names in any URL form; `url@branch` narrows to one branch. */
function byRepository(all: readonly StoredProject[], w: string): StoredProject[] {
  const at = w.lastIndexOf('@');
  const split = at > w.lastIndexOf('/') && at > 0 ? { url: w.slice(0, at), branch: w.slice(at + 1) } : undefined;
  for (const { url, branch } of [{ url: w, branch: undefined as string | undefined }, ...(split ? [split] : [])]) {
    const id = repoIdentity(url);
    if (id === undefined) continue;
    const found = all.filter((p) => p.kind !== 'image' && repoIdentity(p.url) === id && (branch === undefined || p.branch === branch));
    if (found.length > 0) return found;
  }
  return [];
}
