/**
 * `icms run --all`: the daily chain fetch-projects → scan → sync-vulns → match → notify → report under one
 * lock. Each step is the real subcommand (same config, same code path), its JSON output kept for the summary.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Db } from '../../db/open.js';
import { ExitCode, usageError, worstExitCode } from '../../shared/errors.js';
import type { Severity } from '../../model/types.js';
import type { Context } from '../context.js';
import type { App } from '../main.js';
import { main } from '../main.js';
import { formatOption, renderTable, writeJson } from '../output.js';
import { withRun } from '../run-command.js';
import { openSession, type GlobalFlags, type Session } from '../session.js';
import { collect, parseSeverity } from '../findings-view.js';
import { parseEpssThreshold } from '../gate.js';
import { archiveName } from '../../report/archive.js';

export const STEPS = ['fetch-projects', 'scan', 'sync-vulns', 'match', 'notify', 'report'] as const;
export type Step = (typeof STEPS)[number];

interface RunFlags {
  all?: boolean;
  skip?: Step[];
  only?: Step[];
  failOn?: Severity;
  failOnKev?: boolean;
  failOnEpss?: number;
  newOnly?: boolean;
  fromBundles?: string;
  format: 'table' | 'json';
}

export interface StepResult {
  step: Step;
  status: 'ok' | 'partial' | 'failed' | 'gate' | 'skipped';
  exitCode: number;
  durationMs: number;
  summary: unknown;
  note?: string;
}

function parseStep(value: string, previous: Step[] = []): Step[] {
  if (!(STEPS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${STEPS.join(', ')}`);
  return collect(value, previous) as Step[];
}

/** Registers `run`. */
export function registerRun(program: Command, app: App): void {
  program
    .command('run')
    .description('run the daily chain: fetch-projects → scan → sync-vulns → match → notify → report, under one lock')
    .option('--all', 'run every step')
    .option('--skip <step>', `leave out a step (repeatable): ${STEPS.join(', ')}`, parseStep)
    .option('--only <step>', 'run only this step (repeatable)', parseStep)
    .option('--fail-on <severity>', 'exit 1 if match finds an open finding at or above SEVERITY', parseSeverity)
    .option('--fail-on-kev', 'exit 1 if match finds an open finding CISA lists as exploited (KEV)')
    .option('--fail-on-epss <p>', 'exit 1 if match finds an open finding with an EPSS score of at least P (0..1)', parseEpssThreshold)
    .option('--new-only', 'with --fail-on: only findings new in this run trip the gate')
    .option('--from-bundles <dir>', 'import the scan bundles in DIR instead of fetch-projects and scan (sharded scans)')
    .addOption(formatOption(['table', 'json']))
    .action(async (flags: RunFlags) => {
      if (!flags.all && !flags.only) throw usageError('nothing to run', 'give --all, or --only <step>');
      const s = openSession(app.ctx, app.globals(), app.redactor);
      app.setExitCode(await withRun(s, 'run', (db, _runId, token) => runChain(s, db, app.globals(), flags, token)));
    });
}

async function runChain(s: Session, db: Db, globals: GlobalFlags, flags: RunFlags, lockToken: string) {
  const wanted = STEPS.filter((st) => (!flags.only || flags.only.includes(st)) && !flags.skip?.includes(st));
  const results: StepResult[] = [];
  let stopped = false;
  for (const step of STEPS) {
    if (!wanted.includes(step) || stopped) {
      results.push({ step, status: 'skipped', exitCode: 0, durationMs: 0, summary: null, note: stopped ? 'not run: an earlier step stopped the chain' : 'not selected' });
      continue;
    }
    s.logger.info(`run: ${step}`);
    const argvs = stepArgv(s, step, flags);
    if (argvs.length === 0) {
      const note = flags.fromBundles && step === 'fetch-projects' ? "--from-bundles: the bundles carry the inventory the shards scanned" : 'nothing to do (not configured, or already done today)';
      results.push({ step, status: 'skipped', exitCode: 0, durationMs: 0, summary: null, note });
      continue;
    }
    const started = Date.now();
    let exitCode: ExitCode = ExitCode.Ok;
    const summaries: unknown[] = [];
    for (const argv of argvs) {
      const r = await runStep({ ...s.ctx, env: { ...s.ctx.env, ICMS_LOCK_TOKEN: lockToken } }, globals, argv);
      exitCode = worstExitCode([exitCode, r.exitCode]);
      summaries.push(r.summary);
    }
    const result: StepResult = { step, status: statusOf(exitCode), exitCode, durationMs: Date.now() - started, summary: summaries.length === 1 ? summaries[0] : summaries };
    if (exitCode === ExitCode.External || exitCode === ExitCode.Usage || exitCode === ExitCode.Bug) {
      const reason = blocking(db, step);
      if (reason) {
        stopped = true;
        result.note = `chain stopped: ${reason}`;
        s.logger.error(`run: ${step} failed and ${reason}; later steps are not run`);
      } else {
        result.note = 'failed; the chain goes on with the data stored before';
        s.logger.warn(`run: ${step} failed; going on with the data stored before`);
      }
    }
    results.push(result);
  }
  const exitCode = finalExitCode(results, stopped);
  if (flags.format === 'json') writeJson(s.ctx, { exit_code: exitCode, steps: results });
  else s.ctx.stdout.write(renderSteps(results, exitCode, s.color));
  return { exitCode, summary: { steps: results.map(({ step, status, exitCode: code, durationMs, note }) => ({ step, status, exitCode: code, durationMs, note })) } };
}

/** The argv of each invocation a step makes (report may make two: dashboard and archive). */
function stepArgv(s: Session, step: Step, flags: RunFlags): string[][] {
  switch (step) {
    case 'fetch-projects':
      return flags.fromBundles ? [] : [['fetch-projects', '--format', 'json']];
    case 'scan':
      // the shards scanned from the inventory in their bundles; the store takes that one, as fetch-projects would
      return [flags.fromBundles ? ['import', '--adopt-inventory', '--format', 'json', flags.fromBundles] : ['scan', '--all', '--format', 'json']];
    case 'match':
      return [['match', '--format', 'json', ...(flags.failOn ? ['--fail-on', flags.failOn.toLowerCase()] : []), ...(flags.failOnKev ? ['--fail-on-kev'] : []), ...(flags.failOnEpss !== undefined ? ['--fail-on-epss', String(flags.failOnEpss)] : []), ...(flags.newOnly ? ['--new-only'] : [])]];
    case 'report': {
      const out: string[][] = [];
      if (s.config.report.htmlOutput) out.push(['report', '--format', 'html', '--output', s.config.report.htmlOutput]);
      const archive = s.config.report.archiveDir;
      // A re-run the same day (after a failure or a crash) keeps the day's archive: it is never overwritten.
      if (archive && existsSync(path.join(archive, archiveName(s.ctx.now())))) s.logger.info(`run: today's archive in ${archive} already exists; kept`);
      else if (archive) out.push(['report', '--archive', archive]);
      return out;
    }
    default:
      return [[step, '--format', 'json']];
  }
}

/** Runs one subcommand in-process under this run's lock; its stdout (JSON) is captured, its logs go to stderr. */
async function runStep(ctx: Context, globals: GlobalFlags, argv: string[]): Promise<{ exitCode: ExitCode; summary: unknown }> {
  let out = '';
  const sub: Context = { ...ctx, stdout: { write: (c: string) => (out += c) }, stdoutIsTty: false };
  const global = [
    ...(globals.config ? ['--config', globals.config] : []),
    ...(globals.db ? ['--db', globals.db] : []),
    ...(globals.workDir ? ['--work-dir', globals.workDir] : []),
    ...(globals.logFile ? ['--log-file', globals.logFile] : []),
    ...(globals.quiet ? ['--quiet'] : []),
    ...(globals.verbose ? ['--verbose'] : []),
    '--no-color',
  ];
  const exitCode = (await main([...global, ...argv], sub)) as ExitCode;
  let summary: unknown = null;
  try {
    summary = out.trim() ? (JSON.parse(out) as unknown) : null;
  } catch {
    summary = null; // html and other non-JSON outputs
  }
  return { exitCode, summary };
}

/** Why a failed step stops the chain, or undefined when the later steps can use what was stored before. */
function blocking(db: Db, step: Step): string | undefined {
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  if (step === 'fetch-projects' && count("SELECT COUNT(*) AS n FROM projects WHERE status = 'active'") === 0) return 'there is no inventory, new or previous';
  if (step === 'scan' && count('SELECT COUNT(*) AS n FROM packages') === 0) return 'no package has ever been scanned';
  if (step === 'sync-vulns' && count('SELECT COUNT(*) AS n FROM advisories') === 0) return 'no advisories were ever synced';
  if (step === 'match') return 'there are no findings to notify or report';
  return undefined;
}

function statusOf(code: ExitCode): StepResult['status'] {
  return code === ExitCode.Ok ? 'ok' : code === ExitCode.Partial ? 'partial' : code === ExitCode.Gate ? 'gate' : 'failed';
}

/**
 * Worst of the steps, as documented: 0, 1, 3 or 4. A step that stopped the chain makes the run exit 4 — also when
 * it crashed (its own 70 stays in the step's row); a step's usage error or crash counts as a failed step (4).
 */
function finalExitCode(results: StepResult[], stopped: boolean): ExitCode {
  if (stopped) return ExitCode.External;
  const worst = worstExitCode(results.map((r) => r.exitCode as ExitCode));
  return worst === ExitCode.Usage || worst === ExitCode.Bug ? ExitCode.External : worst;
}

function renderSteps(results: StepResult[], exitCode: number, color: boolean): string {
  const rows = results.map((r) => [r.step, r.status, r.status === 'skipped' ? '' : `${(r.durationMs / 1000).toFixed(1)} s`, digest(r), r.note ?? '']);
  return `${renderTable(['step', 'status', 'duration', 'counts', 'note'], rows, { color })}exit code ${exitCode}\n`;
}

function digest(r: StepResult): string {
  const s = r.summary as Record<string, unknown> | null;
  if (!s || typeof s !== 'object') return '';
  switch (r.step) {
    case 'fetch-projects': {
      const c = s.counts as Record<string, number> | undefined;
      return c ? `${c.total} projects (+${c.added} -${c.removed}, ${c.skipped} skipped)` : '';
    }
    case 'scan':
      return `${s.scanned} scanned, ${s.skipped} unchanged, ${s.failed} failed`;
    case 'sync-vulns': {
      const src = (s.sources as { added: number; updated: number; skipped: number; error?: string }[] | undefined) ?? [];
      return `${src.length} sources: +${src.reduce((n, x) => n + x.added, 0)} ~${src.reduce((n, x) => n + x.updated, 0)}, ${src.filter((x) => x.error).length} failed`;
    }
    case 'match': {
      const m = s.summary as Record<string, number> | undefined;
      return m ? `${m.new} new, ${m.open} open, ${m.fixed} fixed` : '';
    }
    case 'notify': {
      const n = s.summary as Record<string, number> | undefined;
      return n ? `${n.sent} sent, ${n.skipped} skipped, ${n.failed} failed` : '';
    }
    default:
      return Object.entries(s)
        .filter(([, v]) => typeof v === 'number')
        .map(([k, v]) => `${k} ${String(v)}`)
        .slice(0, 4)
        .join(', ');
  }
}
