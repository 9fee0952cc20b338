/** SQL the scan bundles need beyond db/scans.ts: a run's scans (export) and what a store already holds (import). */
import type { Db } from './open.js';
import { scanById, type ScanRecord } from './scans.js';

/** The scan of `projectId` that run `runId` recorded, if any (a scan run records one per project). */
export function scanOfRun(db: Db, projectId: number, runId: number): ScanRecord | undefined {
  const row = db.prepare('SELECT id FROM scans WHERE project_id = ? AND run_id = ? ORDER BY id DESC LIMIT 1').get(projectId, runId) as { id: number } | undefined;
  return row ? scanById(db, row.id) : undefined;
}

/** True when the store already holds a scan of the project that started at exactly `startedAt` (an import done before). */
export function hasScanStartedAt(db: Db, projectId: number, startedAt: string): boolean {
  return db.prepare('SELECT 1 FROM scans WHERE project_id = ? AND started_at = ? LIMIT 1').get(projectId, startedAt) !== undefined;
}

/** True when a scan that ended ok or skipped started after `startedAt`: the stored packages are newer than the bundle's. */
export function hasNewerScan(db: Db, projectId: number, startedAt: string): boolean {
  return db.prepare("SELECT 1 FROM scans WHERE project_id = ? AND status IN ('ok','skipped') AND started_at > ? LIMIT 1").get(projectId, startedAt) !== undefined;
}
