/**
 * The security-team alert: findings new in the latest match run at or above a severity, every new or newly
 * KEV-listed finding whatever its severity, and how many new findings no source rates; with their owners, why each
 * matched and its fix. Informational notices (RUSTSEC unmaintained, unsound) are counted apart, never listed. Pure.
 */
import { createHash } from 'node:crypto';
import type { NotifyFinding } from '../db/notifications.js';
import { severityRank, type Maintainer, type Severity } from '../model/types.js';
import { ageDays, bySeverityThenAge, effectiveSeverity, type DigestRow } from './digest.js';
import { escapeHtml as e, headerSafe, textSafe } from './escape.js';
import type { RenderedMessage } from './render-digest.js';
import { rowsTable, rowText, whyText } from './rows.js';
import { plural } from './wording.js';

/** What the security team is told about one match run. */
export interface Alert {
  runId: number;
  /** The ledger period: one alert per match run. */
  period: string;
  rows: (DigestRow & { owners: string })[];
  findingIds: number[];
  contentHash: string;
  /** Of the rows, those CISA lists as exploited. */
  kev: number;
  /** New active findings no source rates (severity UNKNOWN), listed or not; notices not counted. */
  unrated: number;
  /** New informational notices (RUSTSEC unmaintained, unsound, notice): not vulnerabilities, never listed. */
  notices: number;
}

const ACTIVE = new Set(['new', 'open', 'reopened']);

/**
 * The alert up to match run `runId`: findings made `new` or `reopened` by the match runs since the last
 * alert (`newIds`), still active, at or above `minSeverity` (environmental severity when set).
 * Undefined when there is nothing to say.
 */
export function buildAlert(input: {
  findings: readonly NotifyFinding[];
  runId: number | undefined;
  newIds: ReadonlySet<number>;
  minSeverity: Severity;
  /** How an unrated finding counts against minSeverity (`triage.unknown_severity`). */
  unknownAs?: Severity;
  owners: ReadonlyMap<number, readonly Maintainer[]>;
  now: Date;
}): Alert | undefined {
  if (input.runId === undefined) return undefined;
  const active = input.findings.filter((f) => ACTIVE.has(f.status) && input.newIds.has(f.id));
  const fresh = active.filter((f) => !f.informational);
  const unrated = fresh.filter((f) => f.severity === 'UNKNOWN').length;
  const rank = (f: NotifyFinding): number => severityRank(effectiveSeverity(f) === 'UNKNOWN' ? (input.unknownAs ?? 'UNKNOWN') : effectiveSeverity(f));
  const rows = fresh
    // a KEV-listed finding is alerted whatever its severity
    .filter((f) => f.kev || rank(f) >= severityRank(input.minSeverity))
    .map((f) => ({
      ...f,
      ageDays: ageDays(f.firstSeen, input.now),
      owners: (input.owners.get(f.projectId) ?? []).map((m) => `${m.name} <${m.email}>`).join(', ') || 'no maintainer',
    }))
    .sort(bySeverityThenAge);
  if (rows.length === 0) return undefined;
  const findingIds = rows.map((f) => f.id).sort((a, b) => a - b);
  return {
    runId: input.runId,
    period: `match-run-${input.runId}`,
    rows,
    findingIds,
    contentHash: createHash('sha256').update(rows.map((f) => `${f.id}:${f.status}${f.kev ? ':kev' : ''}`).sort().join('\n')).digest('hex'),
    kev: rows.filter((f) => f.kev).length,
    unrated,
    notices: active.length - fresh.length,
  };
}

/** Renders the alert (no template: a short, fixed layout), findings in priority order, each with why it matched and its fix. */
export function renderAlert(a: Alert, opts: { links: Readonly<Record<string, string>>; minSeverity: Severity; unknownAs?: Severity }): RenderedMessage {
  const critical = a.rows.filter((f) => effectiveSeverity(f) === 'CRITICAL').length;
  const projects = new Set(a.rows.map((f) => f.projectId)).size;
  const notes = [a.kev ? `${a.kev} known exploited` : '', critical ? `${critical} CRITICAL` : '', a.unrated ? `${a.unrated} UNKNOWN` : ''].filter(Boolean);
  const subject = headerSafe(
    `[icms] alert: ${plural(a.rows.length, 'new finding')} at or above ${opts.minSeverity} in ${plural(projects, 'project')}${notes.length ? ` (${notes.join(', ')})` : ''}`,
  );
  const ctx = { links: opts.links };
  const unknownAs = opts.unknownAs ?? 'UNKNOWN';
  const intro = [
    `Match run ${a.runId} found ${plural(a.rows.length, 'new finding')} at or above ${opts.minSeverity} across the portfolio${a.kev ? `, ${a.kev} of them in CISA's Known Exploited Vulnerabilities catalog (listed whatever their severity; first below)` : ''}; most urgent first (KEV, then severity, then EPSS).`,
    a.unrated ? ` ${plural(a.unrated, 'new finding carries', 'new findings carry')} no rating from any source (UNKNOWN${unknownAs === 'UNKNOWN' ? ', below LOW' : `, counted as ${unknownAs}`}): check ${a.unrated === 1 ? 'it' : 'them'} by hand.` : '',
    a.notices ? ` ${plural(a.notices, 'new informational notice')} (RUSTSEC unmaintained, unsound or notice) ${a.notices === 1 ? 'is' : 'are'} not listed: not vulnerabilities.` : '',
  ].join('');
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${e(subject)}</title>
<style>body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}.muted{color:#59636e;font-size:12px}</style>
</head><body>
<p>${e(intro)}</p>
${rowsTable(a.rows, ['severity', 'exploited', 'project', 'package', 'installed', 'fixed_in', 'advisory', 'why', 'owners'], ctx)}
<p class="muted">Sent by icms once per match run.</p>
</body></html>
`;
  const text = `${intro}\n\n${a.rows.map((f) => `${rowText(f, ctx, `owners: ${f.owners}`)}\n  ${textSafe(whyText(f))}`).join('\n')}\n\nSent by icms once per match run.\n`;
  return { subject, html, text };
}
