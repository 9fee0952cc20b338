/** `icms explain <finding-id|advisory-id>`: why a finding matched, or what an advisory affects in the portfolio. */
import type { Command } from 'commander';
import { openDb } from '../../db/open.js';
import { advisoriesInGroup, getAdvisory, groupOf } from '../../db/advisories.js';
import { listFindings, type FindingRow } from '../../db/findings.js';
import type { Advisory } from '../../model/types.js';
import { usageError } from '../../shared/errors.js';
import type { App } from '../main.js';
import { formatOption, stripControl, writeJson } from '../output.js';
import { openSession } from '../session.js';
import { collect, findingJson, selectProjects } from '../findings-view.js';
import { FINDINGS_SCHEMA_VERSION } from '../../report/finding-json.js';

/** Registers `explain`. */
export function registerExplain(program: Command, app: App): void {
  program
    .command('explain')
    .description('explain a finding (by number) or an advisory (any alias): which range and events decided, and the fix')
    .argument('<id>', 'a finding number (from report/JSON) or an advisory id such as CVE-2021-3749 or GHSA-…')
    .option('--project <name>', 'only findings of this project (repeatable)', collect)
    .addOption(formatOption(['text', 'json']))
    .action((id: string, flags: { project?: string[]; format: string }) => {
      const s = openSession(app.ctx, app.globals(), app.redactor);
      const db = openDb(s.config.db);
      try {
        const projectIds = flags.project ? selectProjects(db, flags.project).map((p) => p.id) : undefined;
        const all = listFindings(db, { projectIds });
        const findings = /^\d+$/.test(id) ? all.filter((f) => f.id === Number(id)) : all.filter((f) => f.groupId === (groupOf(db, id) ?? id) || f.aliases.includes(id));
        const advisories = advisoriesInGroup(db, /^\d+$/.test(id) ? (findings[0]?.groupId ?? id) : id)
          .map((a) => getAdvisory(db, a.source, a.id))
          .filter((a): a is NonNullable<typeof a> => a !== undefined);
        if (findings.length === 0 && advisories.length === 0) {
          throw usageError(`nothing known as ${JSON.stringify(id)}`, 'give a finding number from `icms report --format json` or an advisory id/alias synced by `icms sync-vulns`');
        }
        if (flags.format === 'json') {
          writeJson(s.ctx, { schema_version: FINDINGS_SCHEMA_VERSION, findings: findings.map((f) => findingJson(f)), advisories: advisories.map(advisoryJson) });
          return;
        }
        s.ctx.stdout.write(renderExplain(findings, advisories));
      } finally {
        db.close();
      }
    });
}

function advisoryJson(a: Advisory) {
  return { id: a.id, source: a.source, aliases: a.aliases, summary: a.summary, severity: a.severity, base_score: a.baseScore, cvss: a.cvss, withdrawn: a.withdrawn ?? null, modified: a.modified, affected: a.affected.map((e) => ({ ecosystem: e.ecosystem, name: e.name, ranges: e.ranges, versions: e.versions, last_known_affected_version_range: e.lastKnownAffectedRange })) };
}

interface Why {
  id: string;
  source: string;
  fixed?: string;
  reason?: { kind?: string; rangeType?: string; events?: Record<string, string>[]; scheme?: string; via?: string; note?: string };
}

function renderExplain(findings: FindingRow[], advisories: Advisory[]): string {
  const out: string[] = [];
  for (const a of advisories) {
    out.push(`${a.id} (${a.source})${a.withdrawn ? ' WITHDRAWN: never matches' : ''}`);
    out.push(`  ${stripControl(a.summary ?? '(no summary)')}`);
    out.push(`  severity ${a.severity}${a.baseScore !== undefined ? ` (CVSS ${a.baseScore})` : ''}; aliases: ${a.aliases.join(', ') || 'none'}`);
    for (const e of a.affected.slice(0, 20)) {
      const ranges = e.ranges.map((r) => `${r.type} ${r.events.map((ev) => Object.entries(ev).map(([k, v]) => `${k} ${v}`).join('')).join(', ')}`).join(' | ');
      out.push(`  affects ${e.ecosystem} ${e.name}: ${ranges || '(no ranges)'}${e.versions.length ? `; versions ${e.versions.length}` : ''}${e.lastKnownAffectedRange ? `; last known affected ${e.lastKnownAffectedRange}` : ''}`);
    }
    if (a.affected.length > 20) out.push(`  ... and ${a.affected.length - 20} more affected packages`);
  }
  for (const f of findings) {
    out.push('', `finding #${f.id}: ${f.project} ${f.ecosystem} ${f.package} ${f.version} — ${f.groupId} ${f.severity} (${f.status})`);
    out.push(`  found in: ${f.targets.join(', ')}; first seen ${f.firstSeen.slice(0, 10)}${f.fixedVersion ? `; upgrade to ${f.fixedVersion}` : '; no fixed version known'}`);
    for (const w of f.reason as Why[]) {
      const r = w.reason ?? {};
      const why =
        r.kind === 'range'
          ? `${r.rangeType} range [${(r.events ?? []).map((ev) => Object.entries(ev).map(([k, v]) => `${k} ${v}`).join('')).join(', ')}] ordered by ${r.scheme}${r.via ? ` (closed by ${r.via})` : ''}`
          : r.kind === 'versions'
            ? `version listed explicitly in the advisory (${r.scheme})`
            : (r.note ?? 'exact match');
      out.push(`  because ${w.id} (${w.source}): ${why}${w.fixed ? `; fixed in ${w.fixed}` : ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}
