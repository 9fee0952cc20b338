import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makePortfolio } from '../helpers/demo.js';
import { tmpDir } from '../helpers/tmp.js';
import { startSmtpServer, type SmtpTestServer } from '../helpers/smtp.js';
import { DAY1, seedDb } from '../notify/seed.js';

const CANARY = 'canary-smtp-pw-5d1e77';

async function setup(srv: SmtpTestServer | undefined, extra = '') {
  const s = await seedDb();
  s.db.close();
  const smtp = srv
    ? `  transport: smtp
smtp:
  host: localhost
  port: ${srv.port}
  ca_file: ${srv.caFile}
  user: icms
  timeout_ms: 5000
`
    : '';
  await writeFile(
    path.join(s.dir, 'icms.yaml'),
    `db: ${s.file}
notify:
  from: "icms <icms@example.com>"
  reply_to: "Security Desk <desk@example.com>"
  security_team: [security@example.com]
  outbox_dir: ${s.dir}/outbox
${smtp}${extra}`,
  );
  const run = (args: string[], now = DAY1, env: Record<string, string> = { ICMS_SMTP_PASSWORD: CANARY }) => runCli(args, { cwd: s.dir, env, now: () => now });
  const ledger = () => {
    const db = new Database(s.file, { readonly: true });
    try {
      return db.prepare('SELECT recipient, kind, state, smtp_response, error FROM notifications ORDER BY recipient').all() as { recipient: string; state: string; smtp_response: string | null; error: string | null }[];
    } finally {
      db.close();
    }
  };
  const dbBytes = async () => {
    const files = (await readdir(s.dir)).filter((f) => f.startsWith('icms.db'));
    return (await Promise.all(files.map((f) => readFile(path.join(s.dir, f))))).map((b) => b.toString('latin1')).join('');
  };
  return { ...s, run, ledger, dbBytes };
}

function expectNoCanary(...texts: string[]): void {
  for (const t of texts) {
    expect(t).not.toContain(CANARY);
    expect(t).not.toContain(Buffer.from(CANARY).toString('base64'));
  }
}

describe('icms notify (real SMTP server on loopback)', () => {
  it('sends over STARTTLS with AUTH, prints a summary, and the password appears nowhere', async () => {
    const srv = await startSmtpServer({ auth: { user: 'icms', password: CANARY } });
    const t = await setup(srv);
    const r = await t.run(['notify']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(srv.received.map((m) => m.envelopeTo[0]).sort()).toEqual(['alice@example.com', 'bob@example.com', 'mallory@example.com', 'security@example.com']);
    expect(srv.logins.every((l) => l.ok)).toBe(true);
    expect(srv.received[0]!.parsed.replyTo).toMatchObject({ value: [{ name: 'Security Desk', address: 'desk@example.com' }] });
    expect(srv.received[0]!.parsed.from).toMatchObject({ value: [{ name: 'icms', address: 'icms@example.com' }] });
    expect(r.stdout).toMatch(/bob@example\.com\s*│\s*digest\s*│\s*2024-03-10\s*│\s*sent/);
    expect(r.stdout).toMatch(/carol@example\.com\s*│\s*digest\s*│\s*2024-03-10\s*│\s*skipped\s*│\s*nothing open/);
    expect(r.stderr).toMatch(/notify: 4 sent, 0 written \(dry run\), 1 skipped, 0 failed, 0 unconfirmed/);
    const again = await t.run(['notify', '--format', 'json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).summary).toMatchObject({ sent: 0, skipped: 5, failed: 0, transport: 'smtp' });
    expect(srv.received).toHaveLength(4);
    const bytes = await t.dbBytes();
    expect(bytes).toContain('bob@example.com'); // the check reads the real database (and WAL) bytes
    expectNoCanary(r.stdout, r.stderr, again.stdout, again.stderr, bytes);
  });

  it('a rejected recipient: the others are sent, the failure is recorded with the answer, exit 3', async () => {
    const srv = await startSmtpServer({ auth: { user: 'icms', password: CANARY }, rejectRcpt: ['bob@example.com'] });
    const t = await setup(srv);
    const r = await t.run(['notify', '--only-digests']);
    expect(r.code).toBe(3);
    expect(srv.received.map((m) => m.envelopeTo[0]).sort()).toEqual(['alice@example.com', 'mallory@example.com']);
    expect(r.stderr).toMatch(/digest to bob@example\.com: .*550/);
    const bob = t.ledger().find((x) => x.recipient === 'bob@example.com')!;
    expect(bob.state).toBe('failed');
    expect(bob.smtp_response).toMatch(/^550/);
    expectNoCanary(r.stdout, r.stderr, await t.dbBytes());
  });

  it('a wrong password fails every message (exit 3) without printing either password', async () => {
    const srv = await startSmtpServer({ auth: { user: 'icms', password: 'the-right-one-42' } });
    const t = await setup(srv);
    const r = await t.run(['notify', '--to', 'alice@example.com']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/535/);
    expect(srv.received).toEqual([]);
    expectNoCanary(r.stdout, r.stderr, await t.dbBytes());
  });

  it('reads the password from smtp.password_file', async () => {
    const srv = await startSmtpServer({ auth: { user: 'icms', password: CANARY } });
    const t = await setup(srv);
    await writeFile(path.join(t.dir, 'smtp-pw'), `${CANARY}\n`, { mode: 0o600 });
    await writeFile(path.join(t.dir, 'icms.yaml'), `${await readFile(path.join(t.dir, 'icms.yaml'), 'utf8')}  password_file: ${t.dir}/smtp-pw\n`);
    const r = await t.run(['notify', '--to', 'alice@example.com'], DAY1, {});
    expect(r.code).toBe(0);
    expect(srv.received).toHaveLength(1);
  });

  it('--dry-run writes .eml files into the outbox and records nothing', async () => {
    const t = await setup(undefined);
    const r = await t.run(['notify', '--dry-run', '--only-alerts']);
    expect(r.code).toBe(0);
    expect(await readdir(path.join(t.dir, 'outbox'))).toEqual([expect.stringMatching(/^match-run-2_alert_security@example\.com_[0-9a-f]{8}\.eml$/)]);
    expect(t.ledger()).toEqual([]);
  });

  it('usage errors: both --only flags; smtp without host; user without password', async () => {
    const t = await setup(undefined);
    expect((await t.run(['notify', '--only-digests', '--only-alerts'])).code).toBe(2);
    await writeFile(path.join(t.dir, 'icms.yaml'), `db: ${t.file}\nnotify:\n  transport: smtp\n`);
    const noHost = await t.run(['notify']);
    expect(noHost.code).toBe(2);
    expect(noHost.stderr).toMatch(/smtp\.host is not set/);
    await writeFile(path.join(t.dir, 'icms.yaml'), `db: ${t.file}\nnotify:\n  transport: smtp\nsmtp:\n  host: localhost\n  user: icms\n`);
    const noPw = await t.run(['notify'], DAY1, {});
    expect(noPw.code).toBe(2);
    expect(noPw.stderr).toMatch(/export ICMS_SMTP_PASSWORD=/);
  });
});

describe('icms doctor: mail check', () => {
  it('verifies the SMTP server (TLS + AUTH), and reports a failure without the password', async () => {
    const srv = await startSmtpServer({ auth: { user: 'icms', password: CANARY } });
    const t = await setup(srv);
    const ok = await t.run(['doctor', '--format', 'json']);
    const mail = (JSON.parse(ok.stdout) as { checks: { name: string; ok: boolean; detail: string }[] }).checks.find((c) => c.name === 'mail')!;
    expect(mail).toMatchObject({ ok: true, detail: `SMTP localhost:${srv.port} (STARTTLS required, AUTH as icms)` });
    const bad = await t.run(['doctor', '--format', 'json'], DAY1, { ICMS_SMTP_PASSWORD: `${CANARY}-wrong` });
    const failed = (JSON.parse(bad.stdout) as { checks: { name: string; ok: boolean; detail: string }[] }).checks.find((c) => c.name === 'mail')!;
    expect(failed.ok).toBe(false);
    expect(failed.detail).toMatch(/535/);
    expectNoCanary(ok.stdout, ok.stderr, bad.stdout, bad.stderr);
  });

  it('outbox transport: "outbox: <dir>" is OK', async () => {
    const t = await setup(undefined);
    const r = await t.run(['doctor', '--format', 'json']);
    const mail = (JSON.parse(r.stdout) as { checks: { name: string; ok: boolean; detail: string }[] }).checks.find((c) => c.name === 'mail')!;
    expect(mail).toEqual({ name: 'mail', ok: true, detail: `outbox: ${path.join(t.dir, 'outbox')}` });
  });
});

describe('icms notify after the real data path (git, trivy, OSV, match)', () => {
  it('mails the maintainer the axios findings with the one upgrade clearing both, once a day; the alert once per match run', async () => {
    const outbox = path.join(await tmpDir('icms-outbox-'), 'out');
    const pf = await makePortfolio(['web-frontend'], `notify:\n  outbox_dir: ${outbox}\n  security_team: [sec@example.com]\n  alert_severity: medium\n`);
    for (const argv of [['fetch-projects'], ['scan', '--all'], ['sync-vulns'], ['match']]) {
      const r = await runCli(argv, { cwd: pf.dir });
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const day = new Date();
    const notify = (now: Date) => runCli(['notify', '--format', 'json'], { cwd: pf.dir, now: () => now });
    const first = await notify(day);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).summary).toMatchObject({ sent: 2, failed: 0, transport: 'outbox' });
    const files = await readdir(outbox);
    const parse = async (f: string) => simpleParser(await readFile(path.join(outbox, f)));
    const digest = await parse(files.find((f) => f.includes('_digest_web-frontend@example.com_'))!);
    expect(digest.to).toMatchObject({ value: [{ name: 'Dev web-frontend', address: 'web-frontend@example.com' }] });
    const html = String(digest.html);
    // axios 0.19.0: GHSA-4w2v-q235-vp99 (CVE-2020-28168, fixed 0.21.1) and GHSA-cph5-m8f7-6c5x (CVE-2021-3749, fixed 0.21.2)
    expect(html).toContain('<a href="https://nvd.nist.gov/vuln/detail/CVE-2020-28168">CVE-2020-28168</a>');
    expect(html).toContain('<a href="https://nvd.nist.gov/vuln/detail/CVE-2021-3749">CVE-2021-3749</a>');
    expect(html).toContain('<strong>upgrade axios 0.19.0 → 0.21.2</strong> clears 2 advisories (1 HIGH, 1 MEDIUM)');
    expect(String(digest.text)).toMatch(/\* \[HIGH\] upgrade axios 0\.19\.0 → 0\.21\.2 clears 2 advisories \(1 HIGH, 1 MEDIUM\)/);
    expect(files.filter((f) => f.includes('_alert_sec@example.com_'))).toHaveLength(1);

    const again = await notify(day);
    expect(JSON.parse(again.stdout).summary).toMatchObject({ sent: 0 });
    await notify(new Date(day.getTime() + 86_400_000));
    const after = await readdir(outbox);
    expect(after.filter((f) => f.includes('_digest_'))).toHaveLength(2);
    expect(after.filter((f) => f.includes('_alert_'))).toHaveLength(1);
  }, 180_000);
});
