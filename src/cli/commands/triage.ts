/** `icms triage`: accept risks, mark false positives, keep the register file, check the accepted-CVE table. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import os from 'node:os';
import { openDb, type Db } from '../../db/open.js';
import { acceptanceGroup, dayOf, isActive, listAcceptances, matchesScope, type Acceptance, type AcceptanceKind } from '../../db/acceptances.js';
import { listFindings, type FindingRow } from '../../db/findings.js';
import { updateEnvScores } from '../../db/finding-writer.js';
import { listProjects } from '../../db/projects.js';
import { ExitCode, usageError } from '../../shared/errors.js';
import { writeFileAtomic } from '../../shared/atomic-write.js';
import { isIsoDate, normalizeVulnId, splitPackageSpec } from '../../triage/acceptance.js';
import { makeEnvScorer } from '../../triage/cvss.js';
import { parseRegister, renderRegister } from '../../triage/register.js';
import { accept, exportRegister, importRegister, revoke } from '../../triage/store.js';
import type { App } from '../main.js';
import { formatOption, renderTable, writeJson } from '../output.js';
import { withRun } from '../run-command.js';
import { openSession, type Session } from '../session.js';
import { selectProjects } from '../findings-view.js';
import { registerTriageDiff } from './diff.js';
import { EXPORT_FORMATS, exportVex, type ExportFormat } from './triage-vex.js';
import { importFromTool, type InteropImportFlags } from './triage-import.js';
import { IGNORE_FORMATS } from '../../triage/ignore-files.js';
import { VEX_FORMATS } from '../../triage/vex-import.js';
import { plural } from '../../shared/plural.js';

interface AcceptFlags {
  reason?: string;
  project?: string;
  allProjects?: boolean;
  package?: string;
  expires?: string;
  by?: string;
}

/** Registers `triage accept|false-positive|list|revoke|import|export|rescore|diff`. */
export function registerTriage(program: Command, app: App): void {
  const triage = program.command('triage').description('accept risks and false positives, keep the register file, check the accepted-CVE table');
  for (const [name, kind, what] of [['accept', 'accepted', 'accept the risk of'], ['false-positive', 'false_positive', 'mark as a false positive']] as const) {
    triage
      .command(`${name} <id>`)
      .description(`${what} a vulnerability (any alias: CVE, GHSA, OSV id) in a project or everywhere`)
      .option('--reason <text>', 'why (required)')
      .option('--project <name>', 'only in this project')
      .option('--all-projects', 'in every project')
      .option('--package <name[@version]>', 'only this package (and version)')
      .option('--expires <YYYY-MM-DD>', 'last day the acceptance holds')
      .option('--by <who>', 'who decided (default: $USER)')
      .action(async (id: string, flags: AcceptFlags) => {
        const s = openSession(app.ctx, app.globals(), app.redactor);
        app.setExitCode(await withRun(s, `triage ${name}`, async (db, runId) => runAccept(s, db, runId, id, kind, flags)));
      });
  }
  triage
    .command('list')
    .description('list acceptances with the findings they cover, base and environmental scores side by side')
    .option('--expired', 'only acceptances past their expiry date')
    .option('--all', 'include revoked acceptances')
    .addOption(formatOption(['table', 'json']))
    .action((flags: { expired?: boolean; all?: boolean; format: string }) => {
      const s = openSession(app.ctx, app.globals(), app.redactor);
      withDb(s, (db) => runList(s, db, flags));
    });
  triage
    .command('revoke <acceptance-id>')
    .description('revoke an acceptance: the findings it covered are open again ("acceptance revoked")')
    .option('--by <who>', 'who revoked it (default: $USER)')
    .action(async (raw: string, flags: { by?: string }) => {
      const id = Number(raw);
      if (!Number.isInteger(id) || id <= 0) throw usageError(`acceptance id must be a number, got ${JSON.stringify(raw)}`, '`icms triage list` shows the ids');
      const s = openSession(app.ctx, app.globals(), app.redactor);
      app.setExitCode(await withRun(s, 'triage revoke', async (db, runId) => {
        const r = revoke(db, id, { now: s.ctx.now(), runId, by: flags.by ?? s.ctx.env.USER ?? null });
        s.ctx.stdout.write(`revoked acceptance #${id}: ${plural(r.reopened, 'finding')} open again\n`);
        return { exitCode: ExitCode.Ok, summary: { revoked: id, ...r } };
      }));
    });
  registerRegisterCommands(triage, app);
  triage
    .command('rescore')
    .description('recompute environmental CVSS scores of every finding (after changing triage.profiles or exposure labels)')
    .action(async () => {
      const s = openSession(app.ctx, app.globals(), app.redactor);
      app.setExitCode(await withRun(s, 'triage rescore', async (db) => {
        const changed = updateEnvScores(db, makeEnvScorer(listProjects(db), s.config.triage));
        s.ctx.stdout.write(`${plural(changed, 'finding')} re-scored\n`);
        return { exitCode: ExitCode.Ok, summary: { changed } };
      }));
    });
  registerTriageDiff(triage, app);
}

function registerRegisterCommands(triage: Command, app: App): void {
  triage
    .command('import [file]')
    .description('load the register file (default: config triage.register) into the store, in one transaction; or append the decisions of a VEX document (--format) or another scanner\'s ignore file (--from) to the register for review')
    .option('--prune', 'also revoke acceptances that are not in the file')
    .addOption(new Option('--format <name>', 'FILE is a VEX document: its not_affected statements become false-positive entries').choices([...VEX_FORMATS]))
    .addOption(new Option('--from <tool>', 'FILE is an ignore file (.trivyignore[.yaml], osv-scanner.toml, .grype.yaml): its ignores become entries').choices([...IGNORE_FORMATS]))
    .option('--project <name>', 'with --format/--from: the project the entries apply to')
    .option('--all-projects', 'with --format/--from: the entries apply to every project')
    .option('--register <file>', 'with --format/--from: the register to append to (default: config triage.register; none: print the entries)')
    .option('--by <who>', 'with --format/--from: who imported them')
    .action(async (file: string | undefined, flags: { prune?: boolean } & InteropImportFlags) => {
      const s = openSession(app.ctx, app.globals(), app.redactor);
      if (flags.format || flags.from) {
        if (flags.prune) throw usageError('--prune applies to loading the register, not to --format/--from');
        await importFromTool(s, file, flags);
        return;
      }
      const target = registerPath(s, file);
      if (!existsSync(target)) throw usageError(`${target}: no such file`, 'give the register file (YAML list of acceptances)');
      const entries = parseRegister(readFileSync(target, 'utf8'), target);
      app.setExitCode(await withRun(s, 'triage import', async (db, runId) => {
        const r = importRegister(db, entries, target, { now: s.ctx.now(), runId, prune: Boolean(flags.prune) });
        s.ctx.stdout.write(`${target}: ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged, ${r.revoked} revoked\n`);
        return { exitCode: ExitCode.Ok, summary: r };
      }));
    });
  triage
    .command('export [file]')
    .description('write every acceptance not revoked to the register file (default: config triage.register), atomically; or the triage as VEX (openvex, cyclonedx-vex; to FILE or stdout)')
    .addOption(new Option('--format <name>', 'register file, or a VEX document').choices([...EXPORT_FORMATS]).default('register'))
    .option('--author <name>', 'VEX document author (default: who decided, from the register)')
    .action(async (file: string | undefined, flags: { format: ExportFormat; author?: string }) => {
      const s = openSession(app.ctx, app.globals(), app.redactor);
      if (flags.format !== 'register') {
        await exportVex(s, flags.format, file, flags.author);
        return;
      }
      const target = registerPath(s, file);
      const entries = withDb(s, (db) => exportRegister(db));
      await writeFileAtomic(target, renderRegister(entries));
      s.logger.info(`${target}: ${plural(entries.length, 'acceptance')} written`);
    });
}

function registerPath(s: Session, file: string | undefined): string {
  const target = file ?? s.config.triage.register;
  if (!target) throw usageError('no register file given', 'pass a file or set triage.register in the config');
  return path.resolve(s.ctx.cwd, target);
}

/** Opens the store for a reading command and always closes it. */
export function withDb<T>(s: Session, fn: (db: Db) => T): T {
  const db = openDb(s.config.db);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function runAccept(s: Session, db: Db, runId: number, rawId: string, kind: AcceptanceKind, flags: AcceptFlags) {
  const reason = flags.reason?.trim();
  if (!reason) throw usageError('--reason is required', 'say why, e.g. --reason "only reachable from the admin network"');
  if (Boolean(flags.project) === Boolean(flags.allProjects)) throw usageError('give exactly one of --project <name> or --all-projects');
  if (flags.expires !== undefined && !isIsoDate(flags.expires)) throw usageError(`--expires must be a date YYYY-MM-DD, got ${JSON.stringify(flags.expires)}`);
  // an acceptance that has already lapsed would cover nothing and read as a mistake in the register
  if (flags.expires !== undefined && flags.expires < dayOf(s.ctx.now())) {
    throw usageError(`--expires ${flags.expires} is in the past (today is ${dayOf(s.ctx.now())})`, 'give today or a later date (the acceptance holds through that day)');
  }
  let projectId: number | null = null;
  if (flags.project) {
    const matches = selectProjects(db, [flags.project]);
    if (matches.length !== 1) throw usageError(`--project ${JSON.stringify(flags.project)} matches ${matches.length} projects: ${matches.map((p) => p.name).join(', ')}`, 'give the exact name');
    projectId = matches[0]!.id;
  }
  const pkg = flags.package ? splitPackageSpec(flags.package) : undefined;
  const advisoryId = normalizeVulnId(rawId);
  const known = db.prepare('SELECT 1 FROM alias_groups WHERE alias = ? UNION SELECT 1 FROM findings WHERE group_id = ?').get(advisoryId, advisoryId);
  if (!known) s.logger.warn(`${advisoryId} is not a known advisory id or alias yet; the acceptance applies once it is`);
  const r = accept(db, {
    advisoryId, kind, projectId, allProjects: Boolean(flags.allProjects), package: pkg?.name ?? null, packageVersion: pkg?.version ?? null,
    reason, expires: flags.expires ?? null, createdBy: flags.by ?? whoAmI(s.ctx.env),
  }, { now: s.ctx.now(), runId });
  s.ctx.stdout.write(`acceptance #${r.id}: ${advisoryId} ${kind === 'accepted' ? 'accepted' : 'marked false positive'} in ${flags.project ?? 'all projects'}${flags.expires ? ` until ${flags.expires}` : ''}; ${plural(r.covered, 'finding')} covered\n`);
  return Promise.resolve({ exitCode: ExitCode.Ok, summary: { acceptance: r.id, covered: r.covered } });
}

function runList(s: Session, db: Db, flags: { expired?: boolean; all?: boolean; format: string }): void {
  const now = s.ctx.now();
  const findings = listFindings(db).filter((f) => f.status !== 'fixed');
  const state = (a: Acceptance) => (a.revokedAt ? 'revoked' : isActive(a, now) ? 'active' : 'expired');
  const list = listAcceptances(db, { includeRevoked: Boolean(flags.all) })
    .filter((a) => !flags.expired || state(a) === 'expired')
    .map((a) => {
      const group = acceptanceGroup(db, a);
      const covered = findings.filter((f) => matchesScope(a, group, { ...f, ids: [...f.advisoryIds, ...f.aliases] }));
      return { a, state: state(a), covered };
    });
  if (flags.format === 'json') {
    writeJson(s.ctx, { schema_version: 1, acceptances: list.map(({ a, state: st, covered }) => ({ ...acceptanceJson(a), state: st, findings: covered.map(coveredJson) })) });
    return;
  }
  const worst = (xs: FindingRow[], score: (f: FindingRow) => number | null, sev: (f: FindingRow) => string | null) => {
    const top = [...xs].sort((x, y) => (score(y) ?? -1) - (score(x) ?? -1))[0];
    return top ? `${sev(top) ?? '-'} ${score(top) ?? ''}`.trim() : '-';
  };
  const rows = list.map(({ a, state: st, covered }) => [
    a.id, a.kind, a.advisoryId, scopeText(a), a.reason, a.expires ?? '-', st, covered.length,
    worst(covered, (f) => f.cvssScore, (f) => f.severity), worst(covered, (f) => f.envScore, (f) => f.envSeverity),
  ]);
  s.ctx.stdout.write(renderTable(['#', 'kind', 'vulnerability', 'scope', 'reason', 'expires', 'state', 'findings', 'base', 'environmental'], rows, { color: s.color }));
}

function scopeText(a: Acceptance): string {
  const where = a.allProjects ? 'all projects' : (a.project ?? `project #${a.projectId}`);
  return a.package ? `${where}: ${a.package}${a.packageVersion ? `@${a.packageVersion}` : ''}` : where;
}

function acceptanceJson(a: Acceptance): Record<string, unknown> {
  return {
    id: a.id, kind: a.kind, advisory_id: a.advisoryId,
    scope: { project: a.project, all_projects: a.allProjects, package: a.package, version: a.packageVersion },
    reason: a.reason, expires: a.expires, by: a.createdBy, created_at: a.createdAt, revoked_at: a.revokedAt,
  };
}

function coveredJson(f: FindingRow): Record<string, unknown> {
  return {
    project: f.project, package: f.package, version: f.version, advisory_id: f.groupId, status: f.status,
    severity: f.severity, cvss_score: f.cvssScore, env_severity: f.envSeverity, env_score: f.envScore,
  };
}

/** Who records an acceptance without --by: $USER, $LOGNAME, else the account running icms (cron and CI often set no $USER). */
export function whoAmI(env: Readonly<Record<string, string | undefined>>): string | null {
  const named = env.USER?.trim() || env.LOGNAME?.trim();
  if (named) return named;
  try {
    return os.userInfo().username || null;
  } catch {
    return null;
  }
}
