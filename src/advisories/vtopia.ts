/**
 * CVE Manager (vtopia) source: `GET <url>?page_num=<n>&count_per_page=<size>`, answered
 * `{"body": {"total", "list"}, "code": "200", "errmsg"}`. The service pages `ORDER BY cve_id DESC` with OFFSET,
 * so rows arriving during paging shift later pages: the listing is accepted only when every page carries the same
 * `body.total`, no row comes twice and the rows add up to that total; otherwise it is read again (bounded), then the
 * source fails. Nothing is yielded before a complete listing arrived, so a failing page never deletes stored data.
 */
import { createHash } from 'node:crypto';
import { redactPatterns } from '../shared/redact.js';
import type { VtopiaSourceConfig } from './config.js';
import { getJson } from '../shared/http.js';
import type { AdvisorySource, FetchContext, FetchOutcome, ParsedEntry, SourceEntry } from './source.js';
import { LOW_CREDIBILITY, parseVtopiaRecord } from './vtopia-record.js';
export { parseVtopiaRecord } from './vtopia-record.js';

type Raw = Record<string, unknown>;

/** How many times a listing that shifted under us is read again before the source fails. */
export const MAX_LISTINGS = 3;

/** Builds the source for one `type: vtopia` config entry. */
export function createVtopiaSource(cfg: VtopiaSourceConfig): AdvisorySource {
  return {
    name: cfg.name,
    kind: 'vtopia',
    mode: 'replace',
    location: redactPatterns(cfg.url),
    fetch: (ctx) => fetchVtopia(cfg, ctx),
  };
}

async function* fetchVtopia(cfg: VtopiaSourceConfig, ctx: FetchContext): AsyncGenerator<SourceEntry, FetchOutcome | undefined, undefined> {
  const records = await fetchListing(cfg, ctx);
  for (const { where, record } of records) {
    yield { file: where, parse: async () => parseWithPolicy(record, cfg) };
  }
  return undefined;
}

/** Parses a record; with `drop_low_credibility`, a credibility-6 record is left out (counted as dropped). */
function parseWithPolicy(record: unknown, cfg: VtopiaSourceConfig): ParsedEntry {
  if (cfg.dropLowCredibility && isObject(record) && record.credibility === LOW_CREDIBILITY) {
    return { ok: false, dropped: true, reason: `credibility ${LOW_CREDIBILITY} (drop_low_credibility)` };
  }
  return parseVtopiaRecord(record, cfg.name);
}

type Row = { where: string; record: unknown };

/** Reads the whole listing until one read is consistent, at most MAX_LISTINGS times. */
async function fetchListing(cfg: VtopiaSourceConfig, ctx: FetchContext): Promise<Row[]> {
  let why = '';
  for (let attempt = 1; attempt <= MAX_LISTINGS; attempt++) {
    const read = await readListing(cfg, ctx);
    if (Array.isArray(read)) return read;
    why = read.shifted;
    ctx.logger.warn(`${cfg.name}: the listing changed while it was read (${why}); reading it again (${attempt}/${MAX_LISTINGS})`);
  }
  throw new Error(`the listing kept changing while it was read (${MAX_LISTINGS} tries, last: ${why}); previous data kept, try again later`);
}

/** One pass over the pages: the rows, or why the listing shifted under us. Envelope errors throw. */
async function readListing(cfg: VtopiaSourceConfig, ctx: FetchContext): Promise<Row[] | { shifted: string }> {
  const out: Row[] = [];
  const seen = new Set<string>();
  let total: number | undefined;
  for (let page = 1; page <= cfg.maxPages; page++) {
    const body = await getJson(pageUrl(cfg, page), { timeoutMs: cfg.timeoutMs, retries: cfg.retries, backoffMs: cfg.backoffMs });
    const { list, total: pageTotal } = readPage(body, page);
    if (total === undefined) total = pageTotal;
    else if (pageTotal !== total) return { shifted: `page ${page} says total ${pageTotal}, page 1 said ${total}` };
    for (const [i, record] of list.entries()) {
      const key = rowKey(record);
      if (seen.has(key)) return { shifted: `page ${page} repeats row ${JSON.stringify(key.slice(0, 60))}` };
      seen.add(key);
      out.push({ where: `page ${page} #${i + 1}`, record });
    }
    ctx.logger.progress(`${cfg.name}: page ${page}, ${out.length} of ${total} records`);
    if (out.length > total) return { shifted: `${out.length} rows read, more than the total ${total}` };
    if (out.length === total) return out;
    if (list.length === 0) return { shifted: `page ${page} is empty after ${out.length} of ${total} rows` };
  }
  throw new Error(`still not at the total after max_pages=${cfg.maxPages} pages; raise max_pages or page_size`);
}

/** Checks one page's envelope: `code` "200", no `errno`, a `body.list` array and a whole `body.total`. */
function readPage(body: unknown, page: number): { list: unknown[]; total: number } {
  const at = `page ${page}`;
  if (!isObject(body)) throw new Error(`${at}: the answer is not a JSON object`);
  const inner = isObject(body.body) ? body.body : undefined;
  if (body.errno !== undefined || (body.code !== '200' && body.code !== 200)) {
    const msg = [body.errmsg, inner?.error].find((m) => typeof m === 'string' && m !== '');
    const said = msg !== undefined ? `: ${short(msg)}` : '';
    if (body.errno === undefined && body.code === undefined) throw new Error(`${at}: the answer has no "code" (success is "200")${said}`);
    const [key, value] = body.errno !== undefined ? ['errno', body.errno] : ['code', body.code];
    throw new Error(`${at}: the service answered ${key} ${short(value)}${said} (success is code "200")`);
  }
  if (inner?.error !== undefined && inner.error !== null && inner.error !== '') throw new Error(`${at}: the service reported an error: ${short(inner.error)}`);
  if (!inner || !Array.isArray(inner.list)) throw new Error(`${at}: the answer has no body.list array`);
  const total = inner.total;
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 0) throw new Error(`${at}: body.total ${short(total)} is not a row count`);
  return { list: inner.list, total };
}

/** A row's identity: its `ids` (the service's unique key), else its whole text. */
function rowKey(record: unknown): string {
  if (isObject(record) && typeof record.ids === 'string' && record.ids !== '') return record.ids;
  return `sha1:${contentHash(JSON.stringify(record) ?? 'null')}`;
}

function pageUrl(cfg: VtopiaSourceConfig, page: number): string {
  const u = new URL(cfg.url);
  u.searchParams.set('page_num', String(page));
  u.searchParams.set('count_per_page', String(cfg.pageSize));
  return u.toString();
}

/** A value from the service, quoted and cut for a message (its text is untrusted). */
function short(v: unknown): string {
  return JSON.stringify(v === undefined ? null : v).slice(0, 200);
}

/** sha1 of a record's JSON text, for sources without a usable `modified`. */
export function contentHash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
