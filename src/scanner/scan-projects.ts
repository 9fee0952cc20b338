/**
 * The scan stage over many projects: check each out (git, injected), skip unchanged heads, run trivy,
 * replace the project's package set in one transaction. One failing project never stops the others.
 */
import pLimit from 'p-limit';
import type { Db } from '../db/open.js';
import { completeStagedScan, finishScan, lastSuccessfulScan, startScan } from '../db/scans.js';
import { PackageStage } from '../db/package-staging.js';
import type { Package } from '../model/types.js';
import { errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { PackageSink, ParsedTrivyReport } from './trivy-report.js';
import { inputDigest } from './input-digest.js';

/** A project to scan, as the stage needs it. */
export interface ScanItem {
  projectId: number;
  name: string;
}

/** Where a project's files are: a checked-out directory and its commit (undefined for plain directories). */
export interface Checkout {
  dir: string;
  head: string | undefined;
}

export interface ScanDeps {
  /** Brings the project's files up to date (git clone/fetch, or nothing for a local directory). */
  checkout(item: ScanItem): Promise<Checkout>;
  /**
   * Lists the packages in a checkout (trivy fs) or of an image (trivy image): into `sink` as they are read (a trivy
   * report of any size), or in the returned `packages` (a source read whole, e.g. an SBOM).
   */
  listPackages(item: ScanItem, checkout: Checkout, sink: PackageSink): Promise<ParsedTrivyReport>;
  trivy: { path: string; version: string };
}

export interface ScanOptions {
  concurrency: number;
  /** Rescan even when the head equals the last scanned commit. */
  force: boolean;
  runId?: number | undefined;
  label?: string | undefined;
  now: () => Date;
  logger: Logger;
  redact: (s: string) => string;
}

export interface ScannedProject {
  item: ScanItem;
  status: 'ok' | 'skipped';
  commit: string | undefined;
  packages: number;
  perEcosystem: Record<string, { direct: number; indirect: number }>;
  warnings: string[];
  durationMs: number;
}

export interface ScanStageResult {
  done: ScannedProject[];
  failed: { item: ScanItem; error: string }[];
}

/** Scans the items with bounded concurrency; returns what was scanned, skipped and failed. */
export async function scanProjects(db: Db, items: readonly ScanItem[], deps: ScanDeps, opts: ScanOptions): Promise<ScanStageResult> {
  const limit = pLimit(opts.concurrency);
  const result: ScanStageResult = { done: [], failed: [] };
  let finished = 0;
  await Promise.all(
    items.map((item) =>
      limit(async () => {
        opts.logger.progress(`scan ${finished}/${items.length}: ${item.name}`);
        try {
          result.done.push(await scanOne(db, item, deps, opts));
        } catch (err) {
          const error = opts.redact(errorMessage(err));
          opts.logger.error(`scan ${item.name}: ${error}`);
          result.failed.push({ item, error });
        }
        finished++;
      }),
    ),
  );
  return result;
}

async function scanOne(db: Db, item: ScanItem, deps: ScanDeps, opts: ScanOptions): Promise<ScannedProject> {
  const started = opts.now();
  const scanId = startScan(db, { projectId: item.projectId, startedAt: started, runId: opts.runId, label: opts.label });
  const elapsed = (): number => opts.now().getTime() - started.getTime();
  const trivyInfo = { trivyPath: deps.trivy.path, trivyVersion: deps.trivy.version };
  let stage: PackageStage | undefined;
  try {
    const checkout = await deps.checkout(item);
    const last = lastSuccessfulScan(db, item.projectId);
    if (!opts.force && checkout.head !== undefined && last?.commitSha === checkout.head) {
      finishScan(db, scanId, { status: 'skipped', finishedAt: opts.now(), commitSha: checkout.head, inputDigest: last.inputDigest, durationMs: elapsed(), packageCount: last.packageCount, ...trivyInfo });
      opts.logger.debug(`scan ${item.name}: unchanged at ${checkout.head.slice(0, 12)}, trivy skipped`);
      return { item, status: 'skipped', commit: checkout.head, packages: last.packageCount ?? 0, perEcosystem: {}, warnings: [], durationMs: elapsed() };
    }
    // the packages go to the temporary database as they are read: memory stays bounded whatever the report's size
    stage = new PackageStage(db, scanId);
    const report = await deps.listPackages(item, checkout, stage);
    for (const p of report.packages) stage.add(p);
    const digest = await inputDigest(checkout.dir, stage.targets().map((target) => ({ target })));
    const stored = completeStagedScan(db, item.projectId, scanId, stage, {
      finishedAt: opts.now(),
      commitSha: checkout.head,
      inputDigest: digest,
      durationMs: elapsed(),
      warnings: report.warnings,
      ...trivyInfo,
    });
    for (const w of report.warnings) opts.logger.debug(`scan ${item.name}: ${w}`);
    opts.logger.info(`scan ${item.name}: ${stored.written} packages${checkout.head ? ` at ${checkout.head.slice(0, 12)}` : ''}`);
    return { item, status: 'ok', commit: checkout.head, packages: stored.written, perEcosystem: stored.perEcosystem, warnings: report.warnings, durationMs: elapsed() };
  } catch (err) {
    try {
      stage?.discard();
    } catch {
      // the staged rows go with the connection's temporary database anyway; the scan's own error is the one to report
    }
    finishScan(db, scanId, { status: 'failed', finishedAt: opts.now(), durationMs: elapsed(), error: opts.redact(errorMessage(err)), ...trivyInfo });
    throw err;
  }
}

/** Packages per ecosystem, split direct / indirect. */
export function countByEcosystem(packages: readonly Package[]): Record<string, { direct: number; indirect: number }> {
  const out: Record<string, { direct: number; indirect: number }> = {};
  for (const p of packages) {
    const c = (out[p.ecosystem] ??= { direct: 0, indirect: 0 });
    if (p.indirect) c.indirect++;
    else c.direct++;
  }
  return out;
}
