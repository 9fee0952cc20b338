/**
 * The security-team alert: findings new in the latest match run at or above a severity, every new or newly
 * KEV-listed finding whatever its severity, and how many new findings no source rates; with their owners. Pure.
 */
import { createHash } from 'node:crypto';
import type { NotifyFinding } from '../db/notifications.js';
import { severityRank, type Maintainer, type Severity } from '../model/types.js';
import { ageDays, bySeverityThenAge, effectiveSeverity, type DigestRow } from './digest.js';
import { escapeHtml as e, headerSafe } from './escape.js';
import type { RenderedMessage } from './render-digest.js';
import { rowsTable, rowText } from './rows.js';

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
  /** New active findings no source rates (severity UNKNOWN), listed or not. */
  unrated: number;
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
  const fresh = input.findings.filter((f) => ACTIVE.has(f.status) && input.newIds.has(f.id));
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
  };
}

/** Renders the alert (no template: a short, fixed layout). */
export function renderAlert(a: Alert, opts: { links: Readonly<Record<string, string>>; minSeverity: Severity; unknownAs?: Severity }): RenderedMessage {
  const critical = a.rows.filter((f) => effectiveSeverity(f) === 'CRITICAL').length;
  const projects = new Set(a.rows.map((f) => f.projectId)).size;
  const notes = [a.kev ? `${a.kev} known exploited` : '', critical ? `${critical} critical` : '', a.unrated ? `${a.unrated} unrated` : ''].filter(Boolean);
  const subject = headerSafe(
    `[icms] alert: ${a.rows.length} new finding${a.rows.length === 1 ? '' : 's'} at or above ${opts.minSeverity.toLowerCase()} in ${projects} project${projects === 1 ? '' : 's'}${notes.length ? ` (${notes.join(', ')})` : ''}`,
  );
  const ctx = { links: opts.links };
  const unknownAs = (opts.unknownAs ?? 'UNKNOWN').toLowerCase();
  const intro = [
    `Match run ${a.runId} found ${a.rows.length} new finding(s) at or above ${opts.minSeverity.toLowerCase()} across the portfolio${a.kev ? `, ${a.kev} of them in CISA's Known Exploited Vulnerabilities catalog (listed whatever their severity; first below)` : ''}.`,
    a.unrated ? ` ${a.unrated} new finding(s) carry no rating from any source (severity UNKNOWN${unknownAs === 'unknown' ? ', below low' : `, counted as ${unknownAs}`}): check them by hand.` : '',
  ].join('');
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${e(subject)}</title>
<style>body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}.muted{color:#59636e;font-size:12px}</style>
</head><body>
<p>${e(intro)}</p>
${rowsTable(a.rows, ['severity', 'exploited', 'project', 'package', 'installed', 'fixed_in', 'advisory', 'aliases', 'owners'], ctx)}
<p class="muted">Sent by icms once per match run.</p>
</body></html>
`;
  const text = `${intro}\n\n${a.rows.map((f) => rowText(f, ctx, `owners: ${f.owners}`)).join('\n')}\n\nSent by icms once per match run.\n`;
  return { subject, html, text };
}
