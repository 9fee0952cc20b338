import { describe, expect, it } from 'vitest';
import { insertFindingDetails } from '../../src/db/finding-writer.js';
import { startRun } from '../../src/db/runs.js';
import { createSmtpMailer } from '../../src/notify/mail.js';
import { runNotify, type NotifyOptions } from '../../src/notify/notify.js';
import { digestTemplate } from '../../src/notify/render-digest.js';
import { silentLogger } from '../../src/shared/log.js';
import type { Db } from '../../src/db/open.js';
import { startSmtpServer, type SmtpTestServer } from '../helpers/smtp.js';
import { DAY1, seedDb } from './seed.js';

const DAY2 = new Date(DAY1.getTime() + 86_400_000);
const DAY3 = new Date(DAY1.getTime() + 2 * 86_400_000);

async function alertOnly(db: Db, srv: SmtpTestServer, now: Date, over: Partial<NotifyOptions> = {}) {
  const mailer = createSmtpMailer({ host: 'localhost', port: srv.port, secure: false, requireTls: true, ca: srv.caPem, pool: false, rateLimit: 50, timeoutMs: 5000 });
  try {
    return await runNotify(db, {
      mailer, dryRun: false, resend: false, schedule: 'daily', sendEmpty: false, only: 'alerts', securityTeam: [{ name: 'Security', address: 'security@example.com' }],
      alertSeverity: 'HIGH', unknownAs: 'UNKNOWN', from: { name: 'icms', address: 'icms@example.com' }, links: {}, template: digestTemplate(), now,
      runId: startRun(db, { command: 'notify', at: now }), logger: silentLogger, redact: (t) => t, ...over,
    });
  } finally {
    mailer.close();
  }
}

describe('the security alert and exploited findings', () => {
  it('alerts a finding CISA listed after it was first alerted once, whatever its severity, and counts the unrated new ones', async () => {
    const s = await seedDb();
    const srv = await startSmtpServer();
    await alertOnly(s.db, srv, DAY1); // the alert of match run 2
    expect(srv.received).toHaveLength(1);

    // match run 3: the open MEDIUM axios finding's group is now KEV-listed (its text re-rated, a kev-listed event),
    // and a new finding no source rates appeared
    const run = startRun(s.db, { command: 'match', at: new Date('2024-03-11T00:00:00Z') });
    s.db.prepare("INSERT INTO match_stats (run_id, at, severity, status, count) VALUES (?, '2024-03-11T00:00:00Z', 'MEDIUM', 'open', 1)").run(run);
    const kev = JSON.stringify({ date_added: '2024-03-10', due_date: '2024-03-31', ransomware: false, cve: 'CVE-2020-28168' });
    const details = insertFindingDetails(s.db, { advisoryIds: '["GHSA-4w2v-q235-vp99"]', aliases: '["GHSA-4w2v-q235-vp99","CVE-2020-28168"]', cvssVector: null, reason: '[{"id":"GHSA-4w2v-q235-vp99","source":"osv-npm"}]', kev });
    s.db.prepare('UPDATE findings SET details_id = ?, last_run_id = ? WHERE id = ?').run(details, run, s.f.axiosSsrf);
    s.db.prepare("INSERT INTO finding_events (finding_id, run_id, at, from_status, to_status, note) VALUES (?, ?, '2024-03-11T00:00:00Z', 'open', 'open', 'kev-listed')").run(s.f.axiosSsrf, run);
    const unrated = insertFindingDetails(s.db, { advisoryIds: '["GO-2099-0009"]', aliases: '["GO-2099-0009"]', cvssVector: null, reason: '[{"id":"GO-2099-0009","source":"osv-go"}]' });
    s.db.prepare("INSERT INTO findings (id, project_id, group_id, ecosystem, package, version, details_id, severity, status, first_seen, last_seen, last_run_id) VALUES (9, 2, 'GO-2099-0009', 'Go', 'golang.org/x/crypto', '0.1.0', ?, 'UNKNOWN', 'new', '2024-03-11T00:00:00Z', '2024-03-11T00:00:00Z', ?)").run(unrated, run);
    s.db.prepare("INSERT INTO finding_events (finding_id, run_id, at, from_status, to_status) VALUES (9, ?, '2024-03-11T00:00:00Z', NULL, 'new')").run(run);

    const second = await alertOnly(s.db, srv, DAY2);
    expect(second.failed).toEqual([]);
    expect(srv.received).toHaveLength(2);
    const mail = srv.received[1]!.parsed;
    expect(mail.subject).toBe('[icms] alert: 1 new finding at or above HIGH in 1 project (1 known exploited, 1 UNKNOWN)');
    const text = String(mail.text);
    expect(text).toMatch(/1 of them in CISA's Known Exploited Vulnerabilities catalog/);
    expect(text).toContain('1 new finding carries no rating from any source (UNKNOWN, below LOW): check it by hand.');
    expect(text).toContain('- [MEDIUM, KEV] team/web-frontend @ main: axios 0.21.0');
    expect(String(mail.html)).toMatch(/<strong>KEV<\/strong> <span class="muted">since 2024-03-10<\/span>/);

    // nothing new since: no third alert
    const third = await alertOnly(s.db, srv, DAY3);
    expect(third.done.every((i) => i.outcome === 'skipped')).toBe(true);
    expect(srv.received).toHaveLength(2);
  });

  it('counts an unrated new finding at the configured unknown_severity', async () => {
    const s = await seedDb();
    const srv = await startSmtpServer();
    s.db.prepare("UPDATE findings SET severity = 'UNKNOWN' WHERE id = ?").run(s.f.hostile);
    await alertOnly(s.db, srv, DAY1, { unknownAs: 'CRITICAL', severityBasis: 'base' });
    expect(srv.received[0]!.parsed.subject).toMatch(/\(1 CRITICAL, 1 UNKNOWN\)$/);
    expect(String(srv.received[0]!.parsed.text)).toContain('(UNKNOWN, counted as CRITICAL)');
  });
});
