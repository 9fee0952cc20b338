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

export type AdvisorySourceConfig = OsvSourceConfig | VtopiaSourceConfig;

/** Defaults of the per-source options. */
export const SOURCE_DEFAULTS = { timeoutMs: 30_000, retries: 3, backoffMs: 1_000, pageSize: 100, maxPages: 1_000 } as const;

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
    throw usageError(`${at}.type must be "osv" or "vtopia", got ${JSON.stringify(r.type)}`);
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
