/** Finding rows as HTML table rows and plain-text lines, shared by digests and alerts. Every value is escaped. */
import type { NotifyFinding } from '../db/notify-findings.js';
import { escapeHtml as e, textSafe as t } from './escape.js';
import { advisoryUrl } from './links.js';
import { effectiveSeverity, otherRating } from './severity.js';
import { projectLabel } from './wording.js';

/** What a row renderer needs beyond the finding. */
export interface RowContext {
  links: Readonly<Record<string, string>>;
}

/** Columns a section shows. */
export type Column = 'project' | 'package' | 'installed' | 'fixed_in' | 'advisory' | 'aliases' | 'severity' | 'exploited' | 'age' | 'reason' | 'expires' | 'fixed_at' | 'owners' | 'why';

type Row = NotifyFinding & { ageDays?: number; owners?: string };

const HEAD: Record<Column, string> = {
  project: 'Project', package: 'Package', installed: 'Installed', fixed_in: 'Fixed in', advisory: 'Advisory', aliases: 'Aliases',
  severity: 'Severity', exploited: 'Exploited', age: 'Age', reason: 'Reason', expires: 'Expires', fixed_at: 'Fixed', owners: 'Owners', why: 'Why it matched',
};

function link(id: string, f: Row, ctx: RowContext): string {
  const sources = f.advisories.filter((a) => a.id === id).map((a) => a.source);
  return `<a href="${e(advisoryUrl(id, sources, ctx.links))}">${e(id)}</a>`;
}

/** The severity on the configured basis, the other rating beside it when they differ. */
export function severityHtml(f: Row): string {
  const shown = effectiveSeverity(f);
  const other = otherRating(f);
  return `<span class="sev-${e(shown)}">${e(shown)}</span>${other ? ` <span class="muted">(${e(other)})</span>` : ''}`;
}

/** The same as text: `HIGH (base CRITICAL)`. */
export function severityText(f: Row): string {
  const other = otherRating(f);
  return `${effectiveSeverity(f)}${other ? ` (${other})` : ''}`;
}

/** Why it matched (the first sentence `icms explain` prints) and what clears it. */
export function whyText(f: Row): string {
  const fix = f.fixedVersion ? `upgrade ${f.package} to ${f.fixedVersion}` : 'no fix yet';
  return f.reason ? `${f.reason.replace(/; fixed in [^;]*$/, '')}; ${fix}` : fix;
}

/** KEV listing (with its due date) and EPSS score, the exploitation signals of a row. */
function exploitedHtml(f: Row): string {
  const kev = f.kev ? `<strong>KEV</strong> <span class="muted">since ${e(f.kev.date_added ?? '?')}${f.kev.ransomware ? ', ransomware' : ''}</span>` : '';
  const epss = f.epss ? `<span class="muted">EPSS ${e((f.epss.score * 100).toFixed(1))}%</span>` : '';
  return [kev, epss].filter(Boolean).join('<br>');
}

/** The same as text: `KEV since 2021-12-10, EPSS 94.4%`. */
export function exploitedText(f: Pick<Row, 'kev' | 'epss'>): string {
  return [f.kev ? `KEV since ${f.kev.date_added ?? '?'}${f.kev.ransomware ? ' (ransomware)' : ''}` : '', f.epss ? `EPSS ${(f.epss.score * 100).toFixed(1)}%` : ''].filter(Boolean).join(', ');
}

function cellHtml(c: Column, f: Row, ctx: RowContext): string {
  switch (c) {
    case 'project': return e(projectLabel(f.project, f.branch));
    case 'package': return `${e(f.package)} <span class="muted">${e(f.ecosystem)}</span>`;
    case 'installed': return e(f.version);
    case 'fixed_in': return f.fixedVersion ? e(f.fixedVersion) : '<span class="muted">no fix yet</span>';
    case 'advisory': return `${link(f.groupId, f, ctx)}${f.title ? `<br><span class="muted">${e(f.title)}</span>` : ''}`;
    case 'aliases': return f.aliases.filter((a) => a !== f.groupId).map((a) => link(a, f, ctx)).join(', ');
    case 'severity': return severityHtml(f);
    case 'exploited': return exploitedHtml(f);
    case 'age': return `${f.ageDays ?? 0} d`;
    case 'reason': return e(f.acceptanceReason ?? f.statusNote ?? '');
    case 'expires': return e(f.acceptanceExpires ?? 'never');
    case 'fixed_at': return e((f.fixedAt ?? '').slice(0, 10));
    case 'owners': return e(f.owners ?? '');
    case 'why': return e(whyText(f));
  }
}

/** Columns whose long unbroken values (Go pseudo-versions, module paths, addresses) may wrap anywhere, not widen the table. */
const WRAP: ReadonlySet<Column> = new Set(['project', 'package', 'installed', 'fixed_in', 'owners']);

/** An HTML table of `rows` with `columns`; empty string when there are no rows. */
export function rowsTable(rows: readonly Row[], columns: readonly Column[], ctx: RowContext): string {
  if (rows.length === 0) return '';
  const head = columns.map((c) => `<th>${HEAD[c]}</th>`).join('');
  const body = rows.map((f) => `<tr>${columns.map((c) => `<td${WRAP.has(c) ? ' class="wrap"' : ''}>${cellHtml(c, f, ctx)}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** One finding as a plain-text line (and a second line for title and link). */
export function rowText(f: Row, ctx: RowContext, extra = ''): string {
  const sev = `${severityText(f)}${f.kev ? ', KEV' : ''}`;
  const age = f.ageDays !== undefined ? `, ${f.ageDays} d` : '';
  const fix = f.fixedVersion ? `fix ${f.fixedVersion}` : 'no fix yet';
  const aliases = f.aliases.filter((a) => a !== f.groupId);
  const lines = [
    `- [${sev}] ${t(projectLabel(f.project, f.branch))}: ${t(f.package)} ${t(f.version)} -> ${t(fix)}, ${t(f.groupId)}${aliases.length ? ` (${t(aliases.join(', '))})` : ''}${age}${extra ? `, ${t(extra)}` : ''}`,
    `  ${f.title ? `${t(f.title)} ` : ''}${advisoryUrl(f.groupId, f.advisories.filter((a) => a.id === f.groupId).map((a) => a.source), ctx.links)}`,
  ];
  return lines.join('\n');
}
