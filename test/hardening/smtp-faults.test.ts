/**
 * SMTP failing under `icms notify`: refused port, no TLS where TLS is required, a TLS handshake against a
 * plain server, a wrong password, a connection dropped mid-message. Each: exit 3, the server's or the
 * socket's reason recorded, the other recipients still served, and the failed ones retried on the next run
 * (the security-team alert included, even when a later match run found nothing new).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SMTPServer } from 'smtp-server';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startSmtpServer, type SmtpTestServer } from '../helpers/smtp.js';
import { DAY1, seedDb } from '../notify/seed.js';

const EVERYONE = ['alice@example.com', 'bob@example.com', 'mallory@example.com', 'security@example.com'];

async function setup() {
  const s = await seedDb();
  s.db.close();
  const config = (smtp: string) =>
    writeFile(path.join(s.dir, 'icms.yaml'), `db: ${s.file}\nnotify:\n  transport: smtp\n  security_team: [security@example.com]\nsmtp:\n  host: localhost\n  pool: false\n  timeout_ms: 3000\n${smtp}`);
  const notify = (env: Record<string, string> = {}) => runCli(['notify', '--format', 'json'], { cwd: s.dir, env, now: () => DAY1 });
  const ledger = () => {
    const db = new Database(s.file, { readonly: true });
    try {
      return db.prepare('SELECT recipient, kind, state, error FROM notifications ORDER BY recipient').all() as { recipient: string; kind: string; state: string; error: string | null }[];
    } finally {
      db.close();
    }
  };
  return { ...s, config, notify, ledger };
}

const working = (srv: SmtpTestServer) => `  port: ${srv.port}\n  ca_file: ${srv.caFile}\n`;
const recipients = (srv: SmtpTestServer) => srv.received.map((m) => m.envelopeTo[0]).sort();

/** A plain SMTP server that offers no STARTTLS. */
async function plainServer(): Promise<number> {
  const server = new SMTPServer({ disabledCommands: ['STARTTLS'], authOptional: true, logger: false, onData: (stream, _s, cb) => stream.on('end', () => cb()).resume() });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.server.address() as { port: number }).port;
}

describe('notify with a failing SMTP server', () => {
  it('refused port: every message failed (exit 3); the next run with a server sends them all, the alert too', async () => {
    const t = await setup();
    await t.config('  port: 1\n');
    const r = await t.notify();
    expect(r.code, r.stderr).toBe(3);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ sent: 0, failed: 4 });
    expect(r.stderr).toMatch(/ECONNREFUSED/);
    expect(t.ledger().map((l) => `${l.recipient} ${l.state}`)).toEqual(EVERYONE.map((e) => `${e} failed`));

    // a later match run that found nothing new must not make the failed alert's findings disappear
    const db = new Database(t.file);
    db.prepare("INSERT INTO runs (id, command, started_at, status) VALUES (100, 'match', '2024-03-10T05:00:00Z', 'ok')").run();
    db.prepare("INSERT INTO match_stats (run_id, at, severity, status, count) VALUES (100, '2024-03-10T05:00:00Z', 'HIGH', 'open', 1)").run();
    db.close();
    const srv = await startSmtpServer();
    await t.config(working(srv));
    const again = await t.notify();
    expect(again.code, again.stderr).toBe(0);
    expect(recipients(srv)).toEqual(EVERYONE);
    const alert = srv.received.find((m) => m.envelopeTo[0] === 'security@example.com')!;
    expect(alert.parsed.subject).toMatch(/alert: \d+ new finding/);
    expect(String(alert.parsed.text)).toContain('golang.org/x/net'); // new in match run 2, alerted after run 100
  });

  it('STARTTLS required but not offered: refused before any message leaves (exit 3)', async () => {
    const t = await setup();
    await t.config(`  port: ${await plainServer()}\n`);
    const r = await t.notify();
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/STARTTLS|TLS/);
    expect(t.ledger().every((l) => l.state === 'failed')).toBe(true);
  });

  it('implicit TLS against a plain server, and STARTTLS with an untrusted certificate: TLS errors (exit 3)', async () => {
    const t = await setup();
    await t.config(`  port: ${await plainServer()}\n  secure: true\n`);
    const plain = await t.notify();
    expect(plain.code, plain.stderr).toBe(3);
    expect(plain.stderr).toMatch(/ssl|tls|wrong version number|ECONNRESET|Greeting never received|timeout/i);
    const srv = await startSmtpServer();
    await t.config(`  port: ${srv.port}\n`); // no ca_file: the self-signed certificate is not trusted
    const untrusted = await t.notify();
    expect(untrusted.code, untrusted.stderr).toBe(3);
    expect(untrusted.stderr).toMatch(/self[- ]signed certificate|unable to verify/i);
    expect(srv.received).toHaveLength(0);
  });

  it('wrong password: AUTH refused for every message (exit 3), the password is not printed', async () => {
    const t = await setup();
    const srv = await startSmtpServer({ auth: { user: 'icms', password: 'right-password-xyz' } });
    await t.config(`${working(srv)}  user: icms\n`);
    const r = await t.notify({ ICMS_SMTP_PASSWORD: 'wrong-password-abc' });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/535|Invalid login/);
    expect(`${r.stdout}${r.stderr}${JSON.stringify(t.ledger())}`).not.toContain('wrong-password-abc');
    expect(srv.received).toHaveLength(0);
  });

  it('a connection dropped during one message: that one failed, the others sent, and only it is retried', async () => {
    const t = await setup();
    const srv = await startSmtpServer({ dropOnData: ['bob@example.com'] });
    await t.config(working(srv));
    const r = await t.notify();
    expect(r.code, r.stderr).toBe(3);
    expect(recipients(srv)).toEqual(EVERYONE.filter((e) => e !== 'bob@example.com'));
    expect(t.ledger().find((l) => l.recipient === 'bob@example.com')!.state).toBe('failed');
    const again = await t.notify();
    expect(again.code, again.stderr).toBe(0);
    expect(recipients(srv)).toEqual(EVERYONE); // bob once, nobody twice
  });

  it('a server that stores the message but never answers 250: sent-unconfirmed, never resent', async () => {
    const t = await setup();
    const srv = await startSmtpServer({ swallowReply: ['bob@example.com'] });
    await t.config(working(srv));
    await writeFile(path.join(t.dir, 'icms.yaml'), (await readFile(path.join(t.dir, 'icms.yaml'), 'utf8')).replace('timeout_ms: 3000', 'timeout_ms: 1000'));
    const r = await t.notify();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).summary).toMatchObject({ sent: 3, failed: 0, unconfirmed: 1 });
    expect(r.stderr).toMatch(/bob@example\.com.*sent-unconfirmed.*not resent/);
    expect(recipients(srv)).toEqual(EVERYONE); // bob's message was stored by the server
    const bob = t.ledger().find((l) => l.recipient === 'bob@example.com')!;
    expect(bob.state).toBe('sent');
    const again = await t.notify();
    expect(again.code, again.stderr).toBe(0);
    expect(recipients(srv)).toEqual(EVERYONE); // nobody twice, bob included
  });
});
