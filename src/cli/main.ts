/** The icms CLI: builds the command tree, runs it, and maps every error to a documented exit code. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { IcmsError, ExitCode } from '../shared/errors.js';
import { Redactor } from '../shared/redact.js';
import { asDatabaseError } from '../db/open.js';
import { stripControl } from '../shared/text-safety.js';
import type { Context } from './context.js';
import type { GlobalFlags } from './session.js';
import { registerFetchProjects } from './commands/fetch-projects.js';
import { registerConfig } from './commands/config.js';
import { registerDoctor } from './commands/doctor.js';
import { registerProjects } from './commands/projects.js';
import { registerSyncVulns } from './commands/sync-vulns.js';
import { registerScan } from './commands/scan.js';
import { registerImport } from './commands/import.js';
import { registerMatch } from './commands/match.js';
import { registerExplain } from './commands/explain.js';
import { registerRun } from './commands/run.js';
import { registerRuns } from './commands/runs.js';
import { registerNotify } from './commands/notify.js';
import { registerReport } from './commands/report.js';
import { registerTriage } from './commands/triage.js';
import { registerDiff } from './commands/diff.js';

/** What every command registration gets: the context, global flags, a shared redactor, and the exit code setter. */
export interface App {
  ctx: Context;
  redactor: Redactor;
  globals(): GlobalFlags;
  setExitCode(code: ExitCode): void;
}

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Runs icms with `argv` (without node and script) and returns the exit code; never calls process.exit. */
export async function main(argv: readonly string[], ctx: Context): Promise<number> {
  let exitCode: ExitCode = ExitCode.Ok;
  const redactor = new Redactor();
  const program = createProgram(ctx, redactor, (c) => {
    exitCode = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    return reportError(err, ctx, redactor, Boolean(program.opts<GlobalFlags>().verbose));
  }
  return exitCode;
}

/** The command tree with every subcommand registered (main runs it; the README examples are checked against it). */
export function createProgram(ctx: Context, redactor: Redactor, setExitCode: (code: ExitCode) => void): Command {
  const program = new Command('icms');
  const app: App = { ctx, redactor, globals: () => program.opts<GlobalFlags>(), setExitCode };
  program
    .description('Infra CVE Manager Service: find and chase known vulnerabilities in the packages of every project you maintain.')
    .version(pkg.version, '-V, --version', 'print the icms version')
    .helpOption('-h, --help', 'show help for a command')
    .option('-c, --config <file>', 'config file (default: $ICMS_CONFIG, else ./icms.yaml when present)')
    .option('--db <file>', 'SQLite database file (config `db`, default ./icms.db)')
    .option('--work-dir <dir>', 'working directory for clones and caches (config `work_dir`)')
    .option('-q, --quiet', 'log warnings and errors only')
    .option('-v, --verbose', 'log debug details')
    .option('--log-file <file>', 'also append plain log lines to FILE')
    .addOption(new Option('--no-color', 'no colour even on a terminal (NO_COLOR is honoured too)'))
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) })
    .addHelpText('after', EXIT_CODES_HELP);

  registerFetchProjects(program, app);
  registerProjects(program, app);
  registerScan(program, app);
  registerImport(program, app);
  registerSyncVulns(program, app);
  registerMatch(program, app);
  registerExplain(program, app);
  registerRun(program, app);
  registerRuns(program, app);
  registerNotify(program, app);
  registerReport(program, app);
  registerTriage(program, app);
  registerDiff(program, app);
  registerConfig(program, app);
  registerDoctor(program, app);
  return program;
}

const EXIT_CODES_HELP = `
Exit codes:
  0   ok
  1   gate tripped (--fail-on)
  2   usage, configuration or input error
  3   partial: some items (projects, advisories, recipients) failed and are reported
  4   an external part (trivy, git, HTTP, SMTP, database) stopped the run
  70  internal bug (please report it)
`;

function reportError(thrown: unknown, ctx: Context, redactor: Redactor, verbose: boolean): number {
  // a SQLite failure mid-command (locked, read-only, disk full, corrupt) is the database failing, not a bug
  const err = asDatabaseError(thrown) ?? thrown;
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.Ok;
    return ExitCode.Usage; // commander already printed the message
  }
  if (err instanceof IcmsError) {
    ctx.stderr.write(`icms: error: ${stripControl(redactor.redact(err.message))}\n`);
    if (err.hint) ctx.stderr.write(`icms: hint: ${stripControl(redactor.redact(err.hint))}\n`);
    if (verbose && err.cause instanceof Error) ctx.stderr.write(`icms: cause: ${stripControl(redactor.redact(err.cause.message))}\n`);
    return err.exitCode;
  }
  const detail = err instanceof Error ? (verbose ? (err.stack ?? err.message) : err.message) : String(err);
  ctx.stderr.write(`icms: internal error: ${stripControl(redactor.redact(detail))}\n`);
  ctx.stderr.write('icms: hint: this is a bug in icms; run again with --verbose and report the output\n');
  return ExitCode.Bug;
}
