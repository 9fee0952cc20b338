/**
 * HTTP client for the external APIs (ops platform, advisory feeds): a timeout per attempt covering the
 * body too, bounded retries with exponential backoff on 5xx / network errors / timeouts, a body size cap.
 */
import { IcmsError, ExitCode, errorMessage } from './errors.js';
import { redactPatterns } from './redact.js';
import type { Logger } from './log.js';

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  timeoutMs: number;
  retries: number;
  /** First backoff delay; doubles each retry (with jitter). */
  backoffMs?: number;
  maxBytes?: number;
  logger?: Logger;
  /** What is being fetched, for messages ("ops inventory"). */
  what: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** Thrown for a final non-2xx answer (after retries for 5xx); carries the status. */
export class HttpStatusError extends IcmsError {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message, ExitCode.External, { hint: 'check the URL and credentials; the server said no' });
    this.status = status;
  }
}

/** Performs a request with retries; 2xx and 304 are returned, 4xx throw at once, 5xx/timeouts are retried. */
export async function httpRequest(url: string, opts: HttpOptions): Promise<HttpResponse> {
  const safeUrl = redactPatterns(url);
  let lastError: unknown;
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    if (attempt > 0) {
      const delay = (opts.backoffMs ?? 500) * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
      opts.logger?.debug(`${opts.what}: retry ${attempt}/${opts.retries} in ${Math.round(delay)} ms (${errorMessage(lastError)})`);
      await new Promise((r) => setTimeout(r, delay));
    }
    try {
      const res = await fetch(url, {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        body: opts.body,
        redirect: 'follow',
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      const text = await readLimited(res, opts.maxBytes ?? DEFAULT_MAX_BYTES, opts.what);
      if (res.status >= 500) {
        lastError = new HttpStatusError(`${opts.what}: ${safeUrl} answered HTTP ${res.status}`, res.status);
        continue;
      }
      if (res.status >= 400) throw new HttpStatusError(`${opts.what}: ${safeUrl} answered HTTP ${res.status}`, res.status);
      return { status: res.status, headers: res.headers, text };
    } catch (err) {
      if (err instanceof HttpStatusError || (err instanceof IcmsError && /larger than/.test(err.message))) throw err;
      lastError = err;
    }
  }
  const tries = opts.retries + 1;
  if (lastError instanceof HttpStatusError) {
    throw new HttpStatusError(`${lastError.message} (after ${tries} attempt${tries > 1 ? 's' : ''})`, lastError.status);
  }
  throw new IcmsError(`${opts.what}: ${safeUrl} failed after ${tries} attempt${tries > 1 ? 's' : ''}: ${describeFetchError(lastError, opts.timeoutMs)}`, ExitCode.External, {
    hint: 'check that the host is reachable, or raise the timeout',
    cause: lastError,
  });
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `timed out after ${timeoutMs} ms`;
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return redactPatterns(`${errorMessage(err)}${cause}`);
}

async function readLimited(res: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new IcmsError(`${what}: response of ${declared} bytes is larger than the ${maxBytes}-byte limit`, ExitCode.External);
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      await res.body.cancel().catch(() => undefined);
      throw new IcmsError(`${what}: response larger than the ${maxBytes}-byte limit`, ExitCode.External);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
