/**
 * NVD CVE API 2.0 record (the `cve` object, https://nvd.nist.gov/developers/vulnerabilities) -> Advisory of an
 * enrichment source: no affected entries (NVD rates, it never creates findings), every CVSS metric kept with who
 * scored it and whether that is the Primary or a Secondary score. A Rejected CVE is stored withdrawn: it rates nothing.
 */
import type { Advisory, CvssVector, Severity } from '../model/types.js';
import { severityFromScore } from './cvss.js';
import { InvalidRecord } from './normalize.js';
import type { ParsedEntry } from './source.js';

type Json = Record<string, unknown>;

/** NVD's metric lists, newest CVSS version first (the order a tie within Primary or Secondary is broken by). */
const METRIC_KEYS = [
  ['cvssMetricV40', 'CVSS_V4', 4],
  ['cvssMetricV31', 'CVSS_V3', 3],
  ['cvssMetricV30', 'CVSS_V3', 3],
  ['cvssMetricV2', 'CVSS_V2', 2],
] as const;

/** The facts of an NVD record icms keeps (stored as the advisory's raw record instead of the whole record). */
export interface NvdFacts {
  id: string;
  vulnStatus: string | undefined;
  published: string | undefined;
  lastModified: string;
  cwes: string[];
  metrics: CvssVector[];
}

/** One record's JSON text as a parsed entry: the advisory, or why it is skipped (invalid JSON, not an NVD record). */
export function parseRecord(text: string, source: string): ParsedEntry {
  try {
    return { ok: true, ...normalizeNvd(JSON.parse(text) as unknown, source) };
  } catch (err) {
    if (err instanceof InvalidRecord) return { ok: false, reason: err.message };
    if (err instanceof SyntaxError) return { ok: false, reason: `invalid JSON: ${err.message}` };
    throw err;
  }
}

/** Parses one NVD `cve` object (or an API/feed item `{cve: {...}}`); throws InvalidRecord with the reason. */
export function normalizeNvd(record: unknown, source: string): { advisory: Advisory; rawText: string } {
  const cve = isObject(record) && isObject(record.cve) ? record.cve : record;
  if (!isObject(cve)) throw new InvalidRecord('not a JSON object');
  const id = cve.id;
  if (typeof id !== 'string' || !/^CVE-\d{4}-\d+$/.test(id)) throw new InvalidRecord(`"id" is not a CVE id: ${JSON.stringify(id)}`);
  const lastModified = nvdTime(cve.lastModified);
  if (lastModified === undefined) throw new InvalidRecord(`${id}: missing or invalid "lastModified"`);
  const status = typeof cve.vulnStatus === 'string' ? cve.vulnStatus : undefined;
  const metrics = nvdMetrics(cve.metrics);
  const facts: NvdFacts = { id, vulnStatus: status, published: nvdTime(cve.published), lastModified, cwes: cweIds(cve.weaknesses), metrics };
  const best = preferredMetric(metrics);
  const english = Array.isArray(cve.descriptions) ? cve.descriptions.find((d): d is Json => isObject(d) && d.lang === 'en') : undefined;
  const advisory: Advisory = {
    source,
    id,
    aliases: [],
    modified: lastModified,
    published: facts.published,
    // "Rejected" (NVD spells it so; older records "** REJECT **") rates nothing, as a withdrawn OSV record matches nothing
    withdrawn: status === 'Rejected' ? lastModified : undefined,
    summary: undefined,
    details: typeof english?.value === 'string' ? english.value : undefined,
    cvss: metrics,
    severityText: undefined,
    baseScore: best?.baseScore,
    severity: best ? metricSeverity(best) : 'UNKNOWN',
    references: references(cve.references),
    affected: [],
    raw: facts,
  };
  return { advisory, rawText: JSON.stringify(facts) };
}

/** The metric NVD's own record puts first: Primary before Secondary, then the newest CVSS version. */
export function preferredMetric(metrics: readonly CvssVector[]): CvssVector | undefined {
  return metrics.find((m) => m.kind === 'Primary' && m.baseScore !== undefined) ?? metrics.find((m) => m.baseScore !== undefined);
}

/** The band of a metric's base score on its CVSS version's scale. */
export function metricSeverity(m: CvssVector): Severity {
  if (m.baseScore === undefined) return 'UNKNOWN';
  return severityFromScore(m.baseScore, m.type === 'CVSS_V2' ? 2 : m.type === 'CVSS_V4' ? 4 : 3);
}

/** Every CVSS metric, newest version first, each with NVD's `source` and `type`. */
function nvdMetrics(raw: unknown): CvssVector[] {
  if (!isObject(raw)) return [];
  const out: CvssVector[] = [];
  for (const [key, type] of METRIC_KEYS) {
    const list = raw[key];
    if (!Array.isArray(list)) continue;
    for (const m of list) {
      if (!isObject(m) || !isObject(m.cvssData)) continue;
      const vector = m.cvssData.vectorString;
      const score = m.cvssData.baseScore;
      if (typeof vector !== 'string' || typeof score !== 'number' || !Number.isFinite(score)) continue;
      out.push({
        type,
        vector,
        // NVD publishes the base score it computed; recomputing it would only cost time
        baseScore: score,
        source: typeof m.source === 'string' ? m.source : undefined,
        kind: m.type === 'Primary' || m.type === 'Secondary' ? m.type : undefined,
      });
    }
  }
  return out;
}

function cweIds(raw: unknown): string[] {
  const out = new Set<string>();
  if (!Array.isArray(raw)) return [];
  for (const w of raw) {
    if (!isObject(w) || !Array.isArray(w.description)) continue;
    for (const d of w.description) if (isObject(d) && typeof d.value === 'string' && /^CWE-\d+$/.test(d.value)) out.add(d.value);
  }
  return [...out];
}

/**
 * NVD's own form, `YYYY-MM-DDTHH:MM:SS.sss` with a day no month lacks (1–28) and no leap or end-of-day second: exactly
 * the ISO text of that UTC instant without its `Z`, so it needs no date arithmetic (two per record, 20k+ records a sync).
 * Anything else (days 29–31, `24:00`, zones, fewer digits) takes the parse, which rolls over or rejects it.
 */
const NVD_PLAIN_TIME = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}$/;

/** NVD timestamps carry no zone ("2024-12-12T02:02:07.970") and are UTC; undefined if unparseable. */
export function nvdTime(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  if (NVD_PLAIN_TIME.test(v)) return `${v}Z`;
  const text = /(Z|[+-]\d\d:?\d\d)$/.test(v) ? v : `${v}Z`;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function references(raw: unknown): { type: string; url: string }[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter((r): r is Json => isObject(r) && typeof r.url === 'string').map((r) => ({ type: 'WEB', url: r.url as string }));
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
