/** `icms explain <finding-id|advisory-id>`: why a finding matched, or what an advisory affects in the portfolio. */
import type { Command } from 'commander';
import { openDb } from '../../db/open.js';
import { advisoriesInGroup, getAdvisory, groupOf } from '../../db/advisories.js';
import { listFindings, type FindingRow } from '../../db/findings.js';
import { RANGE_START_EXCLUDING, type Advisory } from '../../model/types.js';
import { usageError } from '../../shared/errors.js';
import type { App } from '../main.js';
import { formatOption, stripControl, writeJson } from '../output.js';
import { openSession } from '../session.js';
import { collect, findingJson, selectProjects } from '../findings-view.js';
import { groupFactsLookup } from '../../db/ratings.js';
import { explainRating, type RatingExplanation } from '../../matcher/rating.js';
import { FINDINGS_SCHEMA_VERSION } from '../../report/finding-json.js';
import { reasonClause, type StoredReason } from '../../model/match-reason.js';

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
        const facts = groupFactsLookup(db);
        const order = s.config.advisories.severityOrder;
        const ratingsOf = (f: FindingRow): RatingExplanation => explainRating(facts(f.groupId).ratings, new Set((f.reason as Why[]).map((w) => `${w.source}\0${w.id}`)), order);
        if (flags.format === 'json') {
          writeJson(s.ctx, { schema_version: FINDINGS_SCHEMA_VERSION, findings: findings.map((f) => ({ ...findingJson(f), rating: ratingJson(ratingsOf(f)) })), advisories: advisories.map(advisoryJson) });
          return;
        }
        s.ctx.stdout.write(renderExplain(findings, advisories, ratingsOf));
      } finally {
        db.close();
      }
    });
}

function advisoryJson(a: Advisory) {
  return { id: a.id, source: a.source, aliases: a.aliases, summary: a.summary, severity: a.severity, base_score: a.baseScore, cvss: a.cvss, withdrawn: a.withdrawn ?? null, modified: a.modified, affected: a.affected.map((e) => ({ ecosystem: e.ecosystem, name: e.name, ranges: e.ranges, versions: e.versions, last_known_affected_version_range: e.lastKnownAffectedRange, database_specific: e.databaseSpecific ?? null })) };
}

type Why = StoredReason;

/** The rating part of a finding in `explain --format json`: every rating of the group, which won and why. */
function ratingJson(x: RatingExplanation) {
  return {
    severity_order: x.order,
    ratings: x.ratings.map((r) => ({
      record: r.rating.record, source: r.rating.source, source_type: r.rating.sourceKind, scorer: r.rating.scorer ?? null, nvd_type: r.rating.nvdType ?? null,
      severity: r.rating.severity, cvss_score: r.rating.score ?? null, cvss_vector: r.rating.vector ?? null, own: r.own, counts_as: r.kinds, won: r.won, gave_score: r.scored,
    })),
    why: x.steps,
  };
}

/** The ratings block of one finding: every rating, the winner marked, then the steps of the order. */
function renderRatings(f: FindingRow, x: RatingExplanation): string[] {
  const out = [`  ratings (advisories.severity_order: ${x.order.join(' > ')}):`];
  for (const r of x.ratings) {
    const score = r.rating.score !== undefined ? ` ${r.rating.score}` : '';
    out.push(`    ${r.won ? '*' : ' '} ${stripControl(r.label)}: ${r.rating.severity}${score}${r.rating.vector ? ` ${stripControl(r.rating.vector)}` : ''}${r.own ? ' [matching advisory]' : ''}`);
  }
  if (x.ratings.length === 0) out.push('    (no record of the group rates anything)');
  for (const step of x.steps) out.push(`    - ${stripControl(step)}`);
  const signals = [f.kev ? `in CISA KEV since ${f.kev.date_added ?? '?'} (${f.kev.cve}; due ${f.kev.due_date ?? '?'}${f.kev.ransomware ? '; used by ransomware' : ''})` : 'not in CISA KEV', f.epss ? `EPSS ${f.epss.score} (percentile ${f.epss.percentile}, ${f.epss.date ?? '?'})` : 'no EPSS score'];
  out.push(`  exploitation: ${signals.join('; ')}`);
  return out;
}

/** An exclusive lower bound (CVE Manager versionStartExcluding) is stored as introduced S: say that S is left out. */
function excludedStart(r: Advisory['affected'][number]['ranges'][number]): string {
  const s = r.database_specific?.[RANGE_START_EXCLUDING];
  return typeof s === 'string' ? ` (${s} itself excluded)` : '';
}

/** What a CVE Manager record says about itself (kept in its affected entries' database_specific): credibility, status, CWE, rating. */
function sourceFacts(a: Advisory | undefined): string | undefined {
  const d = a?.affected.map((e) => e.databaseSpecific).find((x): x is Record<string, unknown> => typeof x === 'object' && x !== null && 'credibility' in x);
  if (!d) return undefined;
  const parts: string[] = [];
  if (typeof d.credibility === 'number') parts.push(`credibility ${d.credibility}${typeof d.credibility_meaning === 'string' ? ` (${d.credibility_meaning})` : ''}${d.low_credibility ? ' LOW CREDIBILITY' : ''}`);
  if (typeof d.vul_status === 'string') parts.push(`status ${d.vul_status}`);
  if (Array.isArray(d.cwe_ids) && d.cwe_ids.length) parts.push(d.cwe_ids.join(', '));
  if (typeof d.severity_source === 'string') parts.push(`rated from ${d.severity_source}`);
  return parts.length ? stripControl(`CVE Manager: ${parts.join('; ')}`) : undefined;
}

function renderExplain(findings: FindingRow[], advisories: Advisory[], ratingsOf: (f: FindingRow) => RatingExplanation): string {
  const out: string[] = [];
  for (const a of advisories) {
    out.push(`${a.id} (${a.source})${a.withdrawn ? ' WITHDRAWN: never matches' : ''}`);
    out.push(`  ${a.summary ?? '(no summary)'}`);
    out.push(`  severity ${a.severity}${a.baseScore !== undefined ? ` (CVSS ${a.baseScore})` : ''}; aliases: ${a.aliases.join(', ') || 'none'}`);
    const facts = sourceFacts(a);
    if (facts) out.push(`  ${facts}`);
    for (const e of a.affected.slice(0, 20)) {
      const ranges = e.ranges.map((r) => `${r.type} ${r.events.map((ev) => Object.entries(ev).map(([k, v]) => `${k} ${v}`).join('')).join(', ')}${excludedStart(r)}`).join(' | ');
      out.push(`  affects ${e.ecosystem} ${e.name}: ${ranges || '(no ranges)'}${e.versions.length ? `; versions ${e.versions.length}` : ''}${e.lastKnownAffectedRange ? `; last known affected ${e.lastKnownAffectedRange}` : ''}`);
    }
    if (a.affected.length > 20) out.push(`  ... and ${a.affected.length - 20} more affected packages`);
  }
  for (const f of findings) {
    out.push('', `finding #${f.id}: ${f.project} ${f.ecosystem} ${f.package} ${f.version} — ${f.groupId} ${f.severity} (${f.status})`);
    out.push(`  found in: ${f.targets.join(', ')}; first seen ${f.firstSeen.slice(0, 10)}${f.fixedVersion ? `; upgrade to ${f.fixedVersion}` : '; no fixed version known'}`);
    for (const w of f.reason as Why[]) {
      const facts = sourceFacts(advisories.find((a) => a.id === w.id && a.source === w.source));
      out.push(stripControl(`  because ${w.id} (${w.source}): ${reasonClause(w)}${facts ? `; ${facts}` : ''}`));
    }
    out.push(...renderRatings(f, ratingsOf(f)));
  }
  // every field is stored text from advisories and scans: no escape, BEL or CR reaches the terminal, and a line
  // break inside a field does not start a line of its own
  return `${out.map((line) => stripControl(line.replace(/[\r\n]+/g, ' '))).join('\n')}\n`;
}
