/**
 * `icms diff`: findings new, fixed and changed between two points of the history (run id, date or label);
 * `icms triage diff`: the release check of findings (or a trivy report) against the accepted-CVE table.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { openDb, type Db } from '../../db/open.js';
import { dayOf } from '../../db/acceptances.js';
import { findingStatesAt, listFindings, resolveRunRef, type FindingRow } from '../../db/findings.js';
import { ExitCode, usageError } from '../../shared/errors.js';
import { writeFileAtomic } from '../../shared/atomic-write.js';
import { parseAcceptedTable, rewriteTable } from '../../triage/md-table.js';
import { diffRuns, type RunDiffEntry } from '../../triage/run-diff.js';
import { diffAcceptedTable, newRowsFor, type DiffItem, type TableDiff } from '../../triage/table-diff.js';
import { parseTrivyVulnerabilities } from '../../triage/trivy-vulns.js';
import type { App } from '../main.js';
import { formatOption, renderTable, writeJson } from '../output.js';
import { openSession, type Session } from '../session.js';
import { collect, findingJson, selectProjects } from '../findings-view.js';
import { FINDINGS_SCHEMA_VERSION } from '../../report/finding-json.js';
import { plural } from '../../shared/plural.js';

/** Registers `diff`. */
export function registerDiff(program: Command, app: App): void {
  program
    .command('diff')
    .description('findings new, fixed and changed (open <-> accepted) between two runs, dates or scan labels')
    .requiredOption('--from <ref>', 'run id, date (YYYY-MM-DD: the last run that day) or scan label (e.g. 4.0.0)')
    .option('--to <ref>', 'run id, date or scan label (default: the latest run)')
    .addOption(formatOption(['table', 'json']))
    .action((flags: { from: string; to?: string; format: string }) => {
      const s = openSession(app.ctx, app.globals(), app.redactor);
      const db = openDb(s.config.db);
      try {
        runDiff(s, db, flags);
      } finally {
        db.close();
      }
    });
}

function resolve(db: Db, ref: string, flag: string) {
  const r = resolveRunRef(db, ref);
  if (!r) throw usageError(`${flag} ${JSON.stringify(ref)}: no run with that id, date or label`, '`icms runs` lists runs; `icms scan --label <name>` records labels');
  return r;
}

function runDiff(s: Session, db: Db, flags: { from: string; to?: string; format: string }): void {
  const from = resolve(db, flags.from, '--from');
  const latest = db.prepare('SELECT MAX(id) FROM runs').pluck().get() as number | null;
  const to = flags.to ? resolve(db, flags.to, '--to') : { runId: latest ?? 0, label: null, startedAt: '' };
  const diff = diffRuns(findingStatesAt(db, from.runId), findingStatesAt(db, to.runId));
  const byId = new Map(listFindings(db).map((f) => [f.id, f]));
  const rows = (list: RunDiffEntry[]) => list.flatMap((e) => (byId.has(e.findingId) ? [{ e, f: byId.get(e.findingId)! }] : []));
  const sections = { new: rows(diff.new), fixed: rows(diff.fixed), changed: rows(diff.changed) };
  if (flags.format === 'json') {
    const json = (xs: typeof sections.new) => xs.map(({ e, f }) => ({ ...findingJson(f), from_status: e.from, to_status: e.to }));
    writeJson(s.ctx, { schema_version: FINDINGS_SCHEMA_VERSION, from: { ref: flags.from, run_id: from.runId }, to: { ref: flags.to ?? 'latest', run_id: to.runId }, new: json(sections.new), fixed: json(sections.fixed), changed: json(sections.changed) });
    return;
  }
  s.ctx.stdout.write(`from run ${from.runId} (${flags.from}) to run ${to.runId} (${flags.to ?? 'latest'}): ${sections.new.length} new, ${sections.fixed.length} fixed, ${sections.changed.length} changed\n`);
  for (const [name, xs] of Object.entries(sections)) {
    if (xs.length === 0) continue;
    s.ctx.stdout.write(`\n${name[0]!.toUpperCase()}${name.slice(1)} (${xs.length}):\n`);
    s.ctx.stdout.write(renderTable(['severity', 'project', 'package', 'version', 'advisory', 'from', 'to'], xs.map(({ e, f }) => [f.severity, f.project, f.package, f.version, f.groupId, e.from ?? '-', e.to ?? '-']), { color: s.color }));
  }
}

interface TableFlags {
  table: string;
  project?: string[];
  label?: string[];
  scanReport?: string;
  writeUpdated?: string;
  format: string;
}

/** Registers `triage diff` under the `triage` command. */
export function registerTriageDiff(triage: Command, app: App): void {
  triage
    .command('diff')
    .description('check findings against the accepted-CVE Markdown table: new, resolved, expired and still accepted (exit 1 if new)')
    .requiredOption('--table <file>', 'the Markdown file with the table of accepted CVEs')
    .option('--project <name>', 'only this project (repeatable)', collect)
    .option('--label <key=value>', 'only projects with this inventory label (repeatable)', collect)
    .option('--scan-report <file>', 'compare this trivy JSON report instead of the stored findings')
    .option('--write-updated <file>', 'write the table with new findings appended and resolved rows removed')
    .addOption(formatOption(['table', 'json']))
    .action(async (flags: TableFlags) => {
      const s = openSession(app.ctx, app.globals(), app.redactor);
      app.setExitCode(await runTableCheck(s, flags));
    });
}

async function runTableCheck(s: Session, flags: TableFlags): Promise<ExitCode> {
  const tableFile = path.resolve(s.ctx.cwd, flags.table);
  const table = parseAcceptedTable(readText(tableFile), tableFile);
  const hasDb = existsSync(s.config.db);
  if (!flags.scanReport && !hasDb) throw usageError(`no database at ${s.config.db}`, 'run `icms match` first, or give --scan-report');
  const db = hasDb ? openDb(s.config.db) : undefined;
  let diff: TableDiff;
  try {
    const group = db?.prepare('SELECT group_id FROM alias_groups WHERE alias = ?').pluck();
    const groupOf = (id: string): string => (group?.get(id) as string | undefined) ?? id;
    const scoped = !flags.scanReport && ((flags.project ?? []).length > 0 || (flags.label ?? []).length > 0);
    const { items, scope } = flags.scanReport ? { items: reportItems(s, flags.scanReport, groupOf), scope: undefined } : findingItems(db!, flags);
    diff = diffAcceptedTable(table, items, { groupOf, today: dayOf(s.ctx.now()), scope: scoped ? scope : undefined });
  } finally {
    db?.close();
  }
  if (flags.writeUpdated) {
    const out = path.resolve(s.ctx.cwd, flags.writeUpdated);
    await writeFileAtomic(out, rewriteTable(table, new Set(diff.resolved.map((r) => r.line)), newRowsFor(table, diff.new)));
    s.logger.info(`${out}: ${plural(diff.new.length, 'row')} added, ${diff.resolved.length} removed${diff.outOfScope.length > 0 ? `, ${diff.outOfScope.length} out of scope kept` : ''}`);
  }
  printTableDiff(s, diff, flags.format);
  return diff.new.length > 0 ? ExitCode.Gate : ExitCode.Ok;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw usageError(`cannot read ${file}`, 'check the path');
  }
}

function reportItems(s: Session, file: string, groupOf: (id: string) => string): DiffItem[] {
  const abs = path.resolve(s.ctx.cwd, file);
  return parseTrivyVulnerabilities(readText(abs), abs, groupOf);
}

function findingItems(db: Db, flags: TableFlags): { items: DiffItem[]; scope: { project: string; projectUrl: string }[] } {
  const labels = (flags.label ?? []).map((l) => {
    const at = l.indexOf('=');
    if (at <= 0) throw usageError(`--label ${JSON.stringify(l)}: expected key=value`, 'e.g. --label exposure=internet');
    return [l.slice(0, at), l.slice(at + 1)] as const;
  });
  const projects = selectProjects(db, flags.project).filter((p) => labels.every(([k, v]) => p.labels[k] === v));
  const urls = new Map(projects.map((p) => [p.id, p.url]));
  const findings = listFindings(db, { projectIds: [...urls.keys()], statuses: ['new', 'open', 'reopened', 'accepted', 'false_positive'] });
  const items = findings.map((f: FindingRow) => ({
    ids: [...f.advisoryIds, ...f.aliases], groupId: f.groupId, package: f.package, version: f.version, project: f.project,
    projectUrl: urls.get(f.projectId), severity: f.severity, score: f.cvssScore, envScore: f.envScore, status: f.status,
  }));
  return { items, scope: projects.map((p) => ({ project: p.name, projectUrl: p.url })) };
}

function printTableDiff(s: Session, d: TableDiff, format: string): void {
  const rowJson = (r: TableDiff['resolved'][number]) => ({ line: r.line, ids: r.ids, package: r.package ?? null, project: r.project ?? null, justification: r.justification ?? null, expires: r.expires ?? null });
  if (format === 'json') {
    writeJson(s.ctx, {
      schema_version: 1,
      new: d.new.map((e) => ({ id: e.id, package: e.package, project: e.project, versions: e.versions, status: e.items.map((i) => i.status ?? null), score: e.items[0]?.score ?? null, env_score: e.items[0]?.envScore ?? null })),
      resolved: d.resolved.map(rowJson),
      out_of_scope: d.outOfScope.map(rowJson),
      expired: d.expired.map((x) => ({ ...rowJson(x.row), found: x.items.length })),
      still_accepted: d.stillAccepted.map((x) => ({ ...rowJson(x.row), found: x.items.length })),
    });
    return;
  }
  const outside = d.outOfScope.length > 0 ? `, ${d.outOfScope.length} out of scope` : '';
  s.ctx.stdout.write(`${d.new.length} new, ${d.resolved.length} resolved, ${d.expired.length} expired, ${d.stillAccepted.length} still accepted${outside}\n`);
  const section = (title: string, head: string[], rows: (string | number)[][]) => {
    if (rows.length > 0) s.ctx.stdout.write(`\n${title} (${rows.length}):\n${renderTable(head, rows, { color: s.color })}`);
  };
  section('New: found, not in the table', ['vulnerability', 'package', 'versions', 'project', 'base', 'environmental'], d.new.map((e) => [e.id, e.package, e.versions.join(', '), e.project, e.items[0]?.score ?? '-', e.items[0]?.envScore ?? '-']));
  section('Resolved: in the table, no longer found (the row can go)', ['line', 'vulnerability', 'package', 'project'], d.resolved.map((r) => [r.line, r.ids.join(' '), r.package ?? '', r.project ?? '']));
  section('Expired: still found, the table date has passed', ['line', 'vulnerability', 'package', 'project', 'expires'], d.expired.map(({ row: r }) => [r.line, r.ids.join(' '), r.package ?? '', r.project ?? '', r.expires ?? '']));
  section('Out of scope: not judged by this --project/--label check (kept as they are)', ['line', 'vulnerability', 'package', 'project'], d.outOfScope.map((r) => [r.line, r.ids.join(' '), r.package ?? '', r.project ?? '']));
  section('Still accepted', ['line', 'vulnerability', 'package', 'project', 'found'], d.stillAccepted.map(({ row: r, items }) => [r.line, r.ids.join(' '), r.package ?? '', r.project ?? '', items.length]));
}
