/**
 * Who a `scan <path|url>` target is: the stored project it is (named from its git remote, or --name; never from
 * its absolute path), and the stored projects whose acceptances cover it (same repository in any URL form, same
 * branch when one is known) — so `scan . --fail-on` honours triage exactly as `match` does.
 */
import path from 'node:path';
import type { Db } from '../db/open.js';
import { listProjects } from '../db/projects.js';
import { loadCoverIndex, type Acceptance } from '../db/acceptances.js';
import { localRepoInfo } from '../gitsync/local-repo.js';
import type { MatchedFinding } from '../model/match.js';
import { projectName, repoIdentity } from '../model/repo-url.js';
import type { Project } from '../model/types.js';

/** A target as given on the command line, resolved. */
export interface ScanTarget {
  kind: 'local' | 'repo' | 'sbom';
  /** Where the files are (local), what to clone (repo), or the SBOM file (sbom). */
  location: string;
  /** The project row it is stored as with --save. */
  stored: Project;
  /** The name wanted for it (made unique when stored). */
  name: string;
  /** The repository identity (repoIdentity) and branch, when known: for finding the projects that cover it. */
  identity: string | undefined;
  branch: string | undefined;
}

/**
 * A local directory is stored by its git remote (`kind: local`, url = the remote, branch = the checked-out
 * branch) and named like the inventory would name that repository; `--name` overrides the name (and is the key
 * when there is no remote); without either it is `local/<folder>`.
 */
export async function resolveLocalTarget(dir: string, name: string | undefined, env: Record<string, string | undefined>): Promise<ScanTarget> {
  const info = await localRepoInfo(dir, env);
  const branch = info.branch ?? '';
  if (info.remoteUrl) {
    const stored: Project = { kind: 'local', url: info.remoteUrl, branch, maintainers: [], labels: {} };
    return { kind: 'local', location: dir, stored, name: name ?? projectName({ kind: 'repo', url: info.remoteUrl, branch }), identity: repoIdentity(info.remoteUrl), branch: info.branch };
  }
  const stored: Project = { kind: 'local', url: name !== undefined ? `local:${name}` : dir, branch: '', maintainers: [], labels: {} };
  return { kind: 'local', location: dir, stored, name: name ?? `local/${path.basename(dir)}`, identity: undefined, branch: undefined };
}

/** An SBOM file (`scan --sbom`): stored as a local project whose path is the file, named by --name or after the file. */
export function resolveSbomTarget(file: string, name: string | undefined): ScanTarget {
  const stored: Project = { kind: 'local', url: file, branch: '', maintainers: [], labels: {} };
  return { kind: 'sbom', location: file, stored, name: name ?? `local/${path.basename(file)}`, identity: undefined, branch: undefined };
}

/** A repository URL target (cloned into a temp dir unless --save). */
export function resolveUrlTarget(url: string, branch: string, name: string | undefined): ScanTarget {
  const stored: Project = { kind: 'repo', url, branch, maintainers: [], labels: {} };
  return { kind: 'repo', location: url, stored, name: name ?? projectName(stored), identity: repoIdentity(url), branch };
}

/** The stored projects a target is: same repository and branch (any branch when none matches), or same name/url. */
export function coveringProjectIds(db: Db, t: ScanTarget): number[] {
  const all = listProjects(db).filter((p) => p.kind !== 'image');
  const byName = all.filter((p) => p.name === t.name || p.url === t.stored.url);
  const sameRepo = t.identity === undefined ? [] : all.filter((p) => repoIdentity(p.url) === t.identity);
  const sameBranch = sameRepo.filter((p) => p.branch === (t.branch ?? ''));
  return [...new Set([...byName, ...(sameBranch.length > 0 ? sameBranch : sameRepo)].map((p) => p.id))];
}

/** A finding of a scan that stored nothing, with the acceptance that covers it (as `match` would decide). */
export type TriagedFinding = MatchedFinding & { acceptance: Acceptance | undefined };

/** Applies the stored acceptances to in-memory findings: project-scoped ones of `projectIds`, and all-projects ones. */
export function applyAcceptancesInMemory(db: Db, findings: readonly MatchedFinding[], projectIds: readonly number[], now: Date): TriagedFinding[] {
  const cover = loadCoverIndex(db, now);
  // -1 is no project: only all-projects acceptances can cover a target no stored project is
  const ids = projectIds.length > 0 ? projectIds : [-1];
  return findings.map((f) => {
    const names = [...f.advisories.map((a) => a.id), ...f.aliases];
    let acceptance: Acceptance | undefined;
    for (const projectId of ids) {
      acceptance = cover.cover({ projectId, groupId: f.groupId, package: f.package, version: f.version, ids: names });
      if (acceptance) break;
    }
    return { ...f, acceptance };
  });
}
