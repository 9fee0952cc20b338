/**
 * Ops rows without a branch: the original tool skipped them; icms scans the repository's default branch, read from
 * the remote (`git ls-remote --symref <url> HEAD`, by the caller's git wrapper) after the allowlist, so only allowed
 * repositories are asked. The label records that the branch came from the remote: when the remote cannot be asked,
 * the branch recorded by an earlier fetch is kept, so the project (named url@branch) does not come and go.
 */
import pLimit from 'p-limit';
import type { Project } from '../model/types.js';
import { errorMessage } from '../shared/errors.js';
import type { InventoryResult } from './fetch-inventory.js';
import { mergeProjects } from './normalize.js';

/** The label key and value marking a project whose branch is its repository's default branch. */
export const DEFAULT_BRANCH_LABEL = 'branch_source';
export const REMOTE_HEAD = 'remote HEAD';

export interface DefaultBranchOptions {
  /** The remote's default branch (throws when it cannot be read). */
  defaultBranch: (url: string) => Promise<string>;
  /** Default branches recorded by earlier fetches (url -> branch). */
  recorded: ReadonlyMap<string, string>;
  /** Remotes asked at once. */
  concurrency?: number;
}

/** Fills in the branch of every project that has none; a project that gets none is dropped with a warning. */
export async function resolveDefaultBranches(result: InventoryResult, opts: DefaultBranchOptions): Promise<InventoryResult> {
  // only repositories have branches (images and SBOMs of the inventory have none to look up)
  const isOpen = (p: Project): boolean => p.kind === 'repo' && p.branch === '';
  const open = result.projects.filter(isOpen);
  if (open.length === 0) return result;
  const limit = pLimit(opts.concurrency ?? 4);
  const warnings = [...result.warnings];
  const resolved = await Promise.all(
    open.map((p) =>
      limit(async (): Promise<Project | undefined> => {
        let branch: string;
        try {
          branch = await opts.defaultBranch(p.url);
        } catch (err) {
          const recorded = opts.recorded.get(p.url);
          if (recorded === undefined) {
            warnings.push(`${p.url}: the row names no branch and the default branch could not be read (${errorMessage(err)}); skipped`);
            return undefined;
          }
          warnings.push(`${p.url}: the row names no branch and the remote could not be asked (${errorMessage(err)}); keeping the recorded default branch ${recorded}`);
          branch = recorded;
        }
        return { ...p, branch, labels: { ...p.labels, [DEFAULT_BRANCH_LABEL]: REMOTE_HEAD } };
      }),
    ),
  );
  const projects = [...result.projects.filter((p) => !isOpen(p)), ...resolved.filter((p): p is Project => p !== undefined)];
  // a row naming the default branch explicitly and a branch-less row of the same repository are one project
  return { ...result, projects: mergeProjects(projects), warnings };
}

/** The default branches stored projects recorded (those marked by DEFAULT_BRANCH_LABEL). */
export function recordedDefaultBranches(projects: readonly Project[]): Map<string, string> {
  return new Map(projects.filter((p) => p.kind === 'repo' && p.labels[DEFAULT_BRANCH_LABEL] === REMOTE_HEAD).map((p) => [p.url, p.branch]));
}
