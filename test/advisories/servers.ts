/** Real node:http servers on 127.0.0.1 port 0 for the advisory source tests, closed after each test. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

/** A server running `handler` (n = 1-based request count); `url` is its base URL. */
export async function serve(handler: Handler): Promise<{ url: string; requests: () => number }> {
  let n = 0;
  const server = http.createServer((req, res) => handler(req, res, ++n));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests: () => n };
}
