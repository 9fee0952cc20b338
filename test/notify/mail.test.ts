import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { createOutboxMailer, createSmtpMailer, newMessageId, parseMailbox, safeFilePart, SendError, type OutgoingMessage, type SmtpSettings } from '../../src/notify/mail.js';
import { startSmtpServer, type SmtpTestServer } from '../helpers/smtp.js';
import { tmpDir } from '../helpers/tmp.js';

const from = { name: 'icms', address: 'icms@example.com' };

function message(to: string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { from, to: { name: 'Alice', address: to }, subject: 'hello', html: '<p>hi</p>', text: 'hi', messageId: newMessageId(from), kind: 'digest', period: '2024-03-10', ...extra };
}

function settings(srv: SmtpTestServer, extra: Partial<SmtpSettings> = {}): SmtpSettings {
  return { host: 'localhost', port: srv.port, secure: false, requireTls: true, user: 'icms', password: 'pw-canary-1234', ca: srv.caPem, pool: false, rateLimit: 10, timeoutMs: 5000, ...extra };
}

describe('SMTP mailer', () => {
  it('sends over STARTTLS (trusting the CA file) with AUTH; the pre-generated Message-ID is kept', async () => {
    const srv = await startSmtpServer({ auth: { user: 'icms', password: 'pw-canary-1234' } });
    const mailer = createSmtpMailer(settings(srv));
    const m = message('alice@example.com', { subject: 'Hi\r\nBcc: victim@evil.test', to: { name: 'Mallory\r\nBcc: victim@evil.test', address: 'alice@example.com' } });
    try {
      expect(await mailer.verify()).toMatch(/STARTTLS required, AUTH as icms/);
      const out = await mailer.send(m);
      expect(out.response).toMatch(/^250 .*Queued as test/);
      expect(out.messageId).toBe(m.messageId);
    } finally {
      mailer.close();
    }
    expect(srv.logins).toEqual([{ user: 'icms', ok: true }, { user: 'icms', ok: true }]);
    const got = srv.received[0]!;
    expect(got.envelopeTo).toEqual(['alice@example.com']);
    expect(got.parsed.messageId).toBe(m.messageId);
    expect(got.parsed.to).toMatchObject({ value: [{ name: 'Mallory Bcc: victim@evil.test', address: 'alice@example.com' }] });
    expect(got.parsed.subject).toBe('Hi Bcc: victim@evil.test');
    expect(got.parsed.bcc).toBeUndefined();
    expect(got.raw).not.toMatch(/^Bcc:/im);
    expect(got.parsed.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('refuses a server whose certificate is not trusted (no CA given)', async () => {
    const srv = await startSmtpServer({ auth: { user: 'icms', password: 'pw-canary-1234' } });
    const mailer = createSmtpMailer(settings(srv, { ca: undefined }));
    try {
      await expect(mailer.send(message('alice@example.com'))).rejects.toThrow(/certificate/i);
    } finally {
      mailer.close();
    }
    expect(srv.received).toEqual([]);
  });

  it('sends over implicit TLS (port-465 style)', async () => {
    const srv = await startSmtpServer({ secure: true });
    const mailer = createSmtpMailer(settings(srv, { secure: true, user: undefined, password: undefined }));
    try {
      await mailer.send(message('alice@example.com'));
    } finally {
      mailer.close();
    }
    expect(srv.received).toHaveLength(1);
  });

  it('a rejected recipient is a SendError carrying the 550 answer; wrong password a 535, without the password', async () => {
    const srv = await startSmtpServer({ auth: { user: 'icms', password: 'pw-canary-1234' }, rejectRcpt: ['nobody@example.com'] });
    const mailer = createSmtpMailer(settings(srv));
    try {
      const err = (await mailer.send(message('nobody@example.com')).catch((e: unknown) => e)) as SendError;
      expect(err).toBeInstanceOf(SendError);
      expect(err.response).toMatch(/^550 5\.1\.1 mailbox unavailable/);
    } finally {
      mailer.close();
    }
    const bad = createSmtpMailer(settings(srv, { password: 'wrong-secret-9876' }));
    try {
      const err = (await bad.send(message('alice@example.com')).catch((e: unknown) => e)) as SendError;
      expect(err.response).toMatch(/^535/);
      expect(`${err.message} ${err.response}`).not.toContain('wrong-secret-9876');
    } finally {
      bad.close();
    }
  });

  it('a connection dropped during DATA fails that message; a pooled mailer sends the next one on a new connection', async () => {
    const srv = await startSmtpServer({ dropOnData: ['bob@example.com'] });
    const mailer = createSmtpMailer(settings(srv, { user: undefined, pool: true }));
    try {
      await expect(mailer.send(message('bob@example.com'))).rejects.toBeInstanceOf(SendError);
      await mailer.send(message('carol@example.com'));
    } finally {
      mailer.close();
    }
    expect(srv.dropped).toEqual(['bob@example.com']);
    expect(srv.received.map((r) => r.envelopeTo)).toEqual([['carol@example.com']]);
  });
});

describe('outbox mailer', () => {
  it('writes a valid .eml per message with a safe file name', async () => {
    const dir = path.join(await tmpDir(), 'outbox');
    const mailer = createOutboxMailer(dir);
    const m = message('../../etc/passwd@example.com', { html: '<p>caf\u00e9</p>', text: 'caf\u00e9' });
    const out = await mailer.send(m);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^2024-03-10_digest___\.\._etc_passwd@example\.com_[0-9a-f]{8}\.eml$/);
    expect(out.response).toBe(`written ${path.join(dir, files[0]!)}`);
    const parsed = await simpleParser(await readFile(path.join(dir, files[0]!)));
    expect(parsed.text?.trim()).toBe('caf\u00e9');
    expect(parsed.html).toContain('<p>caf\u00e9</p>');
    expect(parsed.messageId).toBe(m.messageId);
  });

  it.each([
    ['../x', '__x'],
    ['a/b\\c d', 'a_b_c_d'],
    ['', '_'],
  ])('safeFilePart(%j) = %j', (raw, safe) => {
    expect(safeFilePart(raw)).toBe(safe);
  });
});

describe('parseMailbox', () => {
  it('parses configured addresses into address objects', () => {
    expect(parseMailbox('icms <icms@example.com>', 'notify.from')).toEqual({ name: 'icms', address: 'icms@example.com' });
    expect(parseMailbox('sec@example.com', 'notify.security_team')).toEqual({ name: '', address: 'sec@example.com' });
  });
  it.each(['a@example.com, b@example.com', 'not an address', ''])('refuses %j', (raw) => {
    expect(() => parseMailbox(raw, 'notify.from')).toThrow(/notify\.from/);
  });
});
