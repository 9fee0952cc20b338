/**
 * The one HTTP client (ops API, vtopia, OSV downloads) against a real node:http server on 127.0.0.1: what is
 * retried and what is not, the size cap, the two timeout shapes, and the secrets kept out of its messages.
 */
import { describe, expect, it } from 'vitest';
import { getJson, httpRequest, HttpError, openUrl, readText } from '../../src/shared/http.js';
import { IcmsError } from '../../src/shared/errors.js';
import { json, startServer } from '../helpers/http.js';

const fast = { timeoutMs: 2_000, retries: 2, backoffMs: 1 };

async function failure(p: Promise<unknown>): Promise<HttpError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
}

describe('http client', () => {
  it('retries a 5xx and returns the next answer; sends the method, headers and body it was given', async () => {
    const srv = await startServer((req, res) => (srv.requests.length === 1 ? json(res, 503, {}) : json(res, 200, { ok: req.body })));
    const res = await httpRequest(`${srv.url}/refresh`, { ...fast, method: 'POST', body: new URLSearchParams({ token: 'abc' }), headers: { 'x-test': '1' }, what: 'ops token refresh' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ ok: 'token=abc' });
    expect(srv.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
    expect(srv.requests[1]!.headers['x-test']).toBe('1');
  });

  it('gives up after 1 + retries attempts with the URL (its token masked), the attempts and the last status', async () => {
    const srv = await startServer((_req, res) => json(res, 502, {}));
    const err = await failure(httpRequest(`${srv.url}/inv?token=s3cr3t-canary`, { ...fast, what: 'ops inventory' }));
    expect(srv.requests).toHaveLength(3);
    expect(err.message).toMatch(/^ops inventory: GET http:\/\/127\.0\.0\.1:\d+\/inv\?token=\S+ failed after 3 attempts: HTTP 502$/);
    expect(err.message).not.toContain('s3cr3t-canary');
    expect(err.status).toBe(502);
    expect(err).toBeInstanceOf(IcmsError);
    expect(err.exitCode).toBe(4);
  });

  it('does not retry a 4xx: one request, the status kept (ops-api refreshes its token on a 401)', async () => {
    const srv = await startServer((_req, res) => json(res, 401, {}));
    const err = await failure(httpRequest(srv.url, { ...fast, what: 'ops inventory' }));
    expect(srv.requests).toHaveLength(1);
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/^ops inventory: GET http:\/\/127\.0\.0\.1:\d+: answered HTTP 401$/);
  });

  it('refuses a body over the cap, declared or streamed, without retrying', async () => {
    const declared = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2000' });
      res.end('x'.repeat(2_000));
    });
    expect((await failure(httpRequest(declared.url, { ...fast, maxBytes: 1_000 }))).message).toMatch(/response of \d+ bytes is larger than the 1000-byte limit/);
    expect(declared.requests).toHaveLength(1);
    const chunked = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // no content-length: chunked
      for (let i = 0; i < 4; i++) res.write('x'.repeat(500));
      res.end();
    });
    expect((await failure(httpRequest(chunked.url, { ...fast, maxBytes: 1_000 }))).message).toMatch(/response larger than the 1000-byte limit/);
    expect(chunked.requests).toHaveLength(1);
  });

  it('getJson retries a garbled body like a 5xx, then reports what the body started with', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>maintenance</html>');
    });
    const err = await failure(getJson(srv.url, { ...fast, retries: 1 }));
    expect(srv.requests).toHaveLength(2);
    expect(err.message).toMatch(/failed after 2 attempts: response is not JSON \(starts "<html>maintenance<\/html>"\)/);
    const ok = await startServer((_req, res) => json(res, 200, { body: { list: [] } }));
    expect(await getJson(ok.url, fast)).toEqual({ body: { list: [] } });
  });

  it('times out a request whose answer does not come whole in time (headers or body), and retries it', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"slow":'); // never finished
    });
    const started = Date.now();
    const err = await failure(httpRequest(srv.url, { timeoutMs: 200, retries: 1, backoffMs: 1 }));
    expect(err.message).toMatch(/failed after 2 attempts: .*timed out after 200 ms/);
    expect(srv.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('with touch() on progress the timer is an idle timeout: a steady slow stream completes, a stalled one is cut', async () => {
    const steady = await startServer(async (_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 6; i++) {
        res.write('x'.repeat(10));
        await new Promise((r) => setTimeout(r, 100)); // 600 ms in all, each gap under the 300 ms timeout
      }
      res.end();
    });
    const open = await openUrl(steady.url, { timeoutMs: 300, retries: 0 });
    let received = '';
    for await (const chunk of open.response.body as AsyncIterable<Uint8Array>) {
      received += Buffer.from(chunk).toString();
      open.touch();
    }
    open.done();
    expect(received).toBe('x'.repeat(60));

    const stalled = await startServer((_req, res) => {
      res.writeHead(200);
      res.write('x');
    });
    const cut = await openUrl(stalled.url, { timeoutMs: 200, retries: 0 });
    cut.touch();
    const err = await failure(readText(cut, 1_000));
    expect(err.message).toMatch(/no data for 200 ms/);
    expect(err.retryable).toBe(true);
  });
});
