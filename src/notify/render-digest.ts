/** Renders a digest into a message: subject, HTML (through the template) and the plain-text alternative. */
import { SEVERITIES } from '../model/types.js';
import type { Digest, DigestRow } from './digest.js';
import { digestSubject } from './digest.js';
import { escapeHtml as e, headerSafe, textSafe as t } from './escape.js';
import { rowsTable, rowText, type Column, type RowContext } from './rows.js';
import { compileTemplate, type CompiledTemplate } from './template.js';
import { DEFAULT_DIGEST_TEMPLATE, DIGEST_SCOPE } from './templates/digest-html.js';

/** A rendered message body. */
export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
}

/** Compiles the digest template: a custom one (file text and name) or the shipped default. */
export function digestTemplate(custom?: { source: string; file: string }): CompiledTemplate {
  return compileTemplate(custom?.source ?? DEFAULT_DIGEST_TEMPLATE, DIGEST_SCOPE, custom?.file ?? 'default digest template');
}

const OPEN_COLUMNS: Column[] = ['project', 'package', 'installed', 'fixed_in', 'advisory', 'aliases', 'severity', 'age'];
const ACCEPTED_COLUMNS: Column[] = ['project', 'package', 'installed', 'advisory', 'severity', 'reason', 'expires'];
const FIXED_COLUMNS: Column[] = ['project', 'package', 'installed', 'advisory', 'severity', 'fixed_at'];

/** Renders `d` for the day `date` (YYYY-MM-DD). */
export function renderDigest(d: Digest, opts: { template: CompiledTemplate; links: Readonly<Record<string, string>>; date: string }): RenderedMessage {
  const ctx: RowContext = { links: opts.links };
  const subject = headerSafe(digestSubject(d));
  const s = d.sections;
  // the exploitation column only once a KEV or EPSS source gave something to show
  const withSignals = (rows: readonly DigestRow[], columns: Column[]): Column[] =>
    rows.some((f) => f.kev || f.epss) ? columns.flatMap((c) => (c === 'severity' ? ['severity', 'exploited'] as Column[] : [c])) : columns;
  const section = (title: string, rows: readonly DigestRow[], columns: Column[]): string =>
    rows.length === 0 ? '' : `<h2>${e(title)} (${rows.length})</h2>\n${rowsTable(rows, withSignals(rows, columns), ctx)}`;
  const blocks = {
    summary: summaryHtml(d),
    new_section: section('New since your last email', s.new, OPEN_COLUMNS),
    open_section: section('Still open', s.open, OPEN_COLUMNS),
    expired_section: section('Acceptance expired', s.expired, [...OPEN_COLUMNS, 'reason', 'expires']),
    fixed_section: section('Fixed since your last email', s.fixed, FIXED_COLUMNS),
    accepted_section:
      s.accepted.length === 0 ? '' : `<details>\n<summary><strong>Accepted (${s.accepted.length})</strong></summary>\n${rowsTable(s.accepted, ACCEPTED_COLUMNS, ctx)}\n</details>`,
    upgrades: upgradesHtml(d),
  };
  const values = {
    name: d.recipient.name,
    email: d.recipient.email,
    date: opts.date,
    subject,
    projects: d.projects.join(', '),
    new_count: s.new.length,
    open_count: s.new.length + s.open.length + s.expired.length,
    critical_count: d.counts.CRITICAL,
    fixed_count: s.fixed.length,
    accepted_count: s.accepted.length,
    expired_count: s.expired.length,
  };
  return { subject, html: opts.template.render(values, blocks), text: digestText(d, ctx, opts.date) };
}

function summaryHtml(d: Digest): string {
  const levels = SEVERITIES.slice().reverse().filter((sev) => d.counts[sev] > 0);
  if (levels.length === 0) return '<p>Nothing is open in your projects.</p>';
  const cells = levels.map((sev) => `<td class="sev-${sev}">${sev}: ${d.counts[sev]}</td>`).join('');
  return `<table style="width:auto"><tr>${cells}</tr></table>`;
}

function upgradesHtml(d: Digest): string {
  if (d.upgrades.length === 0) return '';
  const rows = d.upgrades
    .map(
      (u) =>
        `<tr><td>${e(u.project)}${u.branch ? ` <span class="muted">@ ${e(u.branch)}</span>` : ''}</td><td>${e(u.package)} <span class="muted">${e(u.ecosystem)}</span></td><td>${e(u.version)}</td><td>${u.upgrade ? e(u.upgrade) : '<span class="muted">no single fix yet</span>'}</td><td>${u.advisories}</td></tr>`,
    )
    .join('\n');
  return `<h2>Upgrades that clear every advisory of a package</h2>\n<table>\n<thead><tr><th>Project</th><th>Package</th><th>Installed</th><th>Upgrade to</th><th>Advisories</th></tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
}

function digestText(d: Digest, ctx: RowContext, date: string): string {
  const s = d.sections;
  const out: string[] = [`Hello ${t(d.recipient.name)},`, '', `this is the icms digest of ${date} for the projects you maintain: ${t(d.projects.join(', '))}.`, ''];
  const levels = SEVERITIES.slice().reverse().filter((sev) => d.counts[sev] > 0);
  out.push(levels.length ? `Open: ${levels.map((sev) => `${d.counts[sev]} ${sev.toLowerCase()}`).join(', ')}` : 'Nothing is open in your projects.', '');
  const section = (title: string, rows: readonly DigestRow[], extra: (f: DigestRow) => string = () => ''): void => {
    if (rows.length === 0) return;
    out.push(`${title} (${rows.length})`, ...rows.map((f) => rowText(f, ctx, extra(f))), '');
  };
  section('New since your last email', s.new);
  section('Acceptance expired', s.expired, (f) => `accepted until ${f.acceptanceExpires ?? '?'}: ${f.acceptanceReason ?? f.statusNote ?? ''}`);
  section('Still open', s.open);
  if (d.upgrades.length) {
    out.push('Upgrades that clear every advisory of a package');
    for (const u of d.upgrades) out.push(`- ${t(u.project)}: ${t(u.package)} ${t(u.version)} -> ${u.upgrade ? t(u.upgrade) : 'no single fix yet'} (${u.advisories} advisories)`);
    out.push('');
  }
  section('Fixed since your last email', s.fixed, (f) => `fixed ${(f.fixedAt ?? '').slice(0, 10)}`);
  section('Accepted', s.accepted, (f) => `${f.status === 'false_positive' ? 'false positive' : 'accepted'}${f.acceptanceExpires ? ` until ${f.acceptanceExpires}` : ''}: ${f.acceptanceReason ?? f.statusNote ?? ''}`);
  out.push(`Sent by icms to ${t(d.recipient.email)}.`);
  return `${out.join('\n')}\n`;
}
