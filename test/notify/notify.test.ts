import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { listNotifications } from '../../src/db/notifications.js';
import { insertFindingDetails } from '../../src/db/finding-writer.js';
import { openDb, type Db } from '../../src/db/open.js';
import { startRun } from '../../src/db/runs.js';
import { createOutboxMailer, createSmtpMailer, type Mailer } from '../../src/notify/mail.js';
import { runNotify, type NotifyOptions } from '../../src/notify/notify.js';
import { digestTemplate } from '../../src/notify/render-digest.js';
import { silentLogger } from '../../src/shared/log.js';
import { startSmtpServer, type ReceivedMail, type SmtpTestServer } from '../helpers/smtp.js';
import { DAY1, HOSTILE_TITLE, seedDb } from './seed.js';

const DAY2 = new Date(DAY1.getTime() + 86_400_000);

function smtp(srv: SmtpTestServer): Mailer {
  return createSmtpMailer({ host: 'localhost', port: srv.port, secure: false, requireTls: true, ca: srv.caPem, pool: true, rateLimit: 50, timeoutMs: 5000 });
}

async function run(db: Db, mailer: Mailer, over: Partial<NotifyOptions> = {}) {
  const now = over.now ?? DAY1;
  const runId = startRun(db, { command: 'notify', at: now });
  try {
    return await runNotify(db, {
      mailer, dryRun: false, resend: false, schedule: 'daily', sendEmpty: false, securityTeam: [{ name: 'Security', address: 'security@example.com' }],
      // the seed's projects carry environmental re-scores these expectations read (triage.severity_source: environmental)
      alertSeverity: 'HIGH', severityBasis: 'environmental', from: { name: 'icms', address: 'icms@example.com' }, links: {}, template: digestTemplate(), now, runId, logger: silentLogger, redact: (t) => t, ...over,
    });
  } finally {
    mailer.close();
  }
}

const to = (m: ReceivedMail) => m.envelopeTo.join(',');
const byTo = (mails: ReceivedMail[], addr: string) => mails.find((m) => to(m) === addr)!;

describe('runNotify over SMTP', () => {
  it('mails each maintainer with something open one digest, and the security team one alert', async () => {
    const s = await seedDb();
    const srv = await startSmtpServer();
    const result = await run(s.db, smtp(srv));
    expect(result.failed).toEqual([]);
    expect(srv.received.map(to).sort()).toEqual(['alice@example.com', 'bob@example.com', 'mallory@example.com', 'security@example.com']);
    expect(result.done.find((i) => i.recipient === 'carol@example.com')).toMatchObject({ outcome: 'skipped', detail: 'nothing open' });

    const bob = byTo(srv.received, 'bob@example.com').parsed;
    expect(bob.subject).toBe('[icms] 3 new, 4 open advisories in your projects (1 CRITICAL, 1 acceptance expired)');
    expect(bob.to).toMatchObject({ value: [{ name: 'Bob Builder', address: 'bob@example.com' }] });
    expect(bob.from).toMatchObject({ value: [{ name: 'icms', address: 'icms@example.com' }] });
    const html = String(bob.html);
    expect(html).toContain('Hello Bob Builder,');
    expect(html).toContain('<a href="https://nvd.nist.gov/vuln/detail/CVE-2021-3749">CVE-2021-3749</a>');
    expect(html).toContain('<a href="https://github.com/advisories/GHSA-cph5-m8f7-6c5x">GHSA-cph5-m8f7-6c5x</a>');
    expect(html).toContain('axios Inefficient Regular Expression Complexity vulnerability'); // the OSV summary
    // environmental basis: the ReDoS finding is MEDIUM, its base rating beside it
    expect(html).toMatch(/<span class="sev-MEDIUM">MEDIUM<\/span> <span class="muted">\(base HIGH\)<\/span>/);
    expect(html).toMatch(/<details>\s*<summary><strong>Accepted \(1\)<\/strong><\/summary>[\s\S]*parser not reachable from user input[\s\S]*2099-01-01[\s\S]*<\/details>/);
    expect(html).toMatch(/Acceptance expired \(1\)[\s\S]*jest[\s\S]*dev dependency only/);
    expect(html).toContain('<strong>upgrade axios 0.21.0 → 0.21.2</strong> clears 2 advisories (2 MEDIUM)');
    expect(html).toContain('<h3>team/issue-board @ release/2.x</h3>');
    // the to-do list: the critical package first, then axios (2 MEDIUM), then jest (LOW); under axios the older finding (9 d) first
    const todo = html.slice(html.indexOf('What to upgrade first'), html.indexOf('Acceptance expired'));
    expect(todo.indexOf('CVE-2099-0001')).toBeLessThan(todo.indexOf('CVE-2020-28168'));
    expect(todo.indexOf('CVE-2020-28168')).toBeLessThan(todo.indexOf('CVE-2021-3749'));
    expect(todo.indexOf('CVE-2021-3749')).toBeLessThan(todo.indexOf('upgrade jest'));
    expect(todo).toMatch(/CVE-2020-28168[\s\S]*?open 9 days/);
    const text = String(bob.text);
    expect(text).toMatch(/^Hello Bob Builder,/);
    expect(text).toContain('team/issue-board @ release/2.x\n  * [CRITICAL] upgrade golang.org/x/net 0.1.0 → 0.7.0 clears 1 advisory (1 CRITICAL) · Go · 1 new\n' +
      '      - CRITICAL CVE-2099-0001: x/net: synthetic critical for tests · fixed in 0.7.0 · open 1 day · also GO-2099-0001\n        https://nvd.nist.gov/vuln/detail/CVE-2099-0001');
    expect(html).toContain('<a href="https://osv.dev/vulnerability/GO-2099-0001">GO-2099-0001</a>'); // alias without a configured link
  });

  it('escapes a hostile advisory title and keeps CR/LF in names out of the headers', async () => {
    const s = await seedDb();
    const srv = await startSmtpServer();
    await run(s.db, smtp(srv));
    const mail = byTo(srv.received, 'mallory@example.com');
    expect(mail.parsed.to).toMatchObject({ value: [{ name: 'Mallory Bcc: victim@evil.test', address: 'mallory@example.com' }] });
    expect(mail.envelopeTo).toEqual(['mallory@example.com']);
    const headers = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'));
    expect(headers).toMatch(/^Subject: /m);
    expect(headers).not.toMatch(/^Bcc:/im);
    expect(mail.parsed.subject).toBe('[icms] 1 new, 1 open advisory in your projects (1 HIGH)');
    const html = String(mail.parsed.html);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;');
    expect(html).toMatch(/Hello Mallory\s+Bcc: victim@evil\.test,/); // in the body it is only text
    expect(String(mail.parsed.text)).toContain(HOSTILE_TITLE);
    expect(String(mail.parsed.text)).toContain('evil Bcc: victim2@evil.test @ main');
    expect(String(mail.parsed.text)).toContain('evil-pkg 1.0.0 has no single fix yet: 1 advisory (1 HIGH)');
    const alert = byTo(srv.received, 'security@example.com');
    expect(alert.parsed.subject).toBe('[icms] alert: 2 new findings at or above HIGH in 2 projects (1 CRITICAL)');
    expect(String(alert.parsed.html)).toContain('Bob Builder &lt;bob@example.com&gt;');
    expect(String(alert.parsed.html)).not.toContain('<img src=x');
  });

  it('re-running the same day sends nothing; the next day one digest each and no second alert for the same match run', async () => {
    const s = await seedDb();
    const srv = await startSmtpServer();
    await run(s.db, smtp(srv));
    expect(srv.received).toHaveLength(4);
    const again = await run(s.db, smtp(srv));
    expect(srv.received).toHaveLength(4);
    expect(again.done.filter((i) => i.outcome === 'skipped' && /^already sent/.test(i.detail)).map((i) => i.recipient).sort()).toEqual(['alice@example.com', 'bob@example.com', 'mallory@example.com', 'security@example.com']);
    await run(s.db, smtp(srv), { now: DAY2 });
    expect(srv.received.slice(4).map(to).sort()).toEqual(['alice@example.com', 'bob@example.com', 'mallory@example.com']);
    const alice2 = String(byTo(srv.received.slice(4), 'alice@example.com').parsed.html);
    expect(alice2).toMatch(/<tr><td>0<\/td><td>0<\/td><td>3<\/td><td>70 days<\/td><\/tr>/); // 0 new, 0 fixed, 3 still open, jest open since 2024-01-01
    expect(alice2).not.toContain(' new</span></summary>');
    const ledger = listNotifications(s.db);
    expect(ledger.filter((r) => r.kind === 'digest' && r.period === '2024-03-11')).toHaveLength(3);
    expect(ledger.every((r) => r.state === 'sent' && r.attempts === 1 && r.smtpResponse?.startsWith('250'))).toBe(true);
  });

  it('one recipient rejected (550) and one connection dropped: the others are sent, failures recorded and retried next run', async () => {
    const s = await seedDb();
    const srv = await startSmtpServer({ rejectRcpt: ['bob@example.com'], dropOnData: ['mallory@example.com'] });
    const first = await run(s.db, smtp(srv));
    expect(srv.received.map(to).sort()).toEqual(['alice@example.com', 'security@example.com']);
    expect(first.failed.map((f) => f.item.recipient).sort()).toEqual(['bob@example.com', 'mallory@example.com']);
    const bobRow = listNotifications(s.db).find((r) => r.recipient === 'bob@example.com')!;
    expect(bobRow).toMatchObject({ state: 'failed', attempts: 1 });
    expect(bobRow.smtpResponse).toMatch(/^550 5\.1\.1 mailbox unavailable/);
    expect(listNotifications(s.db).find((r) => r.recipient === 'mallory@example.com')!.state).toBe('failed');

    const ok = await startSmtpServer();
    const second = await run(s.db, smtp(ok));
    expect(second.failed).toEqual([]);
    expect(ok.received.map(to).sort()).toEqual(['bob@example.com', 'mallory@example.com']);
    expect(listNotifications(s.db).find((r) => r.recipient === 'bob@example.com')).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('a crash between SMTP acceptance and the ledger write never leads to a second mail (unless --resend)', async () => {
    const s = await seedDb();
    const srv = await startSmtpServer();
    const real = smtp(srv);
    // the process "dies" right after the server accepted Alice's digest: the database goes away before markSent
    const crashing: Mailer = { ...real, send: async (m) => { const out = await real.send(m); s.db.close(); return out; } };
    await expect(run(s.db, crashing, { to: 'alice@example.com' })).rejects.toThrow(/not open/);
    expect(srv.received.map(to)).toEqual(['alice@example.com']);

    const db = openDb(s.file);
    expect(listNotifications(db)[0]).toMatchObject({ recipient: 'alice@example.com', state: 'pending' });
    const next = await run(db, smtp(srv));
    expect(next.done.find((i) => i.recipient === 'alice@example.com' && i.outcome === 'unconfirmed')).toBeDefined();
    expect(srv.received.map(to).filter((t) => t === 'alice@example.com')).toHaveLength(1);
    expect(listNotifications(db).find((r) => r.recipient === 'alice@example.com')).toMatchObject({ state: 'sent', unconfirmed: true });

    await run(db, smtp(srv), { resend: true, to: 'alice@example.com' });
    expect(srv.received.map(to).filter((t) => t === 'alice@example.com')).toHaveLength(2);
    db.close();
  });

  it('on-change: nothing changed -> no mail the next day; a change -> a new digest', async () => {
    const s = await seedDb();
    const srv = await startSmtpServer();
    await run(s.db, smtp(srv), { schedule: 'on-change', only: 'digests' });
    expect(srv.received).toHaveLength(3);
    const day2 = await run(s.db, smtp(srv), { schedule: 'on-change', only: 'digests', now: DAY2 });
    expect(srv.received).toHaveLength(3);
    expect(day2.done.find((i) => i.recipient === 'bob@example.com')!.detail).toMatch(/^unchanged since 2024-03-10\+/);
    s.db.prepare("UPDATE findings SET status = 'fixed', fixed_at = ? WHERE id = ?").run(DAY2.toISOString(), s.f.netCritical);
    await run(s.db, smtp(srv), { schedule: 'on-change', only: 'digests', now: DAY2 });
    expect(srv.received.slice(3).map(to)).toEqual(['bob@example.com']);
    const html = String(srv.received[3]!.parsed.html);
    expect(html).toMatch(/Fixed since your last email \(1\)[\s\S]*golang\.org\/x\/net/);
    expect(String(srv.received[3]!.parsed.text)).toContain('Fixed since your last email: 1');
  });

  it('the alert covers every match run since the last alert, even when a later run made the finding "open"', async () => {
    const s = await seedDb();
    const srv = await startSmtpServer();
    await run(s.db, smtp(srv), { only: 'alerts' });
    expect(srv.received.map(to)).toEqual(['security@example.com']);
    // match run 10 finds a new critical; match run 11 sees it again (status open); nothing else changed
    s.db.prepare("INSERT INTO runs (id, command, started_at, status) VALUES (10, 'match', ?, 'ok'), (11, 'match', ?, 'ok')").run(DAY1.toISOString(), DAY1.toISOString());
    s.db.prepare("INSERT INTO match_stats (run_id, at, severity, status, count) VALUES (10, ?, 'CRITICAL', 'new', 1), (11, ?, 'CRITICAL', 'open', 1)").run(DAY1.toISOString(), DAY1.toISOString());
    const details = insertFindingDetails(s.db, { advisoryIds: '["CVE-2099-0009"]', aliases: '["CVE-2099-0009"]', cvssVector: null, reason: '[{"id":"CVE-2099-0009","source":"osv-npm"}]' });
    s.db.prepare(`INSERT INTO findings (id, project_id, group_id, ecosystem, package, version, severity, details_id, status, first_seen, last_seen, last_run_id)
      VALUES (9, 1, 'CVE-2099-0009', 'npm', 'express', '4.0.0', 'CRITICAL', ?, 'open', ?, ?, 11)`).run(details, DAY1.toISOString(), DAY1.toISOString());
    s.db.prepare("INSERT INTO finding_events (finding_id, run_id, at, from_status, to_status) VALUES (9, 10, ?, NULL, 'new'), (9, 11, ?, 'new', 'open')").run(DAY1.toISOString(), DAY1.toISOString());
    const second = await run(s.db, smtp(srv), { only: 'alerts' });
    expect(second.done).toMatchObject([{ recipient: 'security@example.com', period: 'match-run-11', outcome: 'sent' }]);
    const html = String(srv.received[1]!.parsed.html);
    expect(html).toContain('CVE-2099-0009');
    expect(html).not.toContain('CVE-2099-0001'); // already alerted for match run 2
    expect(srv.received[1]!.parsed.subject).toBe('[icms] alert: 1 new finding at or above HIGH in 1 project (1 CRITICAL)');
  });

  it('send_empty mails a maintainer with nothing open; --to and only-alerts narrow the run', async () => {
    const s = await seedDb();
    const srv = await startSmtpServer();
    await run(s.db, smtp(srv), { sendEmpty: true, to: 'CAROL@example.com' });
    expect(srv.received.map(to)).toEqual(['carol@example.com']);
    expect(srv.received[0]!.parsed.subject).toBe('[icms] no open advisories in your projects');
    await run(s.db, smtp(srv), { only: 'alerts' });
    expect(srv.received.slice(1).map(to)).toEqual(['security@example.com']);
  });
});

describe('runNotify dry run and outbox', () => {
  it('--dry-run writes parseable .eml files and records nothing', async () => {
    const s = await seedDb();
    const dir = path.join(s.dir, 'outbox');
    const result = await run(s.db, createOutboxMailer(dir), { dryRun: true });
    expect(result.done.filter((i) => i.outcome === 'dry-run')).toHaveLength(4);
    expect(listNotifications(s.db)).toEqual([]);
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(4);
    const parsed = await Promise.all(files.map(async (f) => simpleParser(await readFile(path.join(dir, f)))));
    const alice = parsed.find((p) => JSON.stringify(p.to).includes('alice@example.com'))!;
    expect(alice.subject).toBe('[icms] 2 new, 3 open advisories in your projects (1 acceptance expired)');
    expect(alice.text).toContain('Hello Alice Liddell,');
    expect(alice.text).toContain('New since your last email: 2 · Fixed since your last email: 0 · Still open: 3 · Oldest open: 69 days');
    // both bodies quoted-printable, stated rather than detected (detection scanned every body twice)
    const raw = await readFile(path.join(dir, files[0]!), 'utf8');
    expect(raw.match(/^Content-Transfer-Encoding: .*$/gm)).toEqual(['Content-Transfer-Encoding: quoted-printable', 'Content-Transfer-Encoding: quoted-printable']);
  });

  it('transport outbox records the ledger like SMTP (re-run writes nothing new)', async () => {
    const s = await seedDb();
    const dir = path.join(s.dir, 'outbox');
    await run(s.db, createOutboxMailer(dir));
    await run(s.db, createOutboxMailer(dir));
    expect(await readdir(dir)).toHaveLength(4);
    expect(listNotifications(s.db).every((r) => r.state === 'sent' && r.transport === 'outbox' && r.smtpResponse?.startsWith('written '))).toBe(true);
  });
});
