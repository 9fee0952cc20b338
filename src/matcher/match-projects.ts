/**
 * The match stage: read the candidate package rows, match them against the advisories (in a worker thread on a large
 * store), resolve ratings, and apply the finding lifecycle in one transaction. `icms match`, `icms scan --save` and the
 * bench call it; the command only adds flags, rendering and the exit code.
 */
import type { Db } from '../db/open.js';
import { inAsyncTransaction } from '../db/open.js';
import { countMatchPackages } from '../db/match-inputs.js';
import { findingWriter, type LifecycleCounts } from '../db/finding-writer.js';
import { hasAdvisories } from '../db/advisories.js';
import { ExitCode, IcmsError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { EnvSettings } from '../triage/cvss.js';
import type { MatchOutput } from './match.js';
import { prepareProjects, type ProjectBatch } from './prepare.js';
import { MATCH_WORKER_URL, prepareInWorker, workerAvailable } from './parallel.js';
import { plural } from '../shared/plural.js';

/** What a match run found, beside the lifecycle counts. */
export interface MatchSummary {
  /** Current packages of the matched projects. */
  packagesSeen: number;
  /** Package rows some advisory names (the only rows read). */
  candidates: number;
  findings: number;
  unparseable: MatchOutput['unparseable'];
  unmatchedEcosystems: MatchOutput['unmatchedEcosystems'];
  problems: string[];
  /**
   * Time of each step, ms: build the advisory index, read the candidate rows, match and save project by project;
   * `worker`: whether the first steps and the matching ran in a worker thread (beside the saving).
   */
  steps: { indexMs: number; readMs: number; matchSaveMs: number; worker: boolean };
}

/** How `matchProjects` runs its read side: in a worker thread beside the writes, or on this thread. */
export type MatchMode = 'auto' | 'worker' | 'inline';

/** With 'auto', the worker is used from this many current packages on (below it, starting it costs more than it saves). */
export const WORKER_MIN_PACKAGES = 20_000;

/**
 * Matches the selected projects and applies the lifecycle in one transaction; shared with `scan <path> --fail-on`.
 * Only the package rows an advisory names are read (through the `packages_match` index), and each project is
 * matched and saved in turn, so memory is bounded by the candidate rows and one project's findings. On a large
 * store the reading and matching run in a worker thread (`worker.js`, its own read-only connection) while
 * this thread writes.
 */
export async function matchProjects(
  db: Db,
  projectIds: number[],
  opts: { now: Date; runId: number; logger: Logger; triage?: EnvSettings; severityOrder?: readonly string[]; mode?: MatchMode; workerUrl?: URL },
): Promise<{ output: MatchSummary; counts: LifecycleCounts }> {
  if (!hasAdvisories(db)) {
    throw new IcmsError('no advisories in the store: nothing to match against', ExitCode.External, { hint: 'run `icms sync-vulns` first' });
  }
  const started = performance.now();
  const output: MatchSummary = { packagesSeen: 0, candidates: 0, findings: 0, unparseable: [], unmatchedEcosystems: {}, problems: [], steps: { indexMs: 0, readMs: 0, matchSaveMs: 0, worker: false } };
  const problems = new Set<string>();
  output.packagesSeen = countMatchPackages(db, projectIds);
  const inWorker = useWorker(db, output.packagesSeen, opts);
  output.steps.worker = inWorker;
  const counts = await inAsyncTransaction(db, async () => {
    const writer = findingWriter(db, { now: opts.now, runId: opts.runId });
    const take = (b: ProjectBatch): void => {
      writer.saveProject(b);
      output.candidates += b.candidates;
      output.findings += b.findings.length;
      output.unparseable.push(...b.unparseable);
      for (const [eco, n] of Object.entries(b.unmatchedEcosystems)) output.unmatchedEcosystems[eco] = (output.unmatchedEcosystems[eco] ?? 0) + n;
      for (const p of b.problems) problems.add(p);
    };
    let steps: { indexMs: number; readMs: number };
    if (inWorker) steps = await prepareInWorker({ dbFile: db.name, projectIds, triage: opts.triage, severityOrder: opts.severityOrder }, take, opts.workerUrl);
    else {
      const prepared = prepareProjects(db, projectIds, opts.triage, opts.severityOrder);
      for (const b of prepared.projects) take(b);
      steps = prepared;
    }
    output.steps.indexMs = steps.indexMs;
    output.steps.readMs = steps.readMs;
    return writer.finish();
  });
  output.problems = [...problems];
  output.steps.matchSaveMs = Math.round((performance.now() - started - output.steps.indexMs - output.steps.readMs) * 10) / 10;
  logMatchProblems(opts.logger, output);
  return { output, counts };
}

function useWorker(db: Db, packages: number, opts: { mode?: MatchMode; workerUrl?: URL }): boolean {
  const mode = opts.mode ?? 'auto';
  if (mode === 'inline' || db.memory || !workerAvailable(opts.workerUrl)) {
    if (mode === 'worker') throw new Error(`match: a worker was asked for, but ${db.memory ? 'the database is in memory' : `${String(opts.workerUrl ?? MATCH_WORKER_URL)} does not exist`}`);
    return false;
  }
  return mode === 'worker' || packages >= WORKER_MIN_PACKAGES;
}

function logMatchProblems(logger: Logger, output: MatchSummary): void {
  const { steps } = output;
  logger.debug(`match${steps.worker ? ' (reading and matching in a worker thread)' : ''}: advisory index ${steps.indexMs} ms; read ${output.candidates} candidate rows of ${output.packagesSeen} packages ${steps.readMs} ms; match and save ${steps.matchSaveMs} ms`);
  for (const [eco, n] of Object.entries(output.unmatchedEcosystems)) logger.warn(`${plural(n, 'package')} of ecosystem ${eco} left unmatched: no version scheme for it`);
  for (const u of output.unparseable.slice(0, 20)) logger.warn(`unparseable ${u.ecosystem} version ${JSON.stringify(u.version)} of ${u.name}: not matched`);
  if (output.unparseable.length > 20) logger.warn(`... and ${output.unparseable.length - 20} more unparseable versions`);
  logRangeProblems(logger, output.problems);
}

/**
 * Ranges the matcher could not evaluate (an event version the ecosystem rejects, "*" outside `limit`): each advisory
 * named once as a warning, so a user sees which record was unusable; the rest of the portfolio was matched anyway.
 */
function logRangeProblems(logger: Logger, problems: readonly string[]): void {
  if (problems.length === 0) return;
  const byAdvisory = new Map<string, string>();
  for (const p of problems) {
    const id = p.split(' ', 1)[0]!;
    if (!byAdvisory.has(id)) byAdvisory.set(id, p);
  }
  const shown = [...byAdvisory.values()].slice(0, 10);
  logger.warn(`${byAdvisory.size} advisor${byAdvisory.size === 1 ? 'y has' : 'ies have'} a range that cannot be evaluated; those ranges were skipped, everything else was matched`);
  for (const p of shown) logger.warn(`  unusable range: ${p}`);
  if (byAdvisory.size > shown.length) logger.warn(`  ... and ${byAdvisory.size - shown.length} more (--verbose lists every one)`);
  for (const p of problems) logger.debug(`advisory range skipped: ${p}`);
}
