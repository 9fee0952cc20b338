/**
 * `icms import`: applies checked bundles to the store in one transaction, through the same writers a local
 * scan uses (startScan, completeScan, finishScan), so an imported scan is stored exactly as a local one.
 * Idempotent: a scan already stored (same project, same start) is left alone, and so is one older than
 * what the store holds. A failed scan, or a shard with no bundle, leaves its projects' packages in place.
 */
import type { Db } from '../db/open.js';
import { inTransaction } from '../db/open.js';
import { hasNewerScan, hasScanStartedAt } from '../db/bundles.js';
import { listProjects, recordInventoryFetch, replaceInventory } from '../db/projects.js';
import { completeScan, finishScan, lastSuccessfulScan, startScan } from '../db/scans.js';
import type { StoredProject } from '../model/types.js';
import type { Logger } from '../shared/log.js';
import { usageError } from '../shared/errors.js';
import { checkBundles, planInventory, type LoadedBundle } from './check.js';
import { fromBundlePackage, type BundleScan, type ScanBundle } from './format.js';
import { inShard, projectKey } from './shard.js';

export interface ImportOptions {
  runId: number;
  now: Date;
  /** Replace a different stored inventory by the bundles' (as fetch-projects would). */
  adoptInventory: boolean;
  /**
   * Reads a bundle whole again. The bundles given may be light (scans without packages, see `lightBundle`):
   * each one's packages are then read only while it is applied, so memory holds one bundle, not all.
   */
  reload: (file: string) => ScanBundle;
  logger: Logger;
}

/** What became of one bundled scan: stored now, stored by an earlier import, or older than the store's. */
export interface ImportedScan {
  file: string;
  project: string;
  shard: number;
  status: BundleScan['status'];
  outcome: 'stored' | 'already' | 'stale';
  commit: string | null;
  packages: number;
}

export interface ImportResult {
  fingerprint: string;
  shardCount: number;
  /** Shard indexes with no bundle (their projects are in `failed`). */
  missingShards: number[];
  inventoryAdopted: boolean;
  done: ImportedScan[];
  /** Scans that failed on their shard, and projects no bundle covered: their previous packages are kept. */
  failed: { item: string; error: string }[];
}

/** Imports the bundles: 1. check they agree, 2. settle the inventory, 3. apply each scan, 4. report what no bundle covered. */
export function importBundles(db: Db, bundles: readonly LoadedBundle[], opts: ImportOptions): ImportResult {
  const inventory = checkBundles(bundles);
  const plan = planInventory(listProjects(db, { kind: 'repo' }), inventory, opts.adoptInventory);
  // oldest bundle first: when two bundles hold the same project, the newer scan is applied last (or found stale)
  const ordered = [...bundles].sort((a, b) => a.bundle.created_at.localeCompare(b.bundle.created_at));
  return inTransaction(db, () => {
    if (plan === 'adopt') {
      const change = replaceInventory(db, inventory.projects, opts.now, 'bundle');
      recordInventoryFetch(db, { source: 'bundle', at: opts.now, status: 'ok', runId: opts.runId, counts: { added: change.added.length, removed: change.removed.length, changed: change.changed.length, unchanged: change.unchanged, total: change.total } });
      opts.logger.info(`import: stored the bundles' inventory (${change.total} projects, ${change.added.length} added, ${change.removed.length} removed)`);
    }
    const projects = listProjects(db, { kind: 'repo' });
    const byKey = new Map(projects.map((p) => [projectKey(p), p]));
    const result: ImportResult = { fingerprint: inventory.fingerprint, shardCount: inventory.shardCount, missingShards: [], inventoryAdopted: plan === 'adopt', done: [], failed: [] };
    const covered = new Set<string>();
    for (const { file, bundle: checked } of ordered) {
      const bundle = opts.reload(file);
      const changed = () => usageError(`${file} changed while it was being imported; nothing was imported`, 'import again once the shards have finished writing');
      if (bundle.created_at !== checked.created_at || bundle.inventory.fingerprint !== checked.inventory.fingerprint || bundle.scans.length !== checked.scans.length) throw changed();
      for (const [i, scan] of bundle.scans.entries()) {
        // checkBundles found every scan a project of the inventory; the file read again must hold the same ones
        const project = byKey.get(projectKey(scan));
        if (!project || projectKey(checked.scans[i]!) !== projectKey(scan)) throw changed();
        covered.add(projectKey(scan));
        const outcome = applyScan(db, project, scan, opts.runId, bundle.label);
        result.done.push({ file, project: project.name, shard: bundle.shard.index, status: scan.status, outcome, commit: scan.commit, packages: scan.package_count ?? scan.packages.length });
        if (scan.status === 'failed' && outcome !== 'stale') result.failed.push({ item: project.name, error: scan.error ?? 'failed on its shard' });
      }
      opts.logger.info(`import: ${file} (shard ${bundle.shard.index}/${bundle.shard.count}): ${bundle.scans.length} scans`);
    }
    reportUncovered(projects, ordered, inventory.shardCount, covered, result);
    return result;
  });
}

/** Stores one bundled scan as the local scan stage would have; returns whether it was stored. */
function applyScan(db: Db, project: StoredProject, scan: BundleScan, runId: number, label: string | null): ImportedScan['outcome'] {
  const startedAt = new Date(scan.started_at);
  const started = startedAt.toISOString();
  if (hasScanStartedAt(db, project.id, started)) return 'already';
  if (hasNewerScan(db, project.id, started)) return 'stale';
  const last = lastSuccessfulScan(db, project.id);
  const scanId = startScan(db, { projectId: project.id, startedAt, runId, label: label ?? undefined });
  const finish = {
    finishedAt: new Date(scan.finished_at),
    commitSha: scan.commit ?? undefined,
    trivyPath: scan.trivy_path ?? undefined,
    trivyVersion: scan.trivy_version ?? undefined,
    durationMs: scan.duration_ms ?? undefined,
  };
  if (scan.status === 'failed') {
    finishScan(db, scanId, { ...finish, status: 'failed', error: scan.error ?? undefined });
  } else if (scan.status === 'skipped' && scan.commit !== null && last?.commitSha === scan.commit) {
    finishScan(db, scanId, { ...finish, status: 'skipped', packageCount: last.packageCount });
  } else {
    // ok, or skipped on a shard whose last scan this store never received: its packages are the current set
    const packages = scan.packages.map(fromBundlePackage);
    const counts = scan.status === 'ok' ? scan.counts : countPerEcosystem(packages);
    completeScan(db, project.id, scanId, packages, { ...finish, packageCount: scan.package_count ?? packages.length, counts, warnings: scan.warnings });
  }
  return 'stored';
}

/** The bundle without its packages (the bulk of it), for the checks before an import. */
export function lightBundle(b: ScanBundle): ScanBundle {
  return { ...b, scans: b.scans.map((s) => ({ ...s, packages: [] })) };
}

function countPerEcosystem(packages: readonly { ecosystem: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of packages) out[p.ecosystem] = (out[p.ecosystem] ?? 0) + 1;
  return out;
}

/** Projects of a shard with no bundle, or missing from their shard's bundle: reported, their packages kept. */
function reportUncovered(projects: readonly StoredProject[], bundles: readonly LoadedBundle[], count: number, covered: Set<string>, result: ImportResult): void {
  const present = new Set(bundles.map((b) => b.bundle.shard.index));
  for (let index = 0; index < count; index++) {
    const mine = inShard(projects, { index, count }).filter((p) => !covered.has(projectKey(p)));
    if (!present.has(index)) result.missingShards.push(index);
    const why = present.has(index) ? `not in the bundle of shard ${index}/${count}` : `shard ${index}/${count} has no bundle (it failed or its bundle is missing)`;
    for (const p of mine) result.failed.push({ item: p.name, error: `${why}: previous packages kept` });
  }
}
