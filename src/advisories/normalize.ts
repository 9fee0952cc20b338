/**
 * OSV record (schema v1.7, https://ossf.github.io/osv-schema/) -> normalised Advisory.
 * Pure: a bad record is reported as a reason, never thrown.
 */
import { severityRank, type AffectedEntry, type Advisory, type CvssVector, type OsvEvent, type OsvRange, type Severity } from '../model/types.js';
import { rateAdvisory, severityFromScore } from './cvss.js';

/** A record that breaks the OSV schema in a way the matcher cannot work around. */
export class InvalidRecord extends Error {}

type Json = Record<string, unknown>;
const RANGE_TYPES = new Set(['SEMVER', 'ECOSYSTEM', 'GIT']);
const EVENT_KEYS = new Set(['introduced', 'fixed', 'last_affected', 'limit']);

import { pep503 } from '../model/package-name.js';

/** A package name as the matcher compares it: PyPI (and vtopia's ecosystem-less pairs) per PEP 503, others exact. */
export function normalizePackageName(ecosystem: string, name: string): string {
  const base = ecosystem.split(':', 1)[0];
  return base === 'PyPI' || base === 'any' ? pep503(name) : name;
}

/** An RFC 3339 timestamp in one comparable form (ISO, milliseconds, UTC); undefined if unparseable. */
export function normalizeTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** Parses OSV JSON text into an Advisory of `source`; throws InvalidRecord with the reason. */
export function parseOsvText(text: string, source: string): Advisory {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (err) {
    throw new InvalidRecord(`invalid JSON: ${(err as Error).message}`);
  }
  return normalizeOsv(record, source);
}

/** Normalises a parsed OSV record; throws InvalidRecord with the reason. */
export function normalizeOsv(record: unknown, source: string): Advisory {
  if (!isObject(record)) throw new InvalidRecord('not a JSON object');
  const id = record.id;
  if (typeof id !== 'string' || id.trim() === '') throw new InvalidRecord('missing "id"');
  const modified = normalizeTimestamp(record.modified);
  if (modified === undefined) throw new InvalidRecord(`${id}: missing or invalid "modified"`);
  const affectedRaw = record.affected ?? [];
  if (!Array.isArray(affectedRaw)) throw new InvalidRecord(`${id}: "affected" is not a list`);
  const affected = affectedRaw.flatMap((a, i) => normalizeAffected(a, `${id}: affected[${i}]`));
  const severityText = textualSeverity(record, affectedRaw);
  const rating = withNumericScore(rateAdvisory(cvssEntries(record.severity), severityText), record.database_specific);
  return {
    source,
    id,
    aliases: stringList(record.aliases).filter((a) => a !== id),
    modified,
    published: normalizeTimestamp(record.published),
    withdrawn: normalizeTimestamp(record.withdrawn),
    summary: optionalString(record.summary),
    details: optionalString(record.details),
    ...rating,
    severityText,
    references: references(record.references),
    affected,
    raw: record,
  };
}

function normalizeAffected(entry: unknown, where: string): AffectedEntry[] {
  if (!isObject(entry)) throw new InvalidRecord(`${where} is not an object`);
  const ranges = normalizeRanges(entry.ranges, where);
  const pkg = entry.package;
  // A package-less entry only describes commits of a repository (GIT ranges): nothing to match by name.
  if (pkg === undefined) return [];
  if (!isObject(pkg) || typeof pkg.ecosystem !== 'string' || typeof pkg.name !== 'string' || !pkg.ecosystem || !pkg.name) {
    throw new InvalidRecord(`${where}.package needs "ecosystem" and "name"`);
  }
  const dbSpecific = isObject(entry.database_specific) ? entry.database_specific : undefined;
  const lastKnown = dbSpecific?.last_known_affected_version_range;
  return [
    {
      ecosystem: pkg.ecosystem,
      name: normalizePackageName(pkg.ecosystem, pkg.name),
      rawName: pkg.name,
      purl: optionalString(pkg.purl),
      ranges,
      versions: stringList(entry.versions),
      lastKnownAffectedRange: typeof lastKnown === 'string' ? lastKnown : undefined,
      ecosystemSpecific: entry.ecosystem_specific,
      databaseSpecific: entry.database_specific,
    },
  ];
}

function normalizeRanges(raw: unknown, where: string): OsvRange[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new InvalidRecord(`${where}.ranges is not a list`);
  return raw.map((r, i) => normalizeRange(r, `${where}.ranges[${i}]`));
}

function normalizeRange(r: unknown, where: string): OsvRange {
  if (!isObject(r)) throw new InvalidRecord(`${where} is not an object`);
  if (typeof r.type !== 'string' || !RANGE_TYPES.has(r.type)) {
    throw new InvalidRecord(`${where}: unknown range type ${JSON.stringify(r.type)}`);
  }
  if (r.type === 'GIT' && typeof r.repo !== 'string') throw new InvalidRecord(`${where}: GIT range without "repo"`);
  if (!Array.isArray(r.events) || r.events.length === 0) throw new InvalidRecord(`${where}: no events`);
  const events = r.events.map((e) => normalizeEvent(e, where));
  const has = (k: keyof OsvEvent): boolean => events.some((e) => e[k] !== undefined);
  if (!has('introduced')) throw new InvalidRecord(`${where}: events without "introduced"`);
  if (has('fixed') && has('last_affected')) throw new InvalidRecord(`${where}: both "fixed" and "last_affected"`);
  const range: OsvRange = { type: r.type, events };
  if (typeof r.repo === 'string') range.repo = r.repo;
  if (isObject(r.database_specific)) range.database_specific = r.database_specific;
  return range;
}

function normalizeEvent(e: unknown, where: string): OsvEvent {
  if (!isObject(e)) throw new InvalidRecord(`${where}: an event is not an object`);
  const keys = Object.keys(e);
  const key = keys[0];
  if (keys.length !== 1 || key === undefined || !EVENT_KEYS.has(key) || typeof e[key] !== 'string') {
    throw new InvalidRecord(`${where}: an event must have exactly one of introduced/fixed/last_affected/limit, got ${JSON.stringify(e)}`);
  }
  return { [key]: e[key] } as OsvEvent;
}

/** CVSS entries of OSV `severity[]`; other types (Ubuntu's text) feed the textual severity instead. */
function cvssEntries(raw: unknown): { type: string; vector: string }[] {
  if (!Array.isArray(raw)) return [];
  const out: { type: string; vector: string }[] = [];
  for (const s of raw) {
    if (isObject(s) && typeof s.type === 'string' && s.type.startsWith('CVSS_') && typeof s.score === 'string') {
      out.push({ type: s.type, vector: s.score.trim() });
    }
  }
  return out;
}

/**
 * RubyGems' advisory-db gives no vector, only numbers (`database_specific.cvss_v4: 6.3`, `cvss_v3: 9.8`, `cvss_v2`): when
 * no vector rated the record, the newest version's number rates it on that version's scale.
 */
function withNumericScore<R extends { cvss: CvssVector[]; baseScore: number | undefined; severity: Severity }>(rating: R, db: unknown): R {
  if (rating.baseScore !== undefined || !isObject(db)) return rating;
  for (const [key, version, type] of [['cvss_v4', 4, 'CVSS_V4'], ['cvss_v3', 3, 'CVSS_V3'], ['cvss_v2', 2, 'CVSS_V2']] as const) {
    const score = db[key];
    if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 10) continue;
    const band = severityFromScore(score, version);
    // a numeric score adds a rating without a vector (vector '' marks it) and never lowers a textual one
    const severity = severityRank(band) >= severityRank(rating.severity) ? band : rating.severity;
    return { ...rating, cvss: [...rating.cvss, { type, vector: '', baseScore: score, source: `database_specific.${key}` }], baseScore: score, severity };
  }
  return rating;
}

/** GHSA's database_specific.severity, else an affected entry's ecosystem_specific.severity, else Ubuntu's. */
function textualSeverity(record: Json, affected: unknown[]): string | undefined {
  const db = record.database_specific;
  if (isObject(db) && typeof db.severity === 'string') return db.severity;
  for (const a of affected) {
    const es = isObject(a) ? a.ecosystem_specific : undefined;
    if (isObject(es) && typeof es.severity === 'string') return es.severity;
  }
  if (Array.isArray(record.severity)) {
    for (const s of record.severity) {
      if (isObject(s) && s.type === 'Ubuntu' && typeof s.score === 'string') return s.score;
    }
  }
  return undefined;
}

function references(raw: unknown): { type: string; url: string }[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((r): r is Json => isObject(r) && typeof r.url === 'string')
    .map((r) => ({ type: typeof r.type === 'string' ? r.type : 'WEB', url: r.url as string }));
}

function stringList(raw: unknown): string[] {
  return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}

function optionalString(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
