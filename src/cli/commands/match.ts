/** `icms match`: match every project's packages against the advisories, update findings, gate CI. */
import { Option, type Command } from 'commander';
import type { Db } from '../../db/open.js';
import { ACTIVE_STATUSES, listFindings } from '../../db/findings.js';
import { matchProjects } from '../../matcher/match-projects.js';
import { SEVERITIES, type Severity } from '../../model/types.js';
import type { App } from '../main.js';
import { formatOption, renderTable, writeJsonList } from '../output.js';
import { withRun } from '../run-command.js';
import { openSession, type Session } from '../session.js';
import { FINDINGS_SCHEMA_VERSION, fixBump } from '../../report/finding-json.js';
import { addFixedFilterOptions, isFixedOnly, withFixFilter } from '../fixed-filter.js';
import { bySeverity, collect, findingJson, parseSeverity, selectProjects, type SeveritySource } from '../findings-view.js';
import { describeGate, evaluateGate, gateOptions, hasGate, parseEpssThreshold } from '../gate.js';
import { ExitCode } from '../../shared/errors.js';
import { plural } from '../../shared/plural.js';

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
  if (summary.unrated > 0) s.logger.info(`match: ${plural(summary.unrated, 'open finding')} ${summary.unrated === 1 ? 'has' : 'have'} no rating from any source (severity UNKNOWN; gates count ${summary.unrated === 1 ? 'it' : 'them'} as ${gateOpts.unknownAs})`);
  if (gate) s.ctx.stderr.write(describeGate(gateOpts, verdict));
  return { exitCode: gate ? ExitCode.Gate : ExitCode.Ok, summary };
}


function bumpNote(f: { ecosystem: string; version: string; fixedVersion: string | null }): string {
  const bump = fixBump(f.ecosystem, f.version, f.fixedVersion);
  return bump && bump !== 'other' ? ` (${bump})` : '';
}
