/**
 * The NVD CVE API 2.0 (https://nvd.nist.gov/developers/vulnerabilities): pages of `resultsPerPage` records from
 * `startIndex`; after a first full sync only what changed, in `lastModStartDate`/`lastModEndDate` windows of at most
 * 120 days (the API's limit) from the newest `lastModified` stored. An API key (from the variable `api_key_env`)
 * goes in the `apiKey` header. NVD allows 5 requests per rolling 30 s without a key and 50 with one; requests wait
 * for a slot rather than be refused (NVD answers an excess request with 403).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { getJson } from '../shared/http.js';
import type { NvdSourceConfig } from './config.js';
import { InvalidRecord } from './normalize.js';
import { normalizeNvd } from './nvd-record.js';
import type { FetchContext, FetchOutcome, ParsedEntry, SourceEntry } from './source.js';

/** NVD's longest lastModStartDate..lastModEndDate range. */
const MAX_WINDOW_MS = 120 * 24 * 3600 * 1000;

/** The records of the API: all of them, or (with a watermark) those changed since; `incremental` tells the sync. */
export async function* nvdApiEntries(cfg: NvdSourceConfig, ctx: FetchContext): AsyncGenerator<SourceEntry, FetchOutcome, undefined> {
  const key = cfg.apiKeyEnv ? ctx.env?.[cfg.apiKeyEnv] : undefined;
  if (cfg.apiKeyEnv && !key) throw new Error(`environment variable ${cfg.apiKeyEnv} (api_key_env) is not set`);
  const wait = rateLimiter(cfg.rateLimit ?? (key ? 50 : 5), cfg.rateWindowMs);
  const now = (ctx.now ?? (() => new Date()))();
  const windows = ctx.watermark ? changeWindows(new Date(ctx.watermark), now) : [undefined];
  const http = { timeoutMs: cfg.timeoutMs, retries: cfg.retries, backoffMs: cfg.backoffMs, headers: key ? { apiKey: key } : undefined, logger: ctx.logger, what: cfg.name };
  for (const w of windows) {
    for (let start = 0; ; ) {
      const url = new URL(cfg.url ?? '');
      url.searchParams.set('resultsPerPage', String(cfg.pageSize));
      url.searchParams.set('startIndex', String(start));
      if (w) {
        url.searchParams.set('lastModStartDate', nvdDate(w.from));
        url.searchParams.set('lastModEndDate', nvdDate(w.to));
      }
      await wait();
      const page = checkPage(await getJson(url.toString(), http), url);
      for (const [i, item] of page.vulnerabilities.entries()) {
        const parsed = parseItem(item, cfg.name);
        yield { file: parsed.ok ? `api#${parsed.advisory.id}` : `api page ${start} #${i}`, parse: async () => parsed };
      }
      start += page.vulnerabilities.length;
      ctx.logger.progress(`${cfg.name}: ${start} of ${page.totalResults} records${w ? ` changed ${nvdDate(w.from)}..` : ''}`);
      if (page.vulnerabilities.length === 0 || start >= page.totalResults) break;
    }
  }
  return { incremental: windows[0] !== undefined };
}

/** Consecutive windows of at most 120 days covering from..to. */
export function changeWindows(from: Date, to: Date): { from: Date; to: Date }[] {
  const out: { from: Date; to: Date }[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += MAX_WINDOW_MS) out.push({ from: new Date(t), to: new Date(Math.min(t + MAX_WINDOW_MS, to.getTime())) });
  return out.length > 0 ? out : [{ from, to }];
}

/** ISO 8601 with an explicit offset, as NVD's documentation writes it. */
function nvdDate(d: Date): string {
  return d.toISOString().replace('Z', '+00:00');
}

/** Waits until a request fits in `limit` per rolling `windowMs`. */
export function rateLimiter(limit: number, windowMs: number): () => Promise<void> {
  const sent: number[] = [];
  return async () => {
    if (windowMs <= 0) return;
    for (;;) {
      const now = Date.now();
      while (sent.length > 0 && sent[0]! <= now - windowMs) sent.shift();
      if (sent.length < limit) break;
      await sleep(sent[0]! + windowMs - now + 1);
    }
    sent.push(Date.now());
  };
}

function checkPage(body: unknown, url: URL): { totalResults: number; vulnerabilities: unknown[] } {
  const b = body as { totalResults?: unknown; vulnerabilities?: unknown } | null;
  if (!b || typeof b !== 'object' || typeof b.totalResults !== 'number' || !Array.isArray(b.vulnerabilities)) {
    throw new Error(`${url.origin}${url.pathname}: the answer is not an NVD CVE API 2.0 page (no totalResults / vulnerabilities)`);
  }
  return { totalResults: b.totalResults, vulnerabilities: b.vulnerabilities };
}

function parseItem(item: unknown, source: string): ParsedEntry {
  try {
    return { ok: true, ...normalizeNvd(item, source) };
  } catch (err) {
    if (err instanceof InvalidRecord) return { ok: false, reason: err.message };
    throw err;
  }
}
