/**
 * The one HTTP client of icms (ops platform API, vtopia pages, OSV zip downloads): bounded retries with
 * exponential backoff on network errors, timeouts and 5xx/429; 4xx and 304 answered at once (retrying would not
 * change them); a size cap on bodies read into memory; URLs redacted in every message.
 *
 * Timeouts: a request's timer runs from the request until `done()`, so for a body read with `readText` it covers
 * headers and the whole body (a server trickling bytes cannot hold a run forever). A streamed download calls
 * `touch()` on real progress instead, which turns the timer into an idle timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, IcmsError, errorMessage } from './errors.js';
import { redactPatterns } from './redact.js';
import type { Logger } from './log.js';
import { plural } from './plural.js';

/** Timeout and retry settings of one endpoint. */
export interface HttpOptions {
  /** Abort when the answer (or, after `touch()`, the next progress) has not come for this long. */
  timeoutMs: number;
  /** Extra attempts after the first. */
  retries: number;
  /** First backoff; doubles per retry, with ±25% jitter so retries of several clients do not align. Default 500. */
  backoffMs?: number;
  headers?: Record<string, string>;
  /** For retry messages at debug level. */
  logger?: Logger;
  /** What is fetched, to start messages with ("ops inventory"). */
  what?: string;
}

/** An HTTP failure: retryable (5xx, 429, network, timeout, garbled body) or not (4xx, too big); `status` when the server answered. */
export class HttpError extends IcmsError {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message, ExitCode.External, { hint: status !== undefined && status < 500 ? 'check the URL and credentials; the server said no' : 'check that the host is reachable, or raise the timeout' });
    this.name = 'HttpError';
  }
}

/** A response whose body is still to be read, its timer armed until `done()`. */
export interface OpenResponse {
  response: Response;
  /** Restarts the timer (call on real progress of a streamed body). */
  touch(): void;
  /** Disarms the timer. */
  done(): void;
}

/**
 * Runs `attempt` up to 1 + retries times while it fails with a retryable error (an HttpError says; anything else,
 * e.g. a network error, is retried). The final error names the URL, the attempts and the last reason; an error
 * that must not be retried is thrown at once, with the URL.
 */
export async function withRetries<T>(url: string, opts: HttpOptions & { method?: string }, attempt: () => Promise<T>): Promise<T> {
  let lastError: unknown;
  const tries = opts.retries + 1;
  for (let i = 0; i < tries; i++) {
    if (i > 0) {
      const delay = (opts.backoffMs ?? 500) * 2 ** (i - 1) * (0.75 + Math.random() * 0.5);
      opts.logger?.debug(`${prefix(opts)}retry ${i}/${opts.retries} of ${redactPatterns(url)} in ${Math.round(delay)} ms (${errorMessage(lastError)})`);
      await sleep(delay);
    }
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof HttpError && !err.retryable) throw new HttpError(`${prefix(opts)}${opts.method ?? 'GET'} ${redactPatterns(url)}: ${err.message}`, false, err.status);
      lastError = err;
    }
  }
  const status = lastError instanceof HttpError ? lastError.status : undefined;
  throw new HttpError(`${prefix(opts)}${opts.method ?? 'GET'} ${redactPatterns(url)} failed after ${plural(tries, 'attempt')}: ${redactPatterns(errorMessage(lastError))}`, false, status);
}

/**
 * One request; resolves once the headers of a 2xx/304 arrived, throws HttpError otherwise (the timer keeps running
 * until `done()`). `idle`: the caller will `touch()` on progress (the timeout then reads "no data for …").
 */
export async function openUrl(url: string, opts: HttpOptions & { method?: string; body?: string | URLSearchParams; idle?: boolean }): Promise<OpenResponse> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // a streamed download (`idle`) counts its timer as idle time from the start
  let touched = opts.idle ?? false;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(touched ? `no data for ${opts.timeoutMs} ms` : `timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
  };
  const done = (): void => clearTimeout(timer);
  arm();
  let response: Response;
  try {
    response = await fetch(url, { method: opts.method ?? 'GET', headers: opts.headers, body: opts.body, signal: controller.signal, redirect: 'follow' });
  } catch (err) {
    done();
    const reason = controller.signal.aborted ? errorMessage(controller.signal.reason) : errorMessage(err);
    throw new HttpError(`${reason}${causeOf(err)}`, true);
  }
  if (response.status === 304 || response.ok) {
    return {
      response,
      touch: () => {
        touched = true;
        arm();
      },
      done,
    };
  }
  done();
  await response.body?.cancel().catch(() => undefined);
  const retryable = response.status >= 500 || response.status === 429;
  if (retryable) throw new HttpError(`HTTP ${response.status}`, true, response.status);
  throw new HttpError(`answered HTTP ${response.status}`, false, response.status);
}

/** Reads a body as text; more than `maxBytes` (declared or read) is an error that is not retried. */
export async function readText(open: OpenResponse, maxBytes: number): Promise<string> {
  const declared = Number(open.response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await open.response.body?.cancel().catch(() => undefined);
    throw new HttpError(`response of ${declared} bytes is larger than the ${maxBytes}-byte limit`, false);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of (open.response.body ?? []) as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        await open.response.body?.cancel().catch(() => undefined);
        throw new HttpError(`response larger than the ${maxBytes}-byte limit`, false);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(`reading the answer: ${errorMessage(err)}${causeOf(err)}`, true);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Anything bigger than this read into memory is a broken or hostile server, not data. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** A request whose body is read whole (at most `maxBytes`), with retries. */
export async function httpRequest(url: string, opts: HttpOptions & { method?: string; body?: string | URLSearchParams; maxBytes?: number }): Promise<HttpResponse> {
  return withRetries(url, opts, async () => {
    const open = await openUrl(url, opts);
    try {
      const text = await readText(open, opts.maxBytes ?? MAX_BODY_BYTES);
      return { status: open.response.status, headers: open.response.headers, text };
    } finally {
      open.done();
    }
  });
}

/** A JSON page (a vtopia page is a few hundred KB): anything bigger is a broken or hostile server, not data. */
export const MAX_JSON_BYTES = 32 * 1024 * 1024;

/** GETs `url` and parses its body as JSON (at most `maxBytes`); a garbled body is retried like a 5xx. */
export async function getJson(url: string, opts: HttpOptions & { maxBytes?: number }): Promise<unknown> {
  return withRetries(url, opts, async () => {
    const open = await openUrl(url, opts);
    try {
      const text = await readText(open, opts.maxBytes ?? MAX_JSON_BYTES);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new HttpError(`response is not JSON (starts ${JSON.stringify(text.slice(0, 40))})`, true);
      }
    } finally {
      open.done();
    }
  });
}

function prefix(opts: { what?: string }): string {
  return opts.what ? `${opts.what}: ` : '';
}

function causeOf(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (!cause) return '';
  return ` (${redactPatterns(cause.code ?? cause.message ?? '')})`;
}
