/** The inventory stage: read a source, merge duplicates, apply the allowlist. */
import type { Project } from '../model/types.js';
import { filterProjects, type Allowlist, type SkippedProject } from './filter.js';
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

/** Runs the pure part of the inventory stage over what a source returned. */
export function buildInventory(raw: { projects: Project[]; warnings: string[] }, allow: Allowlist): InventoryResult {
  const merged = mergeProjects(raw.projects);
  const { kept, skipped } = filterProjects(merged, allow);
  return { projects: kept, skipped, warnings: raw.warnings, read: raw.projects.length };
}
