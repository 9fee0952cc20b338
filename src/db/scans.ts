/**
 * SQL for scan history (`scans`) and each project's current package set (`packages`). A project's set is
 * replaced whole, in one transaction, only by a successful scan: a failed scan leaves the previous set.
 */
import type { Db } from './open.js';
import { inTransaction } from './open.js';
import type { Package } from '../model/types.js';
import type { PackageStage, StagedResult } from './package-staging.js';

export type ScanStatus = 'running' | 'ok' | 'skipped' | 'failed';

/** One row of the scan history. */
export interface ScanRecord {
  id: number;
  projectId: number;
  runId: number | undefined;
  startedAt: string;
  finishedAt: string | undefined;
  status: ScanStatus;
  commitSha: string | undefined;
  /** Digest of the manifest/lockfile contents the scan read (undefined for images and older scans). */
  inputDigest: string | undefined;
  trivyPath: string | undefined;
  trivyVersion: string | undefined;
  durationMs: number | undefined;
  packageCount: number | undefined;
  counts: Record<string, number>;
  warnings: string[];
  label: string | undefined;
  error: string | undefined;
}

export interface ScanStart {
  projectId: number;
  startedAt: Date;
  runId?: number | undefined;
  label?: string | undefined;
}

export interface ScanFinish {
  status: 'ok' | 'skipped' | 'failed';
  finishedAt: Date;
  commitSha?: string | undefined;
  inputDigest?: string | undefined;
  trivyPath?: string | undefined;
  trivyVersion?: string | undefined;
  durationMs?: number | undefined;
  packageCount?: number | undefined;
  /** e.g. packages per ecosystem, skipped/duplicate rows. */
  counts?: Record<string, number> | undefined;
  warnings?: readonly string[] | undefined;
  /** Why a scan failed or was skipped (already redacted by the caller). */
  error?: string | undefined;
}

interface ScanRow {
  id: number;
  project_id: number;
  run_id: number | null;
  started_at: string;
  finished_at: string | null;
  status: ScanStatus;
  commit_sha: string | null;
  input_digest: string | null;
  trivy_path: string | null;
  trivy_version: string | null;
  duration_ms: number | null;
  package_count: number | null;
  counts: string;
  warnings: string;
  label: string | null;
  error: string | null;
}

interface PackageRow {
  ecosystem: string;
  name: string;
  version: string;
  pkg_type: string;
  target: string;
  purl: string | null;
  indirect: number;
  depends_on: string | null;
  src_name: string | null;
  src_version: string | null;
  match_name: string;
  match_version: string;
  unmapped: number;
}

const PACKAGE_COLUMNS =
  'ecosystem, name, version, pkg_type, target, purl, indirect, depends_on, src_name, src_version, match_name, match_version, unmapped';

/** Records the start of a scan; returns its id. */
export function startScan(db: Db, s: ScanStart): number {
  const info = db
    .prepare("INSERT INTO scans (project_id, run_id, started_at, status, label) VALUES (?, ?, ?, 'running', ?)")
    .run(s.projectId, s.runId ?? null, s.startedAt.toISOString(), s.label ?? null);
  return Number(info.lastInsertRowid);
}

/** Records how a scan ended (ok, skipped because nothing changed, or failed with its error). */
export function finishScan(db: Db, scanId: number, f: ScanFinish): void {
  db.prepare(
    `UPDATE scans SET status = ?, finished_at = ?, commit_sha = COALESCE(?, commit_sha), input_digest = COALESCE(?, input_digest),
       trivy_path = ?, trivy_version = ?, duration_ms = ?, package_count = ?, counts = ?, warnings = ?, error = ? WHERE id = ?`,
  ).run(
    f.status,
    f.finishedAt.toISOString(),
    f.commitSha ?? null,
    f.inputDigest ?? null,
    f.trivyPath ?? null,
    f.trivyVersion ?? null,
    f.durationMs ?? null,
    f.packageCount ?? null,
    JSON.stringify(f.counts ?? {}),
    JSON.stringify(f.warnings ?? []),
    f.error ?? null,
    scanId,
  );
}

/** Replaces the project's package set with `packages` (from scan `scanId`) in one transaction; returns rows written. */
export function replacePackages(db: Db, projectId: number, scanId: number, packages: readonly Package[]): number {
  const del = db.prepare('DELETE FROM packages WHERE project_id = ?');
  const insert = db.prepare(
    `INSERT INTO packages (project_id, scan_id, ${PACKAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (project_id, ecosystem, name, version, target) DO NOTHING`,
  );
  return inTransaction(db, () => {
    del.run(projectId);
    let written = 0;
    for (const p of packages) {
      written += insert.run(
        projectId,
        scanId,
        p.ecosystem,
        p.name,
        p.version,
        p.pkgType,
        p.target,
        p.purl ?? null,
        p.indirect ? 1 : 0,
        p.dependsOn && p.dependsOn.length > 0 ? JSON.stringify(p.dependsOn) : null,
        p.srcName ?? null,
        p.srcVersion ?? null,
        p.matchName,
        p.matchVersion,
        p.unmapped ? 1 : 0,
      ).changes;
    }
    return written;
  });
}

/** A successful scan in one transaction: the new package set and the scan row marked ok. */
export function completeScan(db: Db, projectId: number, scanId: number, packages: readonly Package[], f: Omit<ScanFinish, 'status'>): number {
  return inTransaction(db, () => {
    const written = replacePackages(db, projectId, scanId, packages);
    finishScan(db, scanId, { ...f, status: 'ok', packageCount: f.packageCount ?? written });
    return written;
  });
}

/**
 * A successful scan whose packages were staged as its report was read: in one transaction the project's set is
 * replaced from the stage and the scan row marked ok (with its package count and counts per ecosystem).
 */
export function completeStagedScan(db: Db, projectId: number, scanId: number, stage: PackageStage, f: Omit<ScanFinish, 'status' | 'packageCount'>): StagedResult {
  return inTransaction(db, () => {
    const r = stage.replaceProjectPackages(projectId);
    const counts = Object.fromEntries(Object.entries(r.perEcosystem).map(([e, c]) => [e, c.direct + c.indirect]));
    finishScan(db, scanId, { ...f, status: 'ok', packageCount: r.written, counts: { ...counts, ...f.counts } });
    return r;
  });
}

/** The project's current packages, ordered by ecosystem, name, version, target. */
export function currentPackages(db: Db, projectId: number): Package[] {
  const rows = db
    .prepare(`SELECT ${PACKAGE_COLUMNS} FROM packages WHERE project_id = ? ORDER BY ecosystem, name, version, target`)
    .all(projectId) as PackageRow[];
  return rows.map(toPackage);
}

/** Every current package of every project, streamed (a portfolio may hold a million rows). */
export function* iterateCurrentPackages(db: Db): Generator<Package & { projectId: number }> {
  const stmt = db.prepare(`SELECT project_id, ${PACKAGE_COLUMNS} FROM packages ORDER BY project_id`);
  for (const row of stmt.iterate() as Iterable<PackageRow & { project_id: number }>) {
    yield { projectId: row.project_id, ...toPackage(row) };
  }
}

/** The newest scan that ended ok (for "head unchanged since then -> skip trivy"). */
export function lastSuccessfulScan(db: Db, projectId: number): ScanRecord | undefined {
  const row = db
    .prepare("SELECT * FROM scans WHERE project_id = ? AND status = 'ok' ORDER BY id DESC LIMIT 1")
    .get(projectId) as ScanRow | undefined;
  return row ? toScan(row) : undefined;
}

/** The project's newest scan (ok or skipped) that finished at or before `at` (ISO), or now when `at` is undefined. */
export function scanInEffect(db: Db, projectId: number, at?: string): ScanRecord | undefined {
  const row = db
    .prepare("SELECT * FROM scans WHERE project_id = ? AND status IN ('ok', 'skipped') AND (? IS NULL OR finished_at <= ?) ORDER BY id DESC LIMIT 1")
    .get(projectId, at ?? null, at ?? null) as ScanRow | undefined;
  return row ? toScan(row) : undefined;
}

/** Whether a project's inputs changed between two scans, and the words for the finding event. */
export interface InputChange {
  changed: boolean;
  note: string;
}

/**
 * Compares what two scans read: by commit when both have one (the commit fixes every file), else by the digest of
 * the manifests and lockfiles. Without either to compare, it counts as a change (a finding then reopens, as before).
 */
export function inputChange(then: ScanRecord | undefined, now: ScanRecord | undefined): InputChange {
  if (!then || !now) return { changed: true, note: 'reopened: no earlier scan to compare with' };
  if (then.commitSha !== undefined && now.commitSha !== undefined) {
    const [a, b] = [then.commitSha.slice(0, 12), now.commitSha.slice(0, 12)];
    return then.commitSha === now.commitSha
      ? { changed: false, note: `back with no change: same commit ${b} as when it was marked fixed (the scan listed the package differently)` }
      : { changed: true, note: `reopened: the project changed (commit ${a} -> ${b})` };
  }
  if (then.inputDigest !== undefined && now.inputDigest !== undefined) {
    return then.inputDigest === now.inputDigest
      ? { changed: false, note: 'back with no change: same manifests and lockfiles as when it was marked fixed (the scan listed the package differently)' }
      : { changed: true, note: 'reopened: the project changed (manifests or lockfiles differ)' };
  }
  return { changed: true, note: 'reopened: the earlier scan recorded no commit or lockfile digest to compare with' };
}

/** The project's scans, newest first. */
export function scanHistory(db: Db, projectId: number, limit = 100): ScanRecord[] {
  const rows = db.prepare('SELECT * FROM scans WHERE project_id = ? ORDER BY id DESC LIMIT ?').all(projectId, limit) as ScanRow[];
  return rows.map(toScan);
}

/** One scan by id. */
export function scanById(db: Db, scanId: number): ScanRecord | undefined {
  const row = db.prepare('SELECT * FROM scans WHERE id = ?').get(scanId) as ScanRow | undefined;
  return row ? toScan(row) : undefined;
}

function toPackage(r: PackageRow): Package {
  return {
    ecosystem: r.ecosystem,
    name: r.name,
    version: r.version,
    pkgType: r.pkg_type,
    target: r.target,
    purl: r.purl ?? undefined,
    indirect: r.indirect === 1,
    dependsOn: r.depends_on ? (JSON.parse(r.depends_on) as string[]) : undefined,
    srcName: r.src_name ?? undefined,
    srcVersion: r.src_version ?? undefined,
    matchName: r.match_name,
    matchVersion: r.match_version,
    unmapped: r.unmapped === 1,
  };
}

function toScan(r: ScanRow): ScanRecord {
  return {
    id: r.id,
    projectId: r.project_id,
    runId: r.run_id ?? undefined,
    startedAt: r.started_at,
    finishedAt: r.finished_at ?? undefined,
    status: r.status,
    commitSha: r.commit_sha ?? undefined,
    inputDigest: r.input_digest ?? undefined,
    trivyPath: r.trivy_path ?? undefined,
    trivyVersion: r.trivy_version ?? undefined,
    durationMs: r.duration_ms ?? undefined,
    packageCount: r.package_count ?? undefined,
    counts: JSON.parse(r.counts) as Record<string, number>,
    warnings: JSON.parse(r.warnings) as string[],
    label: r.label ?? undefined,
    error: r.error ?? undefined,
  };
}

/** Marks scans still `running` as failed (their process died; see closeInterruptedRuns); their packages were never replaced. */
export function closeInterruptedScans(db: Db, at: Date): number {
  return db
    .prepare("UPDATE scans SET status = 'failed', finished_at = ?, error = 'interrupted: the process ended before the scan finished' WHERE status = 'running'")
    .run(at.toISOString()).changes;
}
