/** `icms report`: findings as a terminal table, JSON, CSV, Markdown, SARIF or the HTML dashboard; daily archives. */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { openDb } from '../../db/open.js';
import type { Severity } from '../../model/types.js';
import { writeArchive } from '../../report/archive.js';
import { buildReport, STATUS_FILTERS, type StatusFilter } from '../../report/model.js';
import { REPORT_FORMATS, SBOM_FORMATS, chunkedRenderers, renderers, sbomRenderers, type ReportFormat, type SbomFormat } from '../../report/render/index.js';
import { buildSbomData } from '../../report/sbom-data.js';
import type { Db } from '../../db/open.js';
import { listProjects } from '../../db/projects.js';
import { batched } from '../../shared/json-stream.js';
import { GROUP_BYS, type GroupBy } from '../../report/summary.js';
import { writeFileAtomic } from '../../shared/atomic-write.js';
import { ExitCode, errorMessage, externalError, usageError } from '../../shared/errors.js';
import type { App } from '../main.js';
import { withRun } from '../run-command.js';
import { addFixedFilterOptions, isFixedOnly } from '../fixed-filter.js';
import { openSession, type Session } from '../session.js';
import { collect, parseSeverity, selectProjects } from '../findings-view.js';
import { plural } from '../../shared/plural.js';

interface ReportFlags {
  format: ReportFormat | SbomFormat;
  by?: GroupBy;
  project?: string[];
  maintainer?: string[];
  severityMin?: Severity;
  status?: StatusFilter;
  output?: string;
  archive?: string | true;
  force?: boolean;
  ignoreUnfixed?: boolean;
  onlyFixed?: boolean;
}

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Registers `report`. */
export function registerReport(program: Command, app: App): void {
  const cmd = program
    .command('report')
    .description('report findings: terminal table, json, csv, markdown, sarif (GitHub code scanning) or a self-contained html dashboard; --archive writes a dated snapshot')
    .addOption(new Option('--format <name>', 'output format').choices([...REPORT_FORMATS, ...SBOM_FORMATS]).default('table'))
    .addOption(new Option('--by <key>', 'summarise by group instead of listing findings (table, csv, markdown, json)').choices([...GROUP_BYS]))
    .option('--project <name>', 'only this project (repeatable; name, URL or part of the name)', collect)
    .option('--maintainer <who>', "only projects of this maintainer (repeatable; part of the email or name)", collect)
    .option('--severity-min <severity>', 'only findings at or above SEVERITY (low|medium|high|critical)', parseSeverity)
    .addOption(new Option('--status <status>', 'which findings: open (new, open, reopened), new, fixed, accepted (incl. false positives) or all; default open, html and sarif all').choices([...STATUS_FILTERS]))
    .option('--output <file>', 'write to FILE (atomically) instead of stdout')
    .option('--archive [dir]', 'write the dated snapshot <dir>/<YYYY-MM-DD>.json.gz instead of a report (dir: config report.archive_dir)')
    .option('--force', "with --archive: replace today's archive");
  addFixedFilterOptions(cmd)
    .action(async (flags: ReportFlags) => {
      const s = openSession(app.ctx, app.globals(), app.redactor);
      if (flags.archive !== undefined) {
        app.setExitCode(await archive(s, flags));
        return;
      }
      if (flags.force) throw usageError('--force only applies to --archive');
      app.setExitCode(await report(s, flags));
    });
}

async function report(s: Session, flags: ReportFlags): Promise<ExitCode> {
  const db = openDb(s.config.db);
  let content: string | Iterable<string>;
  let count: number;
  try {
    // SARIF shows accepted findings as suppressed results: left out, GitHub would close them as fixed
    const status = flags.status ?? (flags.format === 'html' || flags.format === 'sarif' || isSbomFormat(flags.format) ? 'all' : 'open');
    if (isSbomFormat(flags.format)) {
      if (flags.by) throw usageError(`--by does not apply to --format ${flags.format}`);
      const project = sbomProject(db, flags.project);
      const data = buildSbomData(db, project, { status, maintainers: flags.maintainer, severityMin: flags.severityMin, basis: s.config.triage.severitySource, onlyFixed: isFixedOnly(flags), trendDays: 0, now: s.ctx.now() });
      count = data.packages.length;
      content = sbomRenderers[flags.format](data, { color: false, toolVersion: pkg.version });
    } else {
      const projectIds = flags.project ? selectProjects(db, flags.project).map((p) => p.id) : undefined;
      // only the dashboard draws the trend: other formats skip reading every finding's status changes
      const trendDays = flags.format === 'html' ? s.config.report.trendDays : 0;
      const data = buildReport(db, { status, projectIds, maintainers: flags.maintainer, severityMin: flags.severityMin, basis: s.config.triage.severitySource, onlyFixed: isFixedOnly(flags), trendDays, now: s.ctx.now() });
      count = data.totals.findings;
      const toTerminal = flags.output === undefined;
      const opts = { color: toTerminal && s.color, columns: toTerminal ? s.ctx.columns : undefined, by: flags.by, toolVersion: pkg.version, unknownAs: s.config.triage.unknownSeverity.toUpperCase() as Severity };
      // big formats are written piece by piece (the same text), never built as one string
      const chunked = chunkedRenderers[flags.format];
      content = chunked ? chunked(data, opts) : renderers[flags.format](data, opts);
    }
  } finally {
    db.close();
  }
  if (flags.output === undefined) {
    if (typeof content === 'string') s.ctx.stdout.write(content);
    else for (const piece of batched(content)) s.ctx.stdout.write(piece);
    return ExitCode.Ok;
  }
  const file = path.resolve(s.ctx.cwd, flags.output);
  try {
    await writeFileAtomic(file, content);
  } catch (err) {
    throw externalError(`cannot write ${file}: ${errorMessage(err)}`, { hint: 'check that the directory is writable', cause: err });
  }
  s.logger.info(`report: ${plural(count, isSbomFormat(flags.format) ? 'package' : 'finding')} written to ${file} (${flags.format}, ${statSync(file).size} bytes)`);
  return ExitCode.Ok;
}

function isSbomFormat(f: string): f is SbomFormat {
  return (SBOM_FORMATS as readonly string[]).includes(f);
}

/** An SBOM describes one project: the one --project names, or the only project there is. */
function sbomProject(db: Db, wanted: string[] | undefined) {
  const candidates = wanted ? selectProjects(db, wanted) : listProjects(db);
  if (candidates.length !== 1) {
    const names = candidates.slice(0, 10).map((p) => p.name).join(', ');
    throw usageError(`an SBOM describes one project; ${wanted ? `--project ${wanted.join(' ')}` : 'the store'} has ${candidates.length}${names ? `: ${names}` : ''}`, 'name one project with --project <name>');
  }
  return candidates[0]!;
}

async function archive(s: Session, flags: ReportFlags): Promise<ExitCode> {
  const configured = s.config.report.archiveDir;
  const dir = typeof flags.archive === 'string' ? path.resolve(s.ctx.cwd, flags.archive) : configured ? path.resolve(s.ctx.cwd, configured) : undefined;
  if (!dir) throw usageError('--archive needs a directory', 'pass --archive <dir> or set report.archive_dir (ICMS_REPORT_ARCHIVE_DIR)');
  return withRun(s, 'report --archive', async (db) => {
    const r = await writeArchive(db, { dir, now: s.ctx.now(), force: Boolean(flags.force), retentionDays: s.config.report.archiveRetentionDays });
    s.logger.info(`archive: ${plural(r.findings, 'finding')} written to ${r.file} (${r.bytes} bytes${r.replaced ? ', replaced' : ''})`);
    if (r.deleted.length > 0) s.logger.info(`archive: removed ${plural(r.deleted.length, 'archive')} older than ${s.config.report.archiveRetentionDays} days: ${r.deleted.join(', ')}`);
    return { exitCode: ExitCode.Ok, summary: { file: r.file, bytes: r.bytes, findings: r.findings, replaced: r.replaced, deleted: r.deleted } };
  });
}
