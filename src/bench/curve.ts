/**
 * The whole load curve (issue 10): `fetch-projects` and `sync-vulns` at each size on their own inputs, then the
 * match benchmark's portfolio at each size, with `notify`, `report` and the dashboard in Chromium run on each
 * size's portfolio right after its first match.
 */
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { BenchData } from './data.js';
import { measureDashboard, type DashboardRun } from './dashboard.js';
import { benchFetchProjects, benchMatchedStages, benchSyncVulns, idleRssMb, type LoadOptions, type LoadStage, type StageRun } from './load.js';
import type { MatchBenchOptions, MatchBenchResult } from './match.js';

/** The other commands' curve. */
export interface LoadCurve {
  projects: number;
  reps: number;
  osvFiles: number;
  /** Peak RSS of a phase process that ran nothing: the floor under every figure. */
  idleRssMb: number;
  stages: Record<LoadStage, StageRun[]>;
  /** The dashboard of each size in headless Chromium (or why it could not be measured). */
  dashboards: { fraction: number; findings: number; run?: DashboardRun; error?: string }[];
}

export interface CurveOptions extends LoadOptions {
  projects: number;
  /** Sizes, ascending, the last 1. */
  fractions: number[];
  /** Open each dashboard in Chromium. */
  dashboard: boolean;
}

/**
 * Measures the curve of every command besides scan-store and match; `runMatch` runs the match benchmark with the
 * hook this function gives it (so the match section and the curve share one portfolio build).
 */
export async function benchLoadCurve(
  data: BenchData,
  tmpDir: string,
  opts: CurveOptions,
  runMatch: (afterMatch: NonNullable<MatchBenchOptions['afterMatch']>) => Promise<MatchBenchResult>,
): Promise<{ match: MatchBenchResult; load: LoadCurve }> {
  const work = mkdtempSync(path.join(tmpDir, 'icms-bench-load-'));
  try {
    const idle = await idleRssMb(opts.isolate);
    const fetch = await benchFetchProjects(work, opts.projects, opts.fractions, opts);
    const sync = await benchSyncVulns(work, data.osvDir, opts.fractions, opts);
    const matched: Awaited<ReturnType<typeof benchMatchedStages>>[] = [];
    const dashboards: LoadCurve['dashboards'] = [];
    const match = await runMatch(async (fraction, dbFile, run) => {
      const m = await benchMatchedStages(work, dbFile, fraction, run.findings, opts);
      matched.push(m);
      if (!opts.dashboard) return;
      const file = path.join(work, `dashboard-${fraction}.html`);
      renameSync(m.dashboard, file);
      try {
        dashboards.push({ fraction, findings: run.findings, run: await measureDashboard(file) });
      } catch (err) {
        dashboards.push({ fraction, findings: run.findings, error: err instanceof Error ? err.message.split('\n')[0]! : String(err) });
      }
      rmSync(file, { force: true });
    });
    const osvFiles = sync.at(-1)?.items ?? 0;
    return {
      match,
      load: {
        projects: opts.projects, reps: opts.reps, osvFiles, idleRssMb: idle, dashboards,
        stages: {
          'fetch-projects': fetch,
          'sync-vulns': sync,
          notify: matched.map((m) => m.notify),
          'report json': matched.map((m) => m.reportJson),
          'report html': matched.map((m) => m.reportHtml),
          'match json': matched.map((m) => m.matchJson),
        },
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
