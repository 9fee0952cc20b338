/**
 * CVE Manager (vtopia) source: `GET <url>?page_num=<n>&count_per_page=<size>` from n = 1 until a page
 * with an empty `body.list`. Nothing is yielded before every page arrived, so a failing page leaves the
 * stored set untouched. Records have no `modified`: sync compares a content hash instead.
 */
import { createHash } from 'node:crypto';
import type { Advisory, AffectedEntry } from '../model/types.js';
import { redactPatterns } from '../shared/redact.js';
import type { VtopiaSourceConfig } from './config.js';
import { rateAdvisory } from './cvss.js';
import { getJson } from '../shared/http.js';
import { normalizeTimestamp } from './normalize.js';
import { pep503 } from '../model/package-name.js';
import type { AdvisorySource, FetchContext, FetchOutcome, ParsedEntry, SourceEntry } from './source.js';

type Raw = Record<string, unknown>;

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
  const records = await fetchAllPages(cfg, ctx);
  for (const { where, record } of records) {
    yield { file: where, parse: async () => parseVtopiaRecord(record, cfg.name) };
  }
  return undefined;
}

async function fetchAllPages(cfg: VtopiaSourceConfig, ctx: FetchContext): Promise<{ where: string; record: unknown }[]> {
  const out: { where: string; record: unknown }[] = [];
  for (let page = 1; page <= cfg.maxPages; page++) {
    const url = pageUrl(cfg, page);
    const body = await getJson(url, { timeoutMs: cfg.timeoutMs, retries: cfg.retries, backoffMs: cfg.backoffMs });
    const list = pageList(body);
    if (list === undefined) throw new Error(`page ${page}: response has no body.list array`);
    if (list.length === 0) return out;
    list.forEach((record, i) => out.push({ where: `page ${page} #${i + 1}`, record }));
    ctx.logger.progress(`${cfg.name}: page ${page}, ${out.length} records`);
  }
  throw new Error(`still not at an empty page after max_pages=${cfg.maxPages} pages; raise max_pages or page_size`);
}

function pageUrl(cfg: VtopiaSourceConfig, page: number): string {
  const u = new URL(cfg.url);
  u.searchParams.set('page_num', String(page));
  u.searchParams.set('count_per_page', String(cfg.pageSize));
  return u.toString();
}

function pageList(body: unknown): unknown[] | undefined {
  const inner = isObject(body) ? body.body : undefined;
  const list = isObject(inner) ? inner.list : undefined;
  return Array.isArray(list) ? list : undefined;
}

/** Normalises one vtopia record; `name==version` pairs become explicit `versions` under ecosystem `any`. */
export function parseVtopiaRecord(record: unknown, source: string): ParsedEntry {
  if (!isObject(record)) return { ok: false, reason: 'not a JSON object' };
  const id = typeof record.cveNum === 'string' ? record.cveNum.trim() : '';
  if (!/^CVE-\d{4}-\d+$/.test(id)) return { ok: false, reason: `invalid cveNum ${JSON.stringify(record.cveNum)}` };
  const affected = affectedFromPairs(record.packName);
  if (typeof affected === 'string') return { ok: false, reason: `${id}: ${affected}` };
  const rawText = JSON.stringify(record);
  const published = normalizeTimestamp(record.publishedDate);
  const severityText = typeof record.vulStatus === 'string' && record.vulStatus !== '' ? record.vulStatus : undefined;
  const description = isObject(record.description) ? record.description : {};
  const details = [description.en, description.zh].find((d): d is string => typeof d === 'string' && d !== '');
  const advisory: Advisory = {
    source,
    id,
    aliases: [],
    // No modification time in the API: the publication date stands in; changes are found by content hash.
    modified: published ?? new Date(0).toISOString(),
    published,
    summary: typeof record.title === 'string' && record.title !== '' ? record.title : undefined,
    details,
    ...rateAdvisory([], severityText),
    severityText,
    references: [],
    affected,
    raw: record,
  };
  return { ok: true, advisory, rawText };
}

/** Groups `name==version` pairs per normalised name; a malformed pair makes the record invalid. */
function affectedFromPairs(raw: unknown): AffectedEntry[] | string {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return 'packName is not a list';
  const byName = new Map<string, AffectedEntry>();
  for (const pair of raw) {
    const m = typeof pair === 'string' ? /^\s*([^=\s]+)\s*==\s*(\S+)\s*$/.exec(pair) : null;
    if (!m?.[1] || !m[2]) return `packName entry ${JSON.stringify(pair)} is not "name==version"`;
    const name = pep503(m[1]);
    let entry = byName.get(name);
    if (!entry) {
      entry = { ecosystem: 'any', name, rawName: m[1], ranges: [], versions: [] };
      byName.set(name, entry);
    }
    if (!entry.versions.includes(m[2])) entry.versions.push(m[2]);
  }
  return [...byName.values()];
}

/** sha1 of a record's JSON text, for sources without a usable `modified`. */
export function contentHash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
