/**
 * CVE Manager `package_url`: per feed (gemnasium, go, github_advistory, huntr) a list of
 * `{purl, versionStartIncluding?, versionStartExcluding?, versionEndExcluding?, versionEndIncluding?}`.
 * Each becomes an OSV ECOSYSTEM range of the purl's ecosystem, so the matcher orders it by that ecosystem's scheme.
 */
import { PackageURL } from 'packageurl-js';
import { RANGE_START_EXCLUDING, type AffectedEntry, type OsvEvent, type OsvRange } from '../model/types.js';
import { normalizePackageName } from './normalize.js';
import { PURL_TYPE_ECOSYSTEMS } from '../model/purl-ecosystems.js';

const ECOSYSTEMS = PURL_TYPE_ECOSYSTEMS;

/** The feeds of `package_url`, spelled as the service spells them. */
const FEEDS = ['gemnasium', 'go', 'github_advistory', 'huntr'] as const;

/** Affected entries from `package_url`, merged per (ecosystem, name); unusable items are returned as reasons. */
export function affectedFromPackageUrls(raw: unknown): { entries: AffectedEntry[]; skipped: string[] } {
  const skipped: string[] = [];
  const byKey = new Map<string, AffectedEntry>();
  if (raw === undefined || raw === null) return { entries: [], skipped };
  if (!isObject(raw)) return { entries: [], skipped: ['package_url is not an object'] };
  for (const feed of FEEDS) {
    const list = raw[feed];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      skipped.push(`package_url.${feed} is not a list`);
      continue;
    }
    list.forEach((item, i) => {
      const entry = entryOf(item, feed);
      if (typeof entry === 'string') return void skipped.push(`package_url.${feed}[${i}]: ${entry}`);
      const key = `${entry.ecosystem}\0${entry.name}`;
      const prior = byKey.get(key);
      if (!prior) return void byKey.set(key, entry);
      for (const r of entry.ranges) if (!prior.ranges.some((p) => sameRange(p, r))) prior.ranges.push(r);
      for (const v of entry.versions) if (!prior.versions.includes(v)) prior.versions.push(v);
    });
  }
  return { entries: [...byKey.values()], skipped };
}

/** One purl item -> an affected entry, or why not. */
function entryOf(item: unknown, feed: string): AffectedEntry | string {
  if (!isObject(item) || typeof item.purl !== 'string' || item.purl.trim() === '') return 'no "purl" string';
  let purl: PackageURL;
  try {
    purl = PackageURL.fromString(item.purl.trim());
  } catch (err) {
    return `purl ${JSON.stringify(item.purl)} does not parse (${(err as Error).message})`;
  }
  const ecosystem = ECOSYSTEMS[purl.type];
  if (!ecosystem) return `purl type "${purl.type}" has no OSV ecosystem icms matches`;
  const rawName = purl.namespace ? `${purl.namespace}${purl.type === 'maven' ? ':' : '/'}${purl.name}` : purl.name;
  const range = rangeOf(item, feed, ecosystem);
  if (typeof range === 'string') return range;
  const versions = range === undefined && purl.version ? [purl.version] : [];
  if (range === undefined && versions.length === 0) return `${item.purl}: no version bounds and no version`;
  return { ecosystem, name: normalizePackageName(ecosystem, rawName), rawName, purl: item.purl.trim(), ranges: range ? [range] : [], versions };
}

/**
 * The four bounds as OSV events: a start (inclusive, or exclusive via RANGE_START_EXCLUDING; none = "0"), and an end
 * (`versionEndExcluding` = fixed, `versionEndIncluding` = last_affected; none = open-ended).
 */
function rangeOf(item: Record<string, unknown>, feed: string, ecosystem: string): OsvRange | undefined | string {
  const b: Partial<Record<(typeof BOUNDS)[number], string>> = {};
  for (const k of BOUNDS) {
    const v = item[k];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string' || v.trim() === '' || /\s/.test(v.trim())) return `${k} ${JSON.stringify(v)} is not a version`;
    b[k] = SEMVER_ECOSYSTEMS.has(ecosystem) ? padSemver(v.trim()) : v.trim();
  }
  if (Object.keys(b).length === 0) return undefined;
  if (b.versionStartIncluding !== undefined && b.versionStartExcluding !== undefined) return 'both versionStartIncluding and versionStartExcluding';
  const events: OsvEvent[] = [{ introduced: b.versionStartIncluding ?? b.versionStartExcluding ?? '0' }];
  if (b.versionEndExcluding !== undefined) events.push({ fixed: b.versionEndExcluding });
  else if (b.versionEndIncluding !== undefined) events.push({ last_affected: b.versionEndIncluding });
  const databaseSpecific: Record<string, unknown> = { cve_manager_feed: feed };
  if (b.versionStartExcluding !== undefined) databaseSpecific[RANGE_START_EXCLUDING] = b.versionStartExcluding;
  return { type: 'ECOSYSTEM', events, database_specific: databaseSpecific };
}

/** Ecosystems whose versions are SemVer: NVD-style bounds such as "1.2" mean 1.2.0 there. */
const SEMVER_ECOSYSTEMS = new Set(['npm', 'crates.io']);

function padSemver(v: string): string {
  return /^\d+$/.test(v) ? `${v}.0.0` : /^\d+\.\d+$/.test(v) ? `${v}.0` : v;
}

const BOUNDS = ['versionStartIncluding', 'versionStartExcluding', 'versionEndExcluding', 'versionEndIncluding'] as const;

function sameRange(a: OsvRange, b: OsvRange): boolean {
  return JSON.stringify(a.events) === JSON.stringify(b.events) && a.database_specific?.[RANGE_START_EXCLUDING] === b.database_specific?.[RANGE_START_EXCLUDING];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
