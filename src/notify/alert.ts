/**
 * The security-team alert: findings new in the latest match run at or above a severity, every new or newly
 * KEV-listed finding whatever its severity, and how many new findings no source rates; with their owners, why each
 * matched and its fix. Informational notices (RUSTSEC unmaintained, unsound) are counted apart, never listed. The
 * most urgent `maxRows` are listed, the rest counted: read one finding at a time, the alert of a portfolio's first
 * match (every finding new) holds no more than that. Pure.
 */
import { createHash } from 'node:crypto';
import type { NotifyFinding } from '../db/notify-findings.js';
import { severityRank, type Maintainer, type Severity } from '../model/types.js';
import { ageDays, effectiveSeverity, type DigestRow } from './digest.js';
import { byPriority } from './todo.js';
import { escapeHtml as e, headerSafe, textSafe } from './escape.js';
import type { RenderedMessage } from './render-digest.js';
import { rowsTable, rowText, whyText } from './rows.js';
import { plural } from './wording.js';

/** What the security team is told about one match run. */
export interface Alert {
  runId: number;
  /** The ledger period: one alert per match run. */
  period: string;
  /** The listed findings, most urgent first (at most `maxRows`). */
  rows: (DigestRow & { owners: string })[];
  /** Every finding the alert covers, listed or counted (the ledger's record). */
  findingIds: number[];
  /** Of them, how many are not listed (beyond `maxRows`). */
  more: number;
  /** Of them, how many are CRITICAL on the configured basis. */
  critical: number;
  /** In how many projects. */
  projects: number;
  contentHash: string;
  /** Of them, those CISA lists as exploited. */
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
  /** The findings to consider, read one at a time (only the listed ones are kept). */
  findings: Iterable<NotifyFinding>;
  runId: number | undefined;
  newIds: ReadonlySet<number>;
  minSeverity: Severity;
  /** How an unrated finding counts against minSeverity (`triage.unknown_severity`). */
  unknownAs?: Severity;
  owners: ReadonlyMap<number, readonly Maintainer[]>;
  now: Date;
  /** `notify.alert_max_items`: findings listed (default 100); the rest is counted. */
  maxRows?: number | undefined;
}): Alert | undefined {
  if (input.runId === undefined) return undefined;
  const maxRows = Math.max(1, input.maxRows ?? DEFAULT_MAX_ROWS);
  const rank = (f: NotifyFinding): number => severityRank(effectiveSeverity(f) === 'UNKNOWN' ? (input.unknownAs ?? 'UNKNOWN') : effectiveSeverity(f));
  const top = new TopRows(maxRows);
  const findingIds: number[] = [];
  const keys: string[] = [];
  const projects = new Set<number>();
  let kev = 0;
  let critical = 0;
  let unrated = 0;
  let notices = 0;
  for (const f of input.findings) {
    if (!ACTIVE.has(f.status) || !input.newIds.has(f.id)) continue;
    if (f.informational) {
      notices++;
      continue;
    }
    if (f.severity === 'UNKNOWN') unrated++;
    // a KEV-listed finding is alerted whatever its severity
    if (!f.kev && rank(f) < severityRank(input.minSeverity)) continue;
    findingIds.push(f.id);
    keys.push(`${f.id}:${f.status}${f.kev ? ':kev' : ''}`);
    projects.add(f.projectId);
    if (f.kev) kev++;
    if (effectiveSeverity(f) === 'CRITICAL') critical++;
    top.add({ ...f, ageDays: ageDays(f.firstSeen, input.now) });
  }
  if (findingIds.length === 0) return undefined;
  const rows = top.sorted().map((f) => ({ ...f, owners: (input.owners.get(f.projectId) ?? []).map((m) => `${m.name} <${m.email}>`).join(', ') || 'no maintainer' }));
  return {
    runId: input.runId,
    period: `match-run-${input.runId}`,
    rows,
    findingIds: findingIds.sort((a, b) => a - b),
    more: findingIds.length - rows.length,
    critical,
    projects: projects.size,
    contentHash: createHash('sha256').update(keys.sort().join('\n')).digest('hex'),
    kev,
    unrated,
    notices,
  };
}

/** `notify.alert_max_items` when not configured. */
export const DEFAULT_MAX_ROWS = 100;

/** The `max` most urgent rows seen so far: kept up to twice that, cut back to `max` when full (sorting n log max in all). */
class TopRows {
  private rows: DigestRow[] = [];
  constructor(private readonly max: number) {}

  add(row: DigestRow): void {
    this.rows.push(row);
    if (this.rows.length >= 2 * this.max) this.rows = this.sorted();
  }

  /** The kept rows, most urgent first, at most `max`. */
  sorted(): DigestRow[] {
    return this.rows.sort(byPriority).slice(0, this.max);
  }
}

/** Renders the alert (no template: a short, fixed layout), findings in priority order, each with why it matched and its fix; the unlisted ones counted. */
export function renderAlert(a: Alert, opts: { links: Readonly<Record<string, string>>; minSeverity: Severity; unknownAs?: Severity; dashboardUrl?: string | undefined }): RenderedMessage {
  const { critical, projects } = a;
  const total = a.findingIds.length;
  const notes = [a.kev ? `${a.kev} known exploited` : '', critical ? `${critical} CRITICAL` : '', a.unrated ? `${a.unrated} UNKNOWN` : ''].filter(Boolean);
  const subject = headerSafe(
    `[icms] alert: ${plural(total, 'new finding')} at or above ${opts.minSeverity} in ${plural(projects, 'project')}${notes.length ? ` (${notes.join(', ')})` : ''}`,
  );
  const ctx = { links: opts.links };
  const unknownAs = opts.unknownAs ?? 'UNKNOWN';
  const intro = [
    `Match run ${a.runId} found ${plural(total, 'new finding')} at or above ${opts.minSeverity} across the portfolio${a.kev ? `, ${a.kev} of them in CISA's Known Exploited Vulnerabilities catalog (listed whatever their severity; first below)` : ''}; most urgent first (KEV, then severity, then EPSS).`,
    a.unrated ? ` ${plural(a.unrated, 'new finding carries', 'new findings carry')} no rating from any source (UNKNOWN${unknownAs === 'UNKNOWN' ? ', below LOW' : `, counted as ${unknownAs}`}): check ${a.unrated === 1 ? 'it' : 'them'} by hand.` : '',
    a.notices ? ` ${plural(a.notices, 'new informational notice')} (RUSTSEC unmaintained, unsound or notice) ${a.notices === 1 ? 'is' : 'are'} not listed: not vulnerabilities.` : '',
  ].join('');
  const more = a.more
    ? `And ${plural(a.more, 'more new finding')} at or above ${opts.minSeverity}, not listed here (those above are the most urgent): ${opts.dashboardUrl ? `see ${opts.dashboardUrl}` : 'see the dashboard'} or run \`icms report --status new\`.`
    : '';
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${e(subject)}</title>
<style>body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}table{border-collapse:collapse;font-size:13px;width:100%}th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}td.wrap{overflow-wrap:anywhere;word-break:break-word}.muted{color:#59636e;font-size:12px}</style>
</head><body>
<p>${e(intro)}</p>
${rowsTable(a.rows, ['severity', 'exploited', 'project', 'package', 'installed', 'fixed_in', 'advisory', 'why', 'owners'], ctx)}
${more ? `<p>${e(more)}</p>\n` : ''}<p class="muted">Sent by icms once per match run.</p>
</body></html>
`;
  const text = `${intro}\n\n${a.rows.map((f) => `${rowText(f, ctx, `owners: ${f.owners}`)}\n  ${textSafe(whyText(f))}`).join('\n')}\n${more ? `\n${textSafe(more)}\n` : ''}\nSent by icms once per match run.\n`;
  return { subject, html, text };
}
