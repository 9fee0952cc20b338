/** Builds a shard's bundle from what its scan run stored: the same rows a single machine's store would hold. */
import type { Db } from '../db/open.js';
import { scanOfRun } from '../db/bundles.js';
import { currentPackages } from '../db/scans.js';
import type { StoredProject } from '../model/types.js';
import { BUNDLE_FORMAT, BUNDLE_SCHEMA_VERSION, toBundlePackage, type BundleScan, type ScanBundle } from './format.js';
import { inventoryFingerprint, type Shard } from './shard.js';

export interface ExportInput {
  runId: number;
  shard: Shard;
  /** The whole inventory the shard was cut from (active repositories). */
  inventory: readonly StoredProject[];
  /** This shard's projects. */
  scanned: readonly StoredProject[];
  trivy: { path: string; version: string };
  icmsVersion: string;
  label: string | undefined;
  startedAt: Date;
  finishedAt: Date;
}

/** The bundle of scan run `runId`: each shard project's scan row and packages, plus the inventory it came from. */
export function buildBundle(db: Db, input: ExportInput): ScanBundle {
  const scans = input.scanned.map((p) => bundleScanOf(db, p, input));
  return {
    format: BUNDLE_FORMAT,
    schema_version: BUNDLE_SCHEMA_VERSION,
    icms_version: input.icmsVersion,
    created_at: input.finishedAt.toISOString(),
    label: input.label ?? null,
    shard: input.shard,
    inventory: {
      fingerprint: inventoryFingerprint(input.inventory),
      projects: input.inventory.map((p) => ({ kind: p.kind, url: p.url, branch: p.branch, maintainers: p.maintainers, labels: p.labels })),
    },
    trivy: input.trivy,
    timings: { started_at: input.startedAt.toISOString(), finished_at: input.finishedAt.toISOString(), duration_ms: input.finishedAt.getTime() - input.startedAt.getTime() },
    scans,
  };
}

function bundleScanOf(db: Db, p: StoredProject, input: ExportInput): BundleScan {
  const rec = scanOfRun(db, p.id, input.runId);
  const base = { url: p.url, branch: p.branch, name: p.name };
  if (!rec || rec.status === 'running') {
    // the scan stage records a row for every project it is given; no row means it never reached this one
    const at = input.finishedAt.toISOString();
    return { ...base, status: 'failed', started_at: at, finished_at: at, duration_ms: null, commit: null, trivy_path: null, trivy_version: null, package_count: null, counts: {}, warnings: [], error: 'not scanned: the shard stopped before this project', packages: [] };
  }
  return {
    ...base,
    status: rec.status,
    started_at: rec.startedAt,
    finished_at: rec.finishedAt ?? rec.startedAt,
    duration_ms: rec.durationMs ?? null,
    commit: rec.commitSha ?? null,
    trivy_path: rec.trivyPath ?? null,
    trivy_version: rec.trivyVersion ?? null,
    package_count: rec.packageCount ?? null,
    counts: rec.counts,
    warnings: rec.warnings,
    error: rec.error ?? null,
    packages: rec.status === 'failed' ? [] : currentPackages(db, p.id).map(toBundlePackage),
  };
}
