import { describe, expect, it } from 'vitest';
import { insertFindingDetails } from '../../src/db/finding-writer.js';
import { listNotifyFindings, listRecipients } from '../../src/db/notify-findings.js';
import { startRun } from '../../src/db/runs.js';
import type { Db } from '../../src/db/open.js';
import { buildDigests } from '../../src/notify/digest.js';
import { createSmtpMailer } from '../../src/notify/mail.js';
import { runNotify, type NotifyOptions } from '../../src/notify/notify.js';
import { digestTemplate, renderDigest } from '../../src/notify/render-digest.js';
import { silentLogger } from '../../src/shared/log.js';
import { startSmtpServer, type SmtpTestServer } from '../helpers/smtp.js';
import { DAY1 } from './seed.js';
import { seedTodo } from './todo-seed.js';

const DAY2 = new Date(DAY1.getTime() + 86_400_000);
const DASHBOARD = 'https://sec.example.com/icms/';

async function send(db: Db, srv: SmtpTestServer, over: Partial<NotifyOptions> = {}) {
  const mailer = createSmtpMailer({ host: 'localhost', port: srv.port, secure: false, requireTls: true, ca: srv.caPem, pool: false, rateLimit: 50, timeoutMs: 5000 });
  const now = over.now ?? DAY1;
  try {
    const result = await runNotify(db, {
      mailer, dryRun: false, resend: false, schedule: 'daily', sendEmpty: false, securityTeam: [{ name: 'Security', address: 'security@example.com' }],
      alertSeverity: 'LOW', unknownAs: 'UNKNOWN', severityBasis: 'environmental', from: { name: 'icms', address: 'icms@example.com' }, links: {},
      template: digestTemplate(), now, runId: startRun(db, { command: 'notify', at: now }), logger: silentLogger, redact: (t) => t, ...over,
    });
    expect(result.failed).toEqual([]);
    return result;
  } finally {
    mailer.close();
  }
}

async function mailTo(address: string, over: Partial<NotifyOptions> = {}) {
  const s = await seedTodo();
  const srv = await startSmtpServer();
  await send(s.db, srv, { to: address, ...over });
  const mail = srv.received.find((m) => m.envelopeTo.includes(address))!.parsed;
  return { s, srv, mail, html: String(mail.html), text: String(mail.text) };
}

/** The order in which `needles` first appear in `hay` (each must appear). */
function order(hay: string, needles: string[]): string[] {
  for (const n of needles) expect(hay, n).toContain(n);
  return needles.slice().sort((a, b) => hay.indexOf(a) - hay.indexOf(b));
}

const todoPart = (text: string) => text.slice(text.indexOf('What to upgrade first'), text.indexOf('Acceptance expired'));
/** The package of each to-do item line of the text part, in order. */
const packages = (text: string) => [...todoPart(text).matchAll(/^ {2}\* \[[^\]]+\] (?:upgrade )?(\S+)/gm)].map((m) => m[1]);

describe('the digest as a to-do list (real SMTP on loopback)', () => {
  it('one item per package in priority order: KEV first, then the environmental severity basis, then EPSS, then count', async () => {
    const { text, html } = await mailTo('alice@example.com');
    const items = todoPart(text).split('\n').filter((l) => l.startsWith('  * '));
    expect(items).toEqual([
      '  * [LOW, KEV] upgrade lodash 4.17.0 → 4.17.21 clears 1 advisory (1 LOW; 1 exploited) · npm · 1 new',
      '  * [HIGH] express 4.0.0 has no single fix yet: 2 advisories (1 HIGH, 1 MEDIUM); upgrading to 4.19.2 clears 1 of them · npm · 2 new · EPSS up to 90.0%',
      '  * [HIGH] upgrade qs 6.0.0 → 6.10.3 clears 1 advisory (1 HIGH) · npm · 1 new · EPSS up to 20.0%',
      '  * [HIGH] upgrade ws 1.0.0 → 1.1.5 clears 1 advisory (1 HIGH) · npm · 1 new',
      '  * [MEDIUM] upgrade axios 0.21.0 → 0.21.2 clears 2 advisories (2 MEDIUM) · npm · 2 new',
      '  * [LOW] upgrade jest 1.0.0 → 1.0.1 clears 1 advisory (1 LOW) · npm',
      '  * [LOW] upgrade minimist 1.2.0 → 1.2.6 clears 1 advisory (1 LOW) · npm · 1 new',
      '  * [UNKNOWN] upgrade tar 1.0.0 → 1.0.5 clears 1 advisory (1 UNKNOWN) · npm · 1 new',
    ]);
    // the HTML part lists the same items in the same order
    const inHtml = ['upgrade lodash', 'express 4.0.0</strong> has no single fix yet', 'upgrade qs', 'upgrade ws', 'upgrade axios', 'upgrade jest', 'upgrade minimist', 'upgrade tar'];
    expect(order(html, inHtml)).toEqual(inHtml);
  });

  it('on the base rating the CRITICAL re-scored LOW by triage moves up, and the subject counts follow the basis', async () => {
    const base = await mailTo('alice@example.com', { severityBasis: 'base' });
    expect(packages(base.text)).toEqual(['lodash', 'minimist', 'express', 'qs', 'axios', 'ws', 'jest', 'tar']);
    expect(base.mail.subject).toBe('[icms] 9 new, 10 open advisories in your projects (1 CRITICAL, 4 HIGH, 1 exploited, 1 acceptance expired)');
    const env = await mailTo('alice@example.com');
    expect(env.mail.subject).toBe('[icms] 9 new, 10 open advisories in your projects (3 HIGH, 1 exploited, 1 acceptance expired)');
    // the rows show the basis severity first, the other rating beside it
    expect(env.text).toContain('      - MEDIUM (base HIGH) CVE-2021-3749');
    expect(base.text).toContain('      - HIGH (env MEDIUM) CVE-2021-3749');
    expect(env.html).toMatch(/<span class="sev-LOW">LOW<\/span> <span class="muted">\(base CRITICAL\)<\/span> <a href="https:\/\/nvd\.nist\.gov\/vuln\/detail\/CVE-2099-0102">/);
  });

  it('folds the advisories of a package under its item: HTML <details>, text indented lines', async () => {
    const { html, text } = await mailTo('alice@example.com');
    expect(html).toMatch(
      /<li><details><summary><span class="sev-HIGH">HIGH<\/span> <strong>express 4\.0\.0<\/strong> has no single fix yet: 2 advisories \(1 HIGH, 1 MEDIUM\); upgrading to 4\.19\.2 clears 1 of them[^]*?<\/summary>\s*<ul>\s*<li><span class="sev-HIGH">HIGH<\/span> <a href="https:\/\/nvd\.nist\.gov\/vuln\/detail\/CVE-2099-0103">CVE-2099-0103<\/a> <strong>EPSS 90\.0%<\/strong>[^]*?fixed in 4\.19\.2 · open 1 day<\/span><\/li>\s*<li><span class="sev-MEDIUM">MEDIUM<\/span> <a [^>]*>CVE-2099-0104<\/a> <span class="muted">no fix yet · open 1 day<\/span><\/li>\s*<\/ul><\/details><\/li>/,
    );
    const express = text.slice(text.indexOf('express 4.0.0 has no single fix yet'));
    expect(express.split('\n').slice(1, 5)).toEqual([
      '      - HIGH CVE-2099-0103 (EPSS 90.0%) · fixed in 4.19.2 · open 1 day',
      '        https://nvd.nist.gov/vuln/detail/CVE-2099-0103',
      '      - MEDIUM CVE-2099-0104 · no fix yet · open 1 day',
      '        https://nvd.nist.gov/vuln/detail/CVE-2099-0104',
    ]);
    // KEV-listed advisory: its listing on the folded line
    expect(text).toContain('      - LOW CVE-2099-0101 (KEV since 2024-03-05) · fixed in 4.17.21 · open 1 day');
  });

  it('summary at the top: new and fixed since the last mail, still open, oldest age, by severity on the basis', async () => {
    const s = await seedTodo();
    const srv = await startSmtpServer();
    await send(s.db, srv, { to: 'alice@example.com' });
    const first = String(srv.received[0]!.parsed.text);
    expect(first).toContain('New since your last email: 9 · Fixed since your last email: 0 · Still open: 10 · Oldest open: 69 days\n' +
      '10 open advisories in 8 packages of 1 project: 3 HIGH, 3 MEDIUM, 3 LOW, 1 UNKNOWN (no source rates it); 1 exploited (CISA KEV).');
    expect(first.indexOf('New since your last email')).toBeLessThan(first.indexOf('What to upgrade first'));
    const html = String(srv.received[0]!.parsed.html);
    expect(html).toMatch(/<th>New since your last email<\/th><th>Fixed since your last email<\/th><th>Still open<\/th><th>Oldest open<\/th><\/tr>\s*<tr><td>9<\/td><td>0<\/td><td>10<\/td><td>69 days<\/td>/);
    // the next day: qs was upgraded, and a new advisory for express appeared
    s.db.prepare("UPDATE findings SET status = 'fixed', fixed_at = ? WHERE id = ?").run(DAY2.toISOString(), s.f.qsEpss20);
    const details = insertFindingDetails(s.db, { advisoryIds: '["CVE-2099-0108"]', aliases: '["CVE-2099-0108"]', cvssVector: null, reason: '[{"id":"CVE-2099-0108","source":"osv-npm"}]' });
    s.db.prepare(`INSERT INTO findings (id, project_id, group_id, ecosystem, package, version, details_id, severity, fixed_version, status, first_seen, last_seen, last_run_id)
      VALUES (18, 1, 'CVE-2099-0108', 'npm', 'express', '4.0.0', ?, 'LOW', '4.21.0', 'new', ?, ?, 2)`).run(details, DAY2.toISOString(), DAY2.toISOString());
    await send(s.db, srv, { to: 'alice@example.com', now: DAY2 });
    const second = String(srv.received[1]!.parsed.text);
    expect(second).toContain('New since your last email: 1 · Fixed since your last email: 1 · Still open: 10 · Oldest open: 70 days\n' +
      '10 open advisories in 7 packages of 1 project: 2 HIGH, 3 MEDIUM, 4 LOW, 1 UNKNOWN (no source rates it); 1 exploited (CISA KEV).');
    expect(srv.received[1]!.parsed.subject).toBe('[icms] 1 new, 10 open advisories in your projects (2 HIGH, 1 exploited, 1 acceptance expired)');
    // the item mixes old and new advisories: only the new one is marked
    expect(second).toContain('  * [HIGH] express 4.0.0 has no single fix yet: 3 advisories (1 HIGH, 1 MEDIUM, 1 LOW); upgrading to 4.21.0 clears 2 of them · npm · 1 new · EPSS up to 90.0%');
    expect(second).toContain('      - MEDIUM CVE-2099-0104 · no fix yet · open 2 days\n');
    expect(second).toContain('      - LOW CVE-2099-0108 · fixed in 4.21.0 · new\n');
  });

  it('caps the list at notify.digest_max_items: "and N more packages (M advisories)" links to the maintainer view of the dashboard', async () => {
    const { html, text } = await mailTo('alice@example.com', { maxItems: 3, dashboardUrl: DASHBOARD });
    const view = 'https://sec.example.com/icms/#maintainer=alice%40example.com';
    expect(html).toContain(`<a href="${view}">and 5 more packages (6 advisories)</a> on the dashboard.`);
    expect(html).toContain(`<p><a href="${view}">Your view of the dashboard</a> (your projects only)</p>`);
    expect(text).toContain(`and 5 more packages (6 advisories): ${view}`);
    expect(text).toContain(`Your view of the dashboard: ${view}`);
    expect(packages(text)).toEqual(['lodash', 'express', 'qs']);
    expect(html).not.toContain('upgrade ws');
  });

  it('without a dashboard URL the cap points at the report command; one more package is said in the singular', async () => {
    const { html, text } = await mailTo('alice@example.com', { maxItems: 7 });
    expect(text).toContain('and 1 more package (1 advisory) — run `icms report --maintainer alice@example.com`');
    expect(html).toContain('and 1 more package (1 advisory) — run <code>icms report --maintainer alice@example.com</code> for the full list.');
    expect(html).not.toContain('#maintainer=');
  });

  it('an informational RUSTSEC advisory (unmaintained) is a notice: its own section, not in the items, counts or subject', async () => {
    const { html, text, mail } = await mailTo('alice@example.com');
    expect(text).toContain('Notices (1): informational advisories, not counted as vulnerabilities\n' +
      '- team/web-frontend@main: mmap 0.0.1 — unmaintained: RUSTSEC-2024-0394 mmap unmaintained https://osv.dev/vulnerability/RUSTSEC-2024-0394');
    expect(html).toMatch(/<h2>Notices \(1\)<\/h2>[^]*<li>team\/web-frontend@main: mmap 0\.0\.1 — <strong>unmaintained<\/strong>: <a href="https:\/\/osv\.dev\/vulnerability\/RUSTSEC-2024-0394">RUSTSEC-2024-0394<\/a> mmap unmaintained<\/li>/);
    expect(todoPart(text)).not.toContain('mmap');
    expect(text).toContain('1 UNKNOWN (no source rates it)'); // tar only: the unrated notice is not counted
    expect(mail.subject).toMatch(/ 10 open advisories /);
    // the plain-text part has the HTML's sections in the same order
    const sections = ['New since your last email:', 'What to upgrade first', 'Acceptance expired', 'Notices (1)', 'Sent by icms'];
    expect(order(text, sections)).toEqual(sections);
  });

  it('a RUSTSEC informational advisory some source rates stays a vulnerability (an unsound crate with a rated CVE)', async () => {
    const s = await seedTodo();
    expect(listNotifyFindings(s.db).find((f) => f.id === s.f.mmapNotice)!.informational).toBe('unmaintained');
    s.db.prepare("UPDATE findings SET severity = 'MEDIUM' WHERE id = ?").run(s.f.mmapNotice);
    expect(listNotifyFindings(s.db).find((f) => f.id === s.f.mmapNotice)!.informational).toBeNull();
    expect(listNotifyFindings(s.db).find((f) => f.id === s.f.tarUnrated)!.informational).toBeNull();
  });

  it('shows each project once: no "@ main @ main" when the name carries the branch, " @ branch" when it does not', async () => {
    const s = await seedTodo();
    const srv = await startSmtpServer();
    await send(s.db, srv);
    for (const m of srv.received) {
      expect(String(m.parsed.text)).not.toMatch(/@ main @ main|@main @ main/);
      expect(String(m.parsed.html)).not.toMatch(/@ main @ main|@main @ main|@main <span class="muted">@ main/);
    }
    const bob = String(srv.received.find((m) => m.envelopeTo.includes('bob@example.com'))!.parsed.text);
    expect(todoPart(bob).split('\n').filter((l) => l === 'team/web-frontend@main' || l === 'team/issue-board @ release/2.x')).toEqual(['team/web-frontend@main', 'team/issue-board @ release/2.x']); // the project of the most urgent item (KEV) first
  });

  it('a custom template with the old block names still renders: `upgrades` is the to-do list, the old per-finding sections are empty', async () => {
    const s = await seedTodo();
    const findings = listNotifyFindings(s.db).map((f) => ({ ...f, basisSeverity: f.envSeverity ?? f.severity }));
    const alice = buildDigests({ recipients: listRecipients(s.db), findings, previous: new Map(), now: DAY1 }).find((d) => d.recipient.email === 'alice@example.com')!;
    const old = digestTemplate({
      source: '<p>{{name}}: {{new_count}} new, {{open_count}} open, {{critical_count}} critical</p>{{{summary}}}<h1>N</h1>{{{new_section}}}{{{expired_section}}}<h1>O</h1>{{{open_section}}}{{{upgrades}}}{{{fixed_section}}}{{{accepted_section}}}',
      file: 'old.html',
    });
    const html = renderDigest(alice, { template: old, links: {}, date: '2024-03-10' }).html;
    expect(html).toContain('<p>Alice Liddell: 9 new, 10 open, 0 critical</p>');
    expect(html).toContain('<h1>N</h1><h2>Acceptance expired (1)</h2>');
    expect(html).toContain('<h1>O</h1><h2>What to upgrade first (8 packages)</h2>');
    expect(html).toContain('<strong>upgrade lodash 4.17.0 → 4.17.21</strong> clears 1 advisory');
  });
});

describe('the security alert, by priority with the reason (real SMTP on loopback)', () => {
  it('lists new findings KEV first, then severity basis, then EPSS, each with why it matched and its upgrade; counts the unrated and the notices apart', async () => {
    const s = await seedTodo();
    const srv = await startSmtpServer();
    await send(s.db, srv, { only: 'alerts' });
    const mail = srv.received[0]!.parsed;
    expect(mail.subject).toBe('[icms] alert: 9 new findings at or above LOW in 3 projects (1 known exploited, 1 CRITICAL, 1 UNKNOWN)');
    const text = String(mail.text);
    // KEV (a LOW); CRITICAL; HIGH by EPSS (90%, 20%, none: the two without by age, then project); MEDIUM; LOW
    const ids = ['CVE-2099-0101', 'CVE-2099-0001', 'CVE-2099-0103', 'CVE-2099-0105', 'EVIL-2099-0001', 'CVE-2099-0106', 'CVE-2021-3749', 'CVE-2099-0104', 'CVE-2099-0102'];
    expect(order(text, ids)).toEqual(ids);
    expect(text).toContain('1 new finding carries no rating from any source (UNKNOWN, below LOW): check it by hand.');
    expect(text).toContain('1 new informational notice (RUSTSEC unmaintained, unsound or notice) is not listed: not vulnerabilities.');
    expect(text).not.toContain('RUSTSEC-2024-0394');
    expect(text).toContain('- [HIGH] team/web-frontend@main: express 4.0.0 -> fix 4.19.2, CVE-2099-0103, 1 d, owners: Alice Liddell <alice@example.com>, Bob Builder <bob@example.com>\n' +
      '  https://nvd.nist.gov/vuln/detail/CVE-2099-0103\n' +
      '  because CVE-2099-0103 (osv-npm): SEMVER range [introduced 0, fixed 4.19.2] ordered by npm; upgrade express to 4.19.2');
    expect(String(mail.html)).toContain('<td>because CVE-2099-0104 (osv-npm): SEMVER range [introduced 0] ordered by npm; no fix yet</td>');
    // versions and package names may wrap anywhere (a Go pseudo-version must not widen the table past the window)
    expect(String(mail.html)).toContain('<td class="wrap">4.0.0</td>');
    expect(String(mail.html)).toMatch(/td\.wrap\{overflow-wrap:anywhere/);
    expect(text).not.toMatch(/@ main @ main|@main @ main/);
  });
});
