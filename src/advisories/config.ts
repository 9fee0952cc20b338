/**
 * The `advisories.sources` config section: a list of named sources, validated once.
 * File keys are snake_case as in the rest of the config file.
 */
import path from 'node:path';
import { usageError } from '../shared/errors.js';

/** Retry/timeout settings shared by HTTP sources. */
export interface HttpSettings {
  /** Abort a request when no byte arrived for this long. */
  timeoutMs: number;
  /** Extra attempts after the first, on 5xx / network errors / timeouts / garbled bodies. */
  retries: number;
  /** First backoff between attempts; doubles each retry. */
  backoffMs: number;
}

/** An OSV source: a directory of OSV JSON files (recursive), a local zip, or the URL of a zip. */
export interface OsvSourceConfig extends HttpSettings {
  name: string;
  type: 'osv';
  path?: string | undefined;
  url?: string | undefined;
}

/** The CVE Manager (vtopia) paged API. */
export interface VtopiaSourceConfig extends HttpSettings {
  name: string;
  type: 'vtopia';
  url: string;
  pageSize: number;
  maxPages: number;
  /** Leave out records of credibility 6 ("version not matched"); by default they are kept and marked. */
  dropLowCredibility: boolean;
}

/**
 * NVD CVE records (enrichment: they rate, never match): a directory of one JSON per CVE, 2.0 feed files (a path or
 * glob, `.json` or `.json.gz`), a feed URL, or the CVE API 2.0 URL (paged, incremental, rate limited).
 */
export interface NvdSourceConfig extends HttpSettings {
  name: string;
  type: 'nvd';
  path?: string | undefined;
  url?: string | undefined;
  /** Environment variable holding an NVD API key (sent as the `apiKey` header). */
  apiKeyEnv?: string | undefined;
  /** API `resultsPerPage` (NVD allows at most 2000). */
  pageSize: number;
  /** Requests per rate window: NVD allows 5 per 30 s without a key, 50 with one. */
  rateLimit?: number | undefined;
  /** The rate window, ms (30 s at NVD). */
  rateWindowMs: number;
}

/** CISA's Known Exploited Vulnerabilities catalog (JSON) or FIRST's EPSS scores (CSV, optionally gzipped): a file or URL. */
export interface SignalSourceConfig extends HttpSettings {
  name: string;
  type: 'kev' | 'epss';
  path?: string | undefined;
  url?: string | undefined;
}

export type AdvisorySourceConfig = OsvSourceConfig | VtopiaSourceConfig | NvdSourceConfig | SignalSourceConfig;

/** Defaults of the per-source options. */
export const SOURCE_DEFAULTS = { timeoutMs: 30_000, retries: 3, backoffMs: 1_000, pageSize: 100, maxPages: 1_000, nvdPageSize: 2_000, nvdRateWindowMs: 30_000 } as const;

type Raw = Record<string, unknown>;

/**
 * Validates `advisories.sources` from the config file. Relative `path`s resolve against `baseDir`
 * (the config file's directory). `where` names the file in messages.
 */
export function parseAdvisorySources(raw: unknown, baseDir: string, where = 'config'): AdvisorySourceConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw usageError(`${where}: advisories.sources must be a list`, 'see README "Advisory sources"');
  const names = new Set<string>();
  return raw.map((item, i) => {
    const at = `${where}: advisories.sources[${i}]`;
    if (typeof item !== 'object' || item === null) throw usageError(`${at} must be a mapping`);
    const r = item as Raw;
    const name = r.name;
    if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(name)) {
      throw usageError(`${at}.name must be a word of letters, digits, '.', '_' or '-'`, "e.g. name: osv-pypi");
    }
    if (names.has(name)) throw usageError(`${at}: duplicate source name "${name}"`);
    names.add(name);
    const http = httpSettings(r, `${at} (${name})`);
    if (r.type === 'osv') return osvConfig(r, name, http, baseDir, at);
    if (r.type === 'vtopia') {
      return {
        name,
        type: 'vtopia',
        url: httpUrl(r.url, `${at}.url`),
        pageSize: positiveInt(r.page_size, SOURCE_DEFAULTS.pageSize, `${at}.page_size`),
        maxPages: positiveInt(r.max_pages, SOURCE_DEFAULTS.maxPages, `${at}.max_pages`),
        dropLowCredibility: bool(r.drop_low_credibility, `${at}.drop_low_credibility`),
        ...http,
      };
    }
    if (r.type === 'nvd') {
      const where = oneLocation(r, baseDir, at, 'an nvd source');
      const apiKeyEnv = r.api_key_env;
      if (apiKeyEnv !== undefined && (typeof apiKeyEnv !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(apiKeyEnv))) {
        throw usageError(`${at}.api_key_env must name an environment variable`, 'e.g. api_key_env: NVD_API_KEY (the key itself never goes in the file)');
      }
      const pageSize = positiveInt(r.page_size, SOURCE_DEFAULTS.nvdPageSize, `${at}.page_size`);
      if (pageSize > 2000) throw usageError(`${at}.page_size must be at most 2000 (NVD's limit)`);
      return {
        name, type: 'nvd', ...where, apiKeyEnv: apiKeyEnv as string | undefined, pageSize,
        rateLimit: r.rate_limit === undefined ? undefined : positiveInt(r.rate_limit, 5, `${at}.rate_limit`),
        rateWindowMs: nonNegativeInt(r.rate_window_ms, SOURCE_DEFAULTS.nvdRateWindowMs, `${at}.rate_window_ms`),
        ...http,
      };
    }
    if (r.type === 'kev' || r.type === 'epss') return { name, type: r.type, ...oneLocation(r, baseDir, at, `a ${r.type} source`), ...http };
    throw usageError(`${at}.type must be one of osv, vtopia, nvd, kev, epss; got ${JSON.stringify(r.type)}`);
  });
}

function osvConfig(r: Raw, name: string, http: HttpSettings, baseDir: string, at: string): OsvSourceConfig {
  const hasPath = typeof r.path === 'string' && r.path !== '';
  const hasUrl = typeof r.url === 'string' && r.url !== '';
  if (hasPath === hasUrl) throw usageError(`${at}: an osv source needs exactly one of "path" or "url"`);
  return {
    name,
    type: 'osv',
    path: hasPath ? path.resolve(baseDir, r.path as string) : undefined,
    url: hasUrl ? httpUrl(r.url, `${at}.url`) : undefined,
    ...http,
  };
}

function oneLocation(r: Raw, baseDir: string, at: string, what: string): { path: string | undefined; url: string | undefined } {
  const hasPath = typeof r.path === 'string' && r.path !== '';
  const hasUrl = typeof r.url === 'string' && r.url !== '';
  if (hasPath === hasUrl) throw usageError(`${at}: ${what} needs exactly one of "path" or "url"`);
  return { path: hasPath ? path.resolve(baseDir, r.path as string) : undefined, url: hasUrl ? httpUrl(r.url, `${at}.url`) : undefined };
}

function httpSettings(r: Raw, at: string): HttpSettings {
  return {
    timeoutMs: positiveInt(r.timeout_ms, SOURCE_DEFAULTS.timeoutMs, `${at}.timeout_ms`),
    retries: nonNegativeInt(r.retries, SOURCE_DEFAULTS.retries, `${at}.retries`),
    backoffMs: nonNegativeInt(r.backoff_ms, SOURCE_DEFAULTS.backoffMs, `${at}.backoff_ms`),
  };
}

function httpUrl(v: unknown, at: string): string {
  if (typeof v !== 'string' || !/^https?:\/\/\S+$/.test(v)) throw usageError(`${at} must be an http(s) URL`);
  return v;
}

function bool(v: unknown, at: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw usageError(`${at} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function positiveInt(v: unknown, dflt: number, at: string): number {
  const n = nonNegativeInt(v, dflt, at);
  if (n === 0) throw usageError(`${at} must be at least 1`);
  return n;
}

function nonNegativeInt(v: unknown, dflt: number, at: string): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw usageError(`${at} must be a whole number, got ${JSON.stringify(v)}`);
  return v;
}
