/** A real SMTP server (smtp-server) on 127.0.0.1 port 0: STARTTLS with a self-signed cert, AUTH, rejects and drops. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { onTestFinished } from 'vitest';
import { tmpDir } from './tmp.js';

/** A message the server accepted, raw and parsed back with mailparser. */
export interface ReceivedMail {
  envelopeTo: string[];
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpTestServer {
  host: string;
  port: number;
  /** PEM of the self-signed certificate (trust it with smtp.ca_file). */
  caPem: string;
  caFile: string;
  received: ReceivedMail[];
  /** AUTH attempts as (user, password-was-correct). */
  logins: { user: string; ok: boolean }[];
  /** Connections whose DATA was cut by `dropOnData`. */
  dropped: string[];
  close(): Promise<void>;
}

export interface SmtpServerOptions {
  /** Implicit TLS from the first byte (port-465 style) instead of STARTTLS. */
  secure?: boolean;
  auth?: { user: string; password: string };
  /** RCPT TO addresses answered `550 5.1.1 mailbox unavailable`. */
  rejectRcpt?: string[];
  /** Destroys the connection during DATA of a message to one of these addresses (once each). */
  dropOnData?: string[];
  /** Stores the message to one of these addresses (it is in `received`) but never answers the final `250`. */
  swallowReply?: string[];
}

const exec = promisify(execFile);

/** Makes a self-signed certificate for localhost and 127.0.0.1 with the openssl CLI. */
export async function makeCert(): Promise<{ key: string; cert: string; certFile: string }> {
  const dir = await tmpDir('icms-cert-');
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  await exec('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
  return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8'), certFile };
}

/** Starts the server; it is closed when the test finishes. */
export async function startSmtpServer(opts: SmtpServerOptions = {}): Promise<SmtpTestServer> {
  const { key, cert, certFile } = await makeCert();
  const received: ReceivedMail[] = [];
  const logins: SmtpTestServer['logins'] = [];
  const dropped: string[] = [];
  const pendingDrops = new Set((opts.dropOnData ?? []).map((a) => a.toLowerCase()));
  const swallow = new Set((opts.swallowReply ?? []).map((a) => a.toLowerCase()));
  const sockets = new Map<number, Socket>();
  const server = new SMTPServer({
    secure: opts.secure ?? false,
    key,
    cert,
    logger: false,
    closeTimeout: 1000,
    authOptional: !opts.auth,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      const ok = auth.username === opts.auth?.user && auth.password === opts.auth?.password;
      logins.push({ user: auth.username ?? '', ok });
      if (ok) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      if (opts.rejectRcpt?.map((a) => a.toLowerCase()).includes(address.address.toLowerCase())) {
        cb(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
        return;
      }
      cb();
    },
    onData(stream, session, cb) {
      const rcpts = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
      const drop = rcpts.find((r) => pendingDrops.has(r));
      if (drop) {
        pendingDrops.delete(drop);
        dropped.push(drop);
        sockets.get(session.remotePort)?.destroy();
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            received.push({ envelopeTo: rcpts, raw, parsed });
            if (rcpts.some((r) => swallow.has(r))) return; // stored, but the client never hears so
            cb(null, 'Queued as test');
          },
          (err: Error) => cb(err),
        );
      });
    },
  });
  server.on('error', () => {
    // dropped connections surface here; the test asserts on the client side
  });
  const net = (server as unknown as { server: import('node:net').Server }).server;
  net.on('connection', (s: Socket) => sockets.set(s.remotePort ?? 0, s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (net.address() as { port: number }).port;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  onTestFinished(close);
  return { host: '127.0.0.1', port, caPem: cert, caFile: certFile, received, logins, dropped, close };
}
