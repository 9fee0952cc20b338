/** `icms match`: match every project's packages against the advisories, update findings, gate CI. */
import { Option, type Command } from 'commander';
import type { Db } from '../../db/open.js';
import { ACTIVE_STATUSES, countMatchPackages, findingWriter, listFindings, type LifecycleCounts } from '../../db/findings.js';
import { inAsyncTransaction } from '../../db/open.js';
import type { MatchOutput } from '../../matcher/match.js';
import { SEVERITIES, type Severity } from '../../model/types.js';
import { hasAdvisories } from '../../db/advisories.js';
import { ExitCode, IcmsError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import type { App } from '../main.js';
import { formatOption, renderTable, writeJsonList } from '../output.js';
import { withRun } from '../run-command.js';
import { openSession, type Session } from '../session.js';
import { FINDINGS_SCHEMA_VERSION, fixBump } from '../../report/finding-json.js';
import { addFixedFilterOptions, isFixedOnly, withFixFilter } from '../fixed-filter.js';
import { bySeverity, collect, findingJson, parseSeverity, selectProjects, type SeveritySource } from '../findings-view.js';
import { describeGate, evaluateGate, hasGate, parseEpssThreshold, type GateOptions } from '../gate.js';
import type { EnvSettings } from '../../triage/cvss.js';
import { prepareProjects, type ProjectBatch } from '../match-prepare.js';
import { MATCH_WORKER_URL, prepareInWorker, workerAvailable } from '../match-parallel.js';

interface MatchFlags {
  failOn?: Severity;
  failOnKev?: boolean;
  failOnEpss?: number;
  severitySource?: SeveritySource;
  newOnly?: boolean;
  project?: string[];
  format: 'table' | 'json';
  ignoreUnfixed?: boolean;
  onlyFixed?: boolean;
}

/** Registers `match`. */
export function registerMatch(program: Command, app: App): void {
  const cmd = program
    .command('match')
    .description("match every project's packages against the advisories and update the findings (new, open, fixed)")
    .option('--fail-on <severity>', 'exit 1 if an open finding at or above SEVERITY exists (low|medium|high|critical)', parseSeverity)
    .option('--fail-on-kev', 'exit 1 if an open finding is in CISA\'s Known Exploited Vulnerabilities catalog, whatever its severity')
    .option('--fail-on-epss <p>', 'exit 1 if an open finding has an EPSS score of at least P (0..1)', parseEpssThreshold)
    .option('--new-only', 'with --fail-on: only findings new in this run trip the gate')
    .addOption(new Option('--severity-source <source>', 'severity --fail-on compares: the base score or the environmental re-score (config triage.severity_source)').choices(['base', 'environmental']))
    .option('--project <name>', 'only this project (repeatable; name, URL or part of the name)', collect)
    .addOption(formatOption(['table', 'json']));
  addFixedFilterOptions(cmd)
    .action(async (flags: MatchFlags) => {
      const s = openSession(app.ctx, app.globals(), app.redactor, { 'triage.severity_source': flags.severitySource });
      app.setExitCode(await withRun(s, 'match', (db, runId) => runMatch(s, db, runId, flags)));
    });
}

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
 * store the reading and matching run in a worker thread (`match-worker.js`, its own read-only connection) while
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
  for (const [eco, n] of Object.entries(output.unmatchedEcosystems)) logger.warn(`${n} package(s) of ecosystem ${eco} left unmatched: no version scheme for it`);
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

async function runMatch(s: Session, db: Db, runId: number, flags: MatchFlags) {
  const projects = selectProjects(db, flags.project);
  const ids = projects.map((p) => p.id);
  const { output, counts } = await matchProjects(db, ids, { now: s.ctx.now(), runId, logger: s.logger, triage: s.config.triage, severityOrder: s.config.advisories.severityOrder });
  const findings = withFixFilter(listFindings(db, { projectIds: ids }), flags).sort(bySeverity);
  const active = findings.filter((f) => (ACTIVE_STATUSES as string[]).includes(f.status));
  const gateOpts = gateOptions(s, flags);
  const verdict = evaluateGate(findings, gateOpts);
  const gate = verdict.tripped;
  const summary = {
    projects: ids.length, packages: output.packagesSeen, new: isFixedOnly(flags) ? active.filter((f) => f.status === 'new' || f.status === 'reopened').length : counts.new + counts.reopened, open: active.length, fixed: counts.fixed, unparseable: output.unparseable.length, bySeverity: counts.bySeverity,
    unrated: active.filter((f) => f.severity === 'UNKNOWN').length, kev: active.filter((f) => f.kev).length,
    gate: hasGate(gateOpts) ? { level: flags.failOn, kev: Boolean(flags.failOnKev), epss: flags.failOnEpss ?? null, newOnly: Boolean(flags.newOnly), severitySource: s.config.triage.severitySource, unknownAs: gateOpts.unknownAs, tripped: gate, count: verdict.count } : undefined,
  };
  if (flags.format === 'json') {
    writeJsonList(s.ctx, { schema_version: FINDINGS_SCHEMA_VERSION, summary }, 'findings', (function* () {
      for (const f of active) yield findingJson(f);
    })());
  } else {
    const rows = SEVERITIES.slice()
      .reverse()
      .map((sev) => [sev, isFixedOnly(flags) ? active.filter((f) => f.severity === sev && (f.status === 'new' || f.status === 'reopened')).length : counts.bySeverity[sev]!.new, active.filter((f) => f.severity === sev).length, counts.bySeverity[sev]!.fixed]);
    s.ctx.stdout.write(renderTable(['severity', 'new', 'open', 'fixed since last run'], rows, { color: s.color }));
    const fresh = active.filter((f) => f.status === 'new' || f.status === 'reopened');
    if (fresh.length > 0) {
      s.ctx.stdout.write(`\nNew findings (${fresh.length}):\n`);
      s.ctx.stdout.write(renderTable(['severity', 'project', 'package', 'version', 'advisory', 'fixed in'], fresh.map((f) => [f.severity, f.project, f.package, f.version, f.groupId, f.fixedVersion ? `${f.fixedVersion}${bumpNote(f)}` : '-']), { color: s.color }));
    }
  }
  s.logger.info(`match: ${output.packagesSeen} packages of ${ids.length} projects; ${summary.new} new, ${summary.open} open, ${counts.fixed} fixed`);
  if (summary.unrated > 0) s.logger.info(`match: ${summary.unrated} open finding(s) no source rates (severity UNKNOWN; gates count them as ${gateOpts.unknownAs})`);
  if (gate) s.ctx.stderr.write(describeGate(gateOpts, verdict));
  return { exitCode: gate ? ExitCode.Gate : ExitCode.Ok, summary };
}

/** The gates of match/scan: the flags, on the configured severity basis, UNKNOWN counted as `triage.unknown_severity`. */
export function gateOptions(s: Session, flags: { failOn?: Severity; failOnKev?: boolean; failOnEpss?: number; newOnly?: boolean }): GateOptions {
  return { failOn: flags.failOn, failOnKev: flags.failOnKev, failOnEpss: flags.failOnEpss, newOnly: flags.newOnly, basis: s.config.triage.severitySource, unknownAs: s.config.triage.unknownSeverity.toUpperCase() as Severity };
}

function bumpNote(f: { ecosystem: string; version: string; fixedVersion: string | null }): string {
  const bump = fixBump(f.ecosystem, f.version, f.fixedVersion);
  return bump && bump !== 'other' ? ` (${bump})` : '';
}
