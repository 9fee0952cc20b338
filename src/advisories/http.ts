/**
 * HTTP GET with an idle timeout and bounded retries (exponential backoff) on network errors,
 * timeouts and 5xx. 4xx and 304 are answered at once: retrying would not change them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../shared/errors.js';
import { redactPatterns } from '../shared/redact.js';

/** Retry and timeout settings of one source. */
export interface HttpOptions {
  /** Abort when no byte arrived for this long (headers or body). */
  timeoutMs: number;
  /** Extra attempts after the first. */
  retries: number;
  /** First backoff; doubled per retry. */
  backoffMs: number;
  headers?: Record<string, string>;
}

/** A response whose body is still to be read, with the idle timer armed until `done()`. */
export interface OpenResponse {
  response: Response;
  /** Call on each chunk so a slow but moving download is not cut off. */
  touch(): void;
  /** Disarms the idle timer. */
  done(): void;
}

/** An HTTP failure worth retrying (5xx, network, timeout) or not (4xx, bad body). */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Runs `attempt` up to 1 + retries times while it fails with a retryable error. */
export async function withRetries<T>(url: string, opts: HttpOptions, attempt: () => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let i = 0; i <= opts.retries; i++) {
    if (i > 0) await sleep(opts.backoffMs * 2 ** (i - 1));
    try {
      return await attempt();
    } catch (err) {
      lastError = err;
      if (err instanceof HttpError && !err.retryable) break;
    }
  }
  const tries = opts.retries + 1;
  throw new Error(`GET ${redactPatterns(url)} failed after ${tries} attempt(s): ${errorMessage(lastError)}`);
}

/** One GET of `url`; resolves once headers of a 2xx/304 arrived, throws HttpError otherwise. */
export async function openUrl(url: string, opts: HttpOptions): Promise<OpenResponse> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const touch = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${opts.timeoutMs} ms`)), opts.timeoutMs);
  };
  const done = (): void => clearTimeout(timer);
  touch();
  let response: Response;
  try {
    response = await fetch(url, { headers: opts.headers, signal: controller.signal, redirect: 'follow' });
  } catch (err) {
    done();
    const reason = controller.signal.aborted ? errorMessage(controller.signal.reason) : errorMessage(err);
    throw new HttpError(`${reason}${causeOf(err)}`, true);
  }
  if (response.status === 304 || response.ok) return { response, touch, done };
  done();
  await response.body?.cancel().catch(() => undefined);
  throw new HttpError(`HTTP ${response.status} ${response.statusText}`.trim(), response.status >= 500 || response.status === 429);
}

function causeOf(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (!cause) return '';
  return ` (${cause.code ?? cause.message ?? ''})`;
}

/** A JSON page (a vtopia page is a few hundred KB): anything bigger is a broken or hostile server, not data. */
export const MAX_JSON_BYTES = 32 * 1024 * 1024;

/** GETs `url` and parses its body as JSON (at most `maxBytes`); a garbled body is retried like a 5xx. */
export async function getJson(url: string, opts: HttpOptions & { maxBytes?: number }): Promise<unknown> {
  return withRetries(url, opts, async () => {
    const open = await openUrl(url, opts);
    try {
      const text = await readCapped(open, opts.maxBytes ?? MAX_JSON_BYTES);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new HttpError(`response is not JSON (starts ${JSON.stringify(text.slice(0, 40))})`, true);
      }
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(errorMessage(err), true);
    } finally {
      open.done();
    }
  });
}

/**
 * Reads the body as text; more than `maxBytes` is a non-retryable error. Chunks do not reset the timer: a page
 * must arrive whole within timeoutMs of the request, so a server trickling bytes cannot hold the sync forever.
 */
async function readCapped(open: OpenResponse, maxBytes: number): Promise<string> {
  const declared = Number(open.response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new HttpError(`response of ${declared} bytes exceeds the ${maxBytes}-byte limit`, false);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of (open.response.body ?? []) as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      await open.response.body?.cancel().catch(() => undefined);
      throw new HttpError(`response exceeds the ${maxBytes}-byte limit`, false);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
