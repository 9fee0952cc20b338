/**
 * The scan bundle: what one shard (or one machine) scanned, as a versioned JSON document, gzipped on disk.
 * Keys are snake_case like the rest of icms' JSON; `schema_version` changes on any incompatible change, and
 * `icms import` refuses a version it does not read rather than guess.
 */
import type { Package, Project } from '../model/types.js';
import type { Shard } from './shard.js';

export const BUNDLE_FORMAT = 'icms-scan-bundle';
export const BUNDLE_SCHEMA_VERSION = 1;

/** One package as the bundle spells it (the `packages` row of a project). */
export interface BundlePackage {
  ecosystem: string;
  name: string;
  version: string;
  pkg_type: string;
  target: string;
  purl: string | null;
  indirect: boolean;
  depends_on: string[] | null;
  src_name: string | null;
  src_version: string | null;
  match_name: string;
  match_version: string;
  unmapped: boolean;
}

/** One project's scan in a bundle: the `scans` row, and the packages when it ended ok or skipped. */
export interface BundleScan {
  url: string;
  branch: string;
  name: string;
  status: 'ok' | 'skipped' | 'failed';
  started_at: string;
  finished_at: string;
  duration_ms: number | null;
  commit: string | null;
  trivy_path: string | null;
  trivy_version: string | null;
  package_count: number | null;
  counts: Record<string, number>;
  warnings: string[];
  /** Why the scan failed (redacted), or null. */
  error: string | null;
  /** ok: the packages found; skipped: the shard's current packages (head unchanged); failed: []. */
  packages: BundlePackage[];
}

/** A whole bundle (schema_version 1). */
export interface ScanBundle {
  format: typeof BUNDLE_FORMAT;
  schema_version: typeof BUNDLE_SCHEMA_VERSION;
  icms_version: string;
  created_at: string;
  label: string | null;
  shard: Shard;
  /** The whole inventory the shards partitioned (not only this shard's part), and its fingerprint. */
  inventory: { fingerprint: string; projects: Project[] };
  trivy: { path: string; version: string };
  timings: { started_at: string; finished_at: string; duration_ms: number };
  scans: BundleScan[];
}

/** A package in the bundle's spelling. */
export function toBundlePackage(p: Package): BundlePackage {
  return {
    ecosystem: p.ecosystem,
    name: p.name,
    version: p.version,
    pkg_type: p.pkgType,
    target: p.target,
    purl: p.purl ?? null,
    indirect: p.indirect,
    depends_on: p.dependsOn && p.dependsOn.length > 0 ? p.dependsOn : null,
    src_name: p.srcName ?? null,
    src_version: p.srcVersion ?? null,
    match_name: p.matchName,
    match_version: p.matchVersion,
    unmapped: p.unmapped ?? false,
  };
}

/** A bundle package back in the model's spelling. */
export function fromBundlePackage(p: BundlePackage): Package {
  return {
    ecosystem: p.ecosystem,
    name: p.name,
    version: p.version,
    pkgType: p.pkg_type,
    target: p.target,
    purl: p.purl ?? undefined,
    indirect: p.indirect,
    dependsOn: p.depends_on ?? undefined,
    srcName: p.src_name ?? undefined,
    srcVersion: p.src_version ?? undefined,
    matchName: p.match_name,
    matchVersion: p.match_version,
    unmapped: p.unmapped,
  };
}
