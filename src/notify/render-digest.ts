/** Renders a digest into a message: subject, HTML (through the template) and the plain-text alternative. */
import type { Digest, DigestRow } from './digest.js';
import { digestSubject } from './digest.js';
import { escapeHtml as e, headerSafe, textSafe as t } from './escape.js';
import { noticesHtml, noticesText, summaryHtml, summaryText, todoHtml, todoText, type TodoOptions } from './render-todo.js';
import { rowsTable, rowText, type Column } from './rows.js';
import { maintainerViewUrl } from './wording.js';
import { compileTemplate, type CompiledTemplate } from './template.js';
import { DEFAULT_DIGEST_TEMPLATE, DIGEST_SCOPE } from './templates/digest-html.js';

/** `notify.digest_max_items` when not configured. */
export const DEFAULT_MAX_ITEMS = 25;

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

const EXPIRED_COLUMNS: Column[] = ['project', 'package', 'installed', 'fixed_in', 'advisory', 'severity', 'reason', 'expires'];
const ACCEPTED_COLUMNS: Column[] = ['project', 'package', 'installed', 'advisory', 'severity', 'reason', 'expires'];
const FIXED_COLUMNS: Column[] = ['project', 'package', 'installed', 'advisory', 'severity', 'fixed_at'];

/** How a digest is rendered. */
export interface DigestRenderOptions {
  template: CompiledTemplate;
  links: Readonly<Record<string, string>>;
  /** The day (YYYY-MM-DD). */
  date: string;
  /** `notify.digest_max_items` (default 25). */
  maxItems?: number | undefined;
  /** `notify.dashboard_url`: where the team publishes `icms report --format html`. */
  dashboardUrl?: string | undefined;
}

/** Renders `d`: summary, the to-do list (capped), acceptance expired, notices, fixed, accepted; HTML and the same as text. */
export function renderDigest(d: Digest, opts: DigestRenderOptions): RenderedMessage {
  const o: TodoOptions = { links: opts.links, maxItems: opts.maxItems ?? DEFAULT_MAX_ITEMS, viewUrl: maintainerViewUrl(opts.dashboardUrl, d.recipient.email) };
  const subject = headerSafe(digestSubject(d));
  const s = d.sections;
  const section = (title: string, rows: readonly DigestRow[], columns: Column[]): string =>
    rows.length === 0 ? '' : `<h2>${e(title)} (${rows.length})</h2>\n${rowsTable(rows, columns, o)}`;
  const todo = todoHtml(d, o);
  const blocks = {
    summary: summaryHtml(d, o),
    todo,
    // `upgrades` was the upgrade table: the to-do list is that table now; old templates keep showing it
    upgrades: todo,
    // the findings of the old per-finding sections are folded under the to-do items
    new_section: '',
    open_section: '',
    expired_section: section('Acceptance expired', s.expired, EXPIRED_COLUMNS),
    notices: noticesHtml(d, o),
    fixed_section: section('Fixed since your last email', s.fixed, FIXED_COLUMNS),
    accepted_section:
      s.accepted.length === 0 ? '' : `<details>\n<summary><strong>Accepted (${s.accepted.length})</strong></summary>\n${rowsTable(s.accepted, ACCEPTED_COLUMNS, o)}\n</details>`,
  };
  const values = {
    name: d.recipient.name,
    email: d.recipient.email,
    date: opts.date,
    subject,
    projects: d.projects.join(', '),
    new_count: d.summary.new,
    open_count: d.summary.open,
    critical_count: d.counts.CRITICAL,
    unknown_count: d.counts.UNKNOWN,
    fixed_count: d.summary.fixed,
    accepted_count: s.accepted.length,
    expired_count: s.expired.length,
    package_count: d.items.length,
    notice_count: d.notices.length,
    oldest_days: d.summary.oldestDays,
    dashboard_url: o.viewUrl ?? '',
  };
  return { subject, html: opts.template.render(values, blocks), text: digestText(d, o, opts.date) };
}

function digestText(d: Digest, o: TodoOptions, date: string): string {
  const s = d.sections;
  const out: string[] = [`Hello ${t(d.recipient.name)},`, '', `this is the icms digest of ${date} for the projects you maintain: ${t(d.projects.join(', '))}.`, ''];
  out.push(...summaryText(d, o), ...todoText(d, o));
  const section = (title: string, rows: readonly DigestRow[], extra: (f: DigestRow) => string = () => ''): void => {
    if (rows.length === 0) return;
    out.push(`${title} (${rows.length})`, ...rows.map((f) => rowText(f, o, extra(f))), '');
  };
  section('Acceptance expired', s.expired, (f) => `accepted until ${f.acceptanceExpires ?? '?'}: ${f.acceptanceReason ?? f.statusNote ?? ''}`);
  out.push(...noticesText(d, o));
  section('Fixed since your last email', s.fixed, (f) => `fixed ${(f.fixedAt ?? '').slice(0, 10)}`);
  section('Accepted', s.accepted, (f) => `${f.status === 'false_positive' ? 'false positive' : 'accepted'}${f.acceptanceExpires ? ` until ${f.acceptanceExpires}` : ''}: ${f.acceptanceReason ?? f.statusNote ?? ''}`);
  out.push(`Sent by icms to ${t(d.recipient.email)}.`);
  return `${out.join('\n')}\n`;
}
