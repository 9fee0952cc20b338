/**
 * The to-do list, the summary and the notices of a digest, as HTML and as plain text (the same content in the
 * same order). Every value from advisories and repositories is escaped.
 */
import type { Digest, DigestRow } from './digest.js';
import { escapeHtml as e, textSafe as t } from './escape.js';
import { advisoryUrl } from './links.js';
import { exploitedText, severityHtml, severityText, type RowContext } from './rows.js';
import { byProject, type TodoItem } from './todo.js';
import { levelCounts, plural, projectLabel } from './wording.js';

/** What the to-do list needs beyond the digest. */
export interface TodoOptions extends RowContext {
  /** `notify.digest_max_items`: packages listed; the rest is summed up with a pointer to the full list. */
  maxItems: number;
  /** The recipient's dashboard view (`notify.dashboard_url#maintainer=…`), when configured. */
  viewUrl: string | undefined;
}

/**
 * `upgrade axios 0.21.0 → 0.21.2 clears 2 advisories (1 HIGH, 1 MEDIUM; 1 exploited)`, or
 * `express 4.0.0 has no single fix yet: 2 advisories (…); upgrading to 4.19.2 clears 1 of them`.
 */
export function itemPhrase(i: TodoItem): { action: string; clears: string } {
  const n = plural(i.findings.length, 'advisory', 'advisories');
  const detail = `(${levelCounts(i.counts)}${i.kev ? `; ${i.kev} exploited` : ''})`;
  if (i.upgrade) return { action: `upgrade ${i.package} ${i.version} → ${i.upgrade}`, clears: `clears ${n} ${detail}` };
  const partial = i.partial ? `; upgrading to ${i.partial.upgrade} clears ${i.partial.clears} of them` : '';
  return { action: `${i.package} ${i.version}`, clears: `has no single fix yet: ${n} ${detail}${partial}` };
}

function itemNotes(i: TodoItem): string[] {
  return [i.ecosystem, i.fresh ? `${i.fresh} new` : '', i.epss !== undefined ? `EPSS up to ${(i.epss * 100).toFixed(1)}%` : ''].filter(Boolean);
}

/** Which advisories of an item to mark `new`: only when the item mixes new and older ones (else its own line says it). */
function newMark(i: TodoItem, fresh: ReadonlySet<number>): (f: DigestRow) => boolean {
  const mixed = i.fresh > 0 && i.fresh < i.findings.length;
  return (f) => mixed && fresh.has(f.id);
}

function findingNotes(f: DigestRow, isNew: boolean): string[] {
  return [f.fixedVersion ? `fixed in ${f.fixedVersion}` : 'no fix yet', isNew ? 'new' : '', f.ageDays > 0 ? `open ${plural(f.ageDays, 'day')}` : ''].filter(Boolean);
}

function sourcesOf(f: DigestRow, id: string): string[] {
  return f.advisories.filter((a) => a.id === id).map((a) => a.source);
}

function url(f: DigestRow, ctx: RowContext): string {
  return advisoryUrl(f.groupId, sourcesOf(f, f.groupId), ctx.links);
}

/** The other ids of the advisory (GHSA, GO-, PYSEC-…): what a maintainer may know it by. */
function aliasesOf(f: DigestRow): string[] {
  return f.aliases.filter((a) => a !== f.groupId);
}

/** The items shown and what the cap left out. */
function capped(d: Digest, max: number): { shown: TodoItem[]; more: number; moreAdvisories: number } {
  const rest = d.items.slice(max);
  return { shown: d.items.slice(0, max), more: rest.length, moreAdvisories: rest.reduce((n, i) => n + i.findings.length, 0) };
}

function moreText(more: number, moreAdvisories: number): string {
  return `and ${plural(more, 'more package', 'more packages')} (${plural(moreAdvisories, 'advisory', 'advisories')})`;
}

/** The report command that lists what the cap left out, for recipients without a dashboard URL. */
function reportCommand(email: string): string {
  return `icms report --maintainer ${email}`;
}

/** The summary block: counts since the last digest, open by severity, the dashboard link. */
export function summaryHtml(d: Digest, o: TodoOptions): string {
  const s = d.summary;
  const view = o.viewUrl ? `\n<p><a href="${e(o.viewUrl)}">Your view of the dashboard</a> (your projects only)</p>` : '';
  if (s.open === 0) return `<p>Nothing is open in your projects.</p>${view}`;
  const cells = [['New since your last email', s.new], ['Fixed since your last email', s.fixed], ['Still open', s.open], ['Oldest open', `${plural(s.oldestDays, 'day')}`]] as const;
  return `<table style="width:auto">
<tr>${cells.map(([h]) => `<th>${h}</th>`).join('')}</tr>
<tr>${cells.map(([, v]) => `<td>${e(v)}</td>`).join('')}</tr>
</table>
<p>${e(openLine(d))}</p>${view}`;
}

function openLine(d: Digest): string {
  const s = d.summary;
  return `${plural(s.open, 'open advisory', 'open advisories')} in ${plural(s.packages, 'package')} of ${plural(s.projects, 'project')}: ${levelCounts(d.counts, true)}${s.exploited ? `; ${s.exploited} exploited (CISA KEV)` : ''}.`;
}

/** The to-do list as HTML: per project, its packages in priority order, each with its advisories folded under it. */
export function todoHtml(d: Digest, o: TodoOptions): string {
  if (d.items.length === 0) return '';
  const { shown, more, moreAdvisories } = capped(d, o.maxItems);
  const fresh = new Set(d.sections.new.map((f) => f.id));
  const projects = byProject(shown).map(
    (p) => `<h3>${e(p.project)}</h3>\n<ul class="todo">\n${p.items.map((i) => itemHtml(i, fresh, o)).join('\n')}\n</ul>`,
  );
  const rest =
    more === 0
      ? ''
      : o.viewUrl
        ? `\n<p><a href="${e(o.viewUrl)}">${e(moreText(more, moreAdvisories))}</a> on the dashboard.</p>`
        : `\n<p>${e(moreText(more, moreAdvisories))} — run <code>${e(reportCommand(d.recipient.email))}</code> for the full list.</p>`;
  return `<h2>What to upgrade first (${plural(d.items.length, 'package')})</h2>\n${projects.join('\n')}${rest}`;
}

function itemHtml(i: TodoItem, fresh: ReadonlySet<number>, ctx: RowContext): string {
  const { action, clears } = itemPhrase(i);
  const kev = i.kev ? ' <strong>KEV</strong>' : '';
  const isNew = newMark(i, fresh);
  const rows = i.findings.map((f) => {
    const signals = exploitedText(f);
    const aliases = aliasesOf(f).map((a) => `<a href="${e(advisoryUrl(a, sourcesOf(f, a), ctx.links))}">${e(a)}</a>`);
    return `<li>${severityHtml(f)} <a href="${e(url(f, ctx))}">${e(f.groupId)}</a>${signals ? ` <strong>${e(signals)}</strong>` : ''}${f.title ? ` ${e(f.title)}` : ''} <span class="muted">${e(findingNotes(f, isNew(f)).join(' · '))}${aliases.length ? ` · also ${aliases.join(', ')}` : ''}</span></li>`;
  });
  return `<li><details><summary><span class="sev-${e(i.worst)}">${e(i.worst)}</span>${kev} <strong>${e(action)}</strong> ${e(clears)} <span class="muted">${e(itemNotes(i).join(' · '))}</span></summary>\n<ul>\n${rows.join('\n')}\n</ul></details></li>`;
}

/** The notices block: informational advisories, not vulnerabilities. */
export function noticesHtml(d: Digest, ctx: RowContext): string {
  if (d.notices.length === 0) return '';
  const rows = d.notices.map(
    (f) => `<li>${e(projectLabel(f.project, f.branch))}: ${e(f.package)} ${e(f.version)} — <strong>${e(f.informational)}</strong>: <a href="${e(url(f, ctx))}">${e(f.groupId)}</a>${f.title ? ` ${e(f.title)}` : ''}</li>`,
  );
  return `<h2>Notices (${d.notices.length})</h2>\n<p class="muted">Informational advisories (a crate unmaintained, unsound or with a notice): not counted as vulnerabilities.</p>\n<ul class="notices">\n${rows.join('\n')}\n</ul>`;
}

/** The summary, the to-do list and the notices as plain text lines, in the order of the HTML. */
export function summaryText(d: Digest, o: TodoOptions): string[] {
  const s = d.summary;
  const view = o.viewUrl ? [`Your view of the dashboard: ${t(o.viewUrl)}`] : [];
  if (s.open === 0) return ['Nothing is open in your projects.', ...view, ''];
  return [
    `New since your last email: ${s.new} · Fixed since your last email: ${s.fixed} · Still open: ${s.open} · Oldest open: ${plural(s.oldestDays, 'day')}`,
    openLine(d),
    ...view,
    '',
  ];
}

/** The to-do list as plain text: a project line, an item line per package, an indented line per advisory. */
export function todoText(d: Digest, o: TodoOptions): string[] {
  if (d.items.length === 0) return [];
  const { shown, more, moreAdvisories } = capped(d, o.maxItems);
  const fresh = new Set(d.sections.new.map((f) => f.id));
  const out = [`What to upgrade first (${plural(d.items.length, 'package')})`, ''];
  for (const p of byProject(shown)) {
    out.push(t(p.project));
    for (const i of p.items) {
      const { action, clears } = itemPhrase(i);
      out.push(`  * [${i.worst}${i.kev ? ', KEV' : ''}] ${t(action)} ${clears} · ${t(itemNotes(i).join(' · '))}`);
      const isNew = newMark(i, fresh);
      for (const f of i.findings) {
        const signals = exploitedText(f);
        const aliases = aliasesOf(f);
        out.push(`      - ${severityText(f)} ${t(f.groupId)}${signals ? ` (${signals})` : ''}${f.title ? `: ${t(f.title)}` : ''} · ${t(findingNotes(f, isNew(f)).join(' · '))}${aliases.length ? ` · also ${t(aliases.join(', '))}` : ''}`);
        out.push(`        ${url(f, o)}`);
      }
    }
    out.push('');
  }
  if (more > 0) out.push(o.viewUrl ? `${moreText(more, moreAdvisories)}: ${t(o.viewUrl)}` : `${moreText(more, moreAdvisories)} — run \`${t(reportCommand(d.recipient.email))}\``, '');
  return out;
}

/** The notices as plain text. */
export function noticesText(d: Digest, ctx: RowContext): string[] {
  if (d.notices.length === 0) return [];
  return [
    `Notices (${d.notices.length}): informational advisories, not counted as vulnerabilities`,
    ...d.notices.map((f) => `- ${t(projectLabel(f.project, f.branch))}: ${t(f.package)} ${t(f.version)} — ${t(f.informational)}: ${t(f.groupId)}${f.title ? ` ${t(f.title)}` : ''} ${url(f, ctx)}`),
    '',
  ];
}
