/** The inventory stage: read a source, merge duplicates, apply the allowlist. */
import type { Project } from '../model/types.js';
import { filterProjects, refuseLocalRepos, type Allowlist, type SkippedProject } from './filter.js';
import { mergeProjects } from './normalize.js';

export interface InventoryResult {
  /** Projects to store: merged and allowed. */
  projects: Project[];
  skipped: SkippedProject[];
  /** Entries of the source that could not be used (bad URL, bad email). */
  warnings: string[];
  /** Entries read before merging. */
  read: number;
}

/**
 * Runs the pure part of the inventory stage over what a source returned; a `remote` source (the ops API) may not
 * name local repositories unless `allow.local`.
 */
export function buildInventory(raw: { projects: Project[]; warnings: string[] }, allow: Allowlist, opts: { remote?: boolean } = {}): InventoryResult {
  const reachable = opts.remote ? refuseLocalRepos(raw.projects, allow) : { kept: raw.projects, warnings: [] };
  const merged = mergeProjects(reachable.kept);
  const { kept, skipped } = filterProjects(merged, allow);
  return { projects: kept, skipped, warnings: [...raw.warnings, ...reachable.warnings], read: raw.projects.length };
}
