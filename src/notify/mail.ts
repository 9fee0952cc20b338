/** Mail transports (the SMTP edge): nodemailer over SMTP, or `.eml` files in an outbox directory. */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { Logger as SmtpLogger } from 'nodemailer/lib/shared/index.js';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { writeFileAtomic } from '../shared/atomic-write.js';
import { errorMessage, usageError } from '../shared/errors.js';
import { headerSafe, isPlainAddress } from './escape.js';

/** A mailbox as nodemailer's address object (never a concatenated string). */
export interface Mailbox {
  name: string;
  address: string;
}

/** One message ready to leave. */
export interface OutgoingMessage {
  from: Mailbox;
  to: Mailbox;
  replyTo?: Mailbox | undefined;
  subject: string;
  html: string;
  text: string;
  /** Pre-generated (recorded in the ledger before sending), with angle brackets. */
  messageId: string;
  /** For outbox file names. */
  kind: string;
  period: string;
}

/** What the transport reports for an accepted message. */
export interface SendOutcome {
  messageId: string;
  /** The server's answer (SMTP) or the written file (outbox). */
  response: string;
}

/** A transport failure with the server's answer when there was one (e.g. `550 5.1.1 user unknown`). */
export class SendError extends Error {
  readonly response: string | undefined;
  /**
   * The whole message (its final `.` included) reached the server, which then never answered: it may have stored
   * it, exactly as when icms is killed mid-send, so it must not be resent.
   */
  readonly maybeDelivered: boolean;
  constructor(message: string, response: string | undefined, cause: unknown, maybeDelivered = false) {
    super(message, { cause });
    this.name = 'SendError';
    this.response = response;
    this.maybeDelivered = maybeDelivered;
  }
}

/** Sends messages; `close()` releases pooled connections. */
export interface Mailer {
  readonly transport: 'smtp' | 'outbox';
  send(message: OutgoingMessage): Promise<SendOutcome>;
  /** Checks the server (connect, TLS, AUTH) or the outbox directory; returns a description. */
  verify(): Promise<string>;
  close(): void;
}

/** SMTP settings, with the secret already read and the CA file's contents loaded. */
export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  requireTls: boolean;
  user?: string | undefined;
  password?: string | undefined;
  ca?: string | undefined;
  pool: boolean;
  rateLimit: number;
  timeoutMs: number;
}

/** Parses one configured address (`Name <a@b>` or `a@b`) into a mailbox; `key` names the option in errors. */
export function parseMailbox(text: string, key: string): Mailbox {
  const list = addressparser(text, { flatten: true });
  const first = list[0];
  if (list.length !== 1 || !first || !isPlainAddress(first.address)) {
    throw usageError(`${key}: ${JSON.stringify(text)} is not one email address`, `e.g. ${key}: "icms <icms@example.com>"`);
  }
  return { name: headerSafe(first.name), address: first.address };
}

/** A new Message-ID in the sender's domain. */
export function newMessageId(from: Mailbox): string {
  const domain = from.address.split('@')[1] ?? 'icms.invalid';
  return `<${randomUUID()}@${domain}>`;
}

function mailOptions(m: OutgoingMessage): nodemailer.SendMailOptions {
  return {
    from: { name: headerSafe(m.from.name), address: m.from.address },
    to: { name: headerSafe(m.to.name), address: m.to.address },
    ...(m.replyTo ? { replyTo: { name: headerSafe(m.replyTo.name), address: m.replyTo.address } } : {}),
    subject: headerSafe(m.subject, 300),
    html: m.html,
    text: m.text,
    messageId: m.messageId,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    // quoted-printable, as nodemailer's detection picks for mostly-Latin text: without it nodemailer runs two
    // regular expressions over every body to decide, a quarter of a large digest run (MBs of HTML per mail)
    textEncoding: 'quoted-printable',
  };
}

/** An SMTP mailer (implicit TLS or STARTTLS, AUTH, optional CA, pooling with a rate limit, timeouts). */
export function createSmtpMailer(s: SmtpSettings): Mailer {
  // nodemailer logs the encoded message once its stream (final '.' included) went to the socket; messages are sent
  // one at a time, so this flag tells whether the current one got that far. Nothing is printed.
  let bodyWritten = false;
  const quiet = (): void => undefined;
  const watcher: SmtpLogger = { level: quiet, trace: quiet, debug: quiet, warn: quiet, error: quiet, fatal: quiet, info: (meta: unknown): void => {
    if ((meta as { tnx?: unknown } | null)?.tnx === 'message') bodyWritten = true;
  } };
  const common = {
    host: s.host,
    port: s.port,
    secure: s.secure,
    requireTLS: !s.secure && s.requireTls,
    auth: s.user ? { user: s.user, pass: s.password ?? '' } : undefined,
    tls: { minVersion: 'TLSv1.2' as const, ...(s.ca ? { ca: s.ca } : {}) },
    connectionTimeout: s.timeoutMs,
    greetingTimeout: s.timeoutMs,
    socketTimeout: s.timeoutMs * 2,
    logger: watcher,
    debug: false,
  };
  const transporter = s.pool
    ? nodemailer.createTransport({ ...common, pool: true, maxConnections: 2, rateDelta: 1000, rateLimit: s.rateLimit } satisfies SMTPPool.Options)
    : nodemailer.createTransport(common satisfies SMTPTransport.Options);
  return {
    transport: 'smtp',
    async send(m) {
      bodyWritten = false;
      try {
        const info = (await transporter.sendMail(mailOptions(m))) as SMTPTransport.SentMessageInfo;
        if (info.rejected.length > 0) throw new SendError(`${m.to.address} rejected`, info.response, undefined);
        return { messageId: info.messageId || m.messageId, response: info.response };
      } catch (err) {
        if (err instanceof SendError) throw err;
        const response = (err as { response?: unknown }).response;
        // a timeout after the whole message went out: the server may have stored it (a refusal or a dropped
        // connection is an answer: retried)
        const unanswered = bodyWritten && (err as { code?: unknown }).code === 'ETIMEDOUT';
        throw new SendError(`SMTP ${s.host}:${s.port}: ${errorMessage(err)}`, typeof response === 'string' ? response : undefined, err, unanswered);
      }
    },
    async verify() {
      await transporter.verify();
      return `SMTP ${s.host}:${s.port} (${s.secure ? 'implicit TLS' : s.requireTls ? 'STARTTLS required' : 'STARTTLS when offered'}${s.user ? `, AUTH as ${s.user}` : ''})`;
    },
    close: () => transporter.close(),
  };
}

/** Makes a file-name part from untrusted text: only [A-Za-z0-9._@+-], no leading dot, bounded length. */
export function safeFilePart(text: string, max = 80): string {
  const clean = text.replace(/[^A-Za-z0-9._@+-]+/g, '_').replace(/^[.]+/, '_').slice(0, max);
  return clean || '_';
}

/** Writes each message as an RFC 822 `.eml` file into `dir` (atomically), built by nodemailer itself. */
export function createOutboxMailer(dir: string): Mailer {
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    transport: 'outbox',
    async send(m) {
      const info = await transporter.sendMail(mailOptions(m));
      const id = m.messageId.replace(/^<|@.*$/g, '').slice(0, 8);
      const file = path.join(dir, `${safeFilePart(m.period)}_${safeFilePart(m.kind)}_${safeFilePart(m.to.address)}_${safeFilePart(id)}.eml`);
      await writeFileAtomic(file, info.message as Buffer, { mode: 0o600 });
      return { messageId: info.messageId || m.messageId, response: `written ${file}` };
    },
    async verify() {
      return `outbox: ${dir}`;
    },
    close: () => transporter.close(),
  };
}
