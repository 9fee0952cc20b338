/** Loopback servers for the advisory source tests: the shared test server, with the request count passed in. */
import type http from 'node:http';
import { startServer, type RecordedRequest } from '../helpers/http.js';

export type Handler = (req: RecordedRequest, res: http.ServerResponse, n: number) => void;

/** A server running `handler` (n = 1-based request count); `url` is its base URL. */
export async function serve(handler: Handler): Promise<{ url: string; requests: () => number }> {
  const server = await startServer((req, res) => handler(req, res, server.requests.length));
  return { url: server.url, requests: () => server.requests.length };
}
