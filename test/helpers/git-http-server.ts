/**
 * Loopback HTTP git servers for tests: `git http-backend` (CGI) behind node:http, optionally requiring an
 * exact Authorization header, and a server that accepts connections and never answers.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { onTestFinished } from 'vitest';

export interface GitHttpServer {
  /** Base URL, e.g. http://127.0.0.1:34567 ; repositories are `${baseUrl}/<path under projectRoot>`. */
  baseUrl: string;
  /** Every request seen: method, path and the Authorization header (if any). */
  requests: { method: string; url: string; authorization: string | undefined }[];
}

/** Serves the bare repositories under `projectRoot`; with `requireAuth`, anything else gets 401. */
export async function startGitHttpServer(projectRoot: string, opts: { requireAuth?: string } = {}): Promise<GitHttpServer> {
  const requests: GitHttpServer['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    if (opts.requireAuth !== undefined && req.headers.authorization !== opts.requireAuth) {
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="icms-test"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    runHttpBackend(projectRoot, req, res);
  });
  const sockets = trackSockets(server);
  await listen(server);
  onTestFinished(() => close(server, sockets));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** An HTTP server that accepts connections and requests but never answers them. */
export async function startHangingServer(): Promise<{ baseUrl: string }> {
  const server = http.createServer(() => {
    /* never respond */
  });
  const sockets = trackSockets(server);
  await listen(server);
  onTestFinished(() => close(server, sockets));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function runHttpBackend(projectRoot: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
  };
  const h = req.headers;
  if (h['content-type']) env.CONTENT_TYPE = h['content-type'];
  if (h['content-length']) env.CONTENT_LENGTH = h['content-length'];
  if (h['content-encoding']) env.HTTP_CONTENT_ENCODING = h['content-encoding'];
  if (typeof h['git-protocol'] === 'string') env.GIT_PROTOCOL = h['git-protocol'];
  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headerDone = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (headerDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headerDone = true;
    writeCgiHead(res, head.subarray(0, end).toString('latin1'));
    res.write(head.subarray(end + 4));
  });
  cgi.on('close', () => {
    if (!headerDone) res.writeHead(502).end('http-backend produced no headers\n');
    else res.end();
  });
}

function writeCgiHead(res: http.ServerResponse, text: string): void {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else headers[name] = value;
  }
  res.writeHead(status, headers);
}

function trackSockets(server: http.Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return sockets;
}

function listen(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

function close(server: http.Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
