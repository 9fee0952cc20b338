/**
 * One CVE Manager record (`CveOriginData`, see README "CVE Manager") -> an OSV-normalised Advisory.
 * Pure. A record without a CVE id is skipped; an unusable entry inside a record (an empty `packName`, a bad purl)
 * skips only that entry and is returned in `skippedEntries`.
 */
import type { Advisory, AffectedEntry } from '../model/types.js';
import { pep503 } from '../model/package-name.js';
import { rateAdvisory } from './cvss.js';
import { normalizePackageName, normalizeTimestamp } from './normalize.js';
import type { ParsedEntry } from './source.js';
import { affectedFromPackageUrls } from './vtopia-purl.js';

type Raw = Record<string, unknown>;

/** The service's lowest credibility: "version not matched, name matched by any of the above". */
export const LOW_CREDIBILITY = 6;

/** What each credibility level means (column description of the service's `models/modeldb.go`, translated). */
export const CREDIBILITY_MEANING: Readonly<Record<number, string>> = {
  0: 'name and version from the vulnerability database',
  1: 'name matched through an alias, version original',
  2: 'name and version from the description text',
  3: 'name from the description via an alias, version from the description',
  4: 'from a security advisory: the version given is the fix, every version below it is affected',
  5: 'as 4, name matched through an alias',
  6: 'version not matched: lowest credibility',
};

/** Parses a record of source `source`. */
export function parseVtopiaRecord(record: unknown, source: string): ParsedEntry {
  if (!isObject(record)) return { ok: false, reason: 'not a JSON object' };
  const id = [record.cveNum, record.ids].map((v) => (typeof v === 'string' ? v.trim() : '')).find((v) => /^CVE-\d{4}-\d+$/.test(v));
  if (id === undefined) return { ok: false, reason: `invalid cveNum ${JSON.stringify(record.cveNum)}` };
  const skippedEntries: string[] = [];
  const credibility = typeof record.credibility === 'number' && Number.isInteger(record.credibility) && record.credibility >= 0 && record.credibility <= 6 ? record.credibility : undefined;
  const status = typeof record.vulStatus === 'string' ? record.vulStatus.trim().toUpperCase() : '';
  const fixes = patchFixes(record.patch);
  const purls = affectedFromPackageUrls(record.package_url);
  skippedEntries.push(...purls.skipped);
  const bare = bareEntries(record, credibility, purls.entries, skippedEntries);
  const rating = ratingOf(record.impact);
  const facts = {
    credibility: credibility ?? null,
    credibility_meaning: credibility === undefined ? null : CREDIBILITY_MEANING[credibility],
    low_credibility: credibility === LOW_CREDIBILITY,
    vul_status: status || null,
    cwe_ids: cweIds(record.vulType),
    severity_source: rating.from ?? null,
    fixed_versions: [...new Set([...fixes.values()].flat())],
  };
  const affected = [...purls.entries, ...bare].map((e) => {
    const fixedVersions = e.ecosystem === 'any' ? fixesFor(fixes, e.name) : facts.fixed_versions;
    return { ...e, databaseSpecific: { ...facts, fixed_versions: fixedVersions }, ...(e.ecosystem === 'any' && fixedVersions.length ? { fixedVersions } : {}) };
  });
  const published = normalizeTimestamp(record.publishedDate);
  const description = isObject(record.description) ? record.description : {};
  const title = typeof record.title === 'string' && record.title.trim() !== '' ? record.title.trim() : undefined;
  const rated = rateAdvisory(rating.vectors, rating.severityText);
  const advisory: Advisory = {
    source,
    id,
    aliases: [record.cnnvdID, record.cnvdID].filter((a): a is string => typeof a === 'string' && a.trim() !== '' && a.trim() !== id).map((a) => a.trim()),
    // No modification time in the API: the publication date stands in; changes are found by content hash.
    modified: published ?? new Date(0).toISOString(),
    published,
    // REJECT: the CVE was rejected; kept as withdrawn so it never matches and its findings close.
    withdrawn: status === 'REJECT' ? (published ?? new Date(0).toISOString()) : undefined,
    summary: status === 'DISPUTED' ? `DISPUTED: ${title ?? id}` : title,
    details: [description.en, description.zh].find((d): d is string => typeof d === 'string' && d.trim() !== ''),
    ...rated,
    baseScore: rated.baseScore ?? rating.score,
    severityText: rating.severityText,
    references: references(record.referenceData, record.patch),
    affected,
    raw: record,
  };
  return { ok: true, advisory, rawText: JSON.stringify(record), ...(skippedEntries.length ? { skippedEntries } : {}) };
}

/** `impact`: the CVSS v3 vector first, else v2 (the v2 vector only when there is no v3, as the source ranks them). */
function ratingOf(impact: unknown): { vectors: { type: string; vector: string }[]; severityText: string | undefined; score: number | undefined; from?: string } {
  const v3m = isObject(impact) && isObject(impact.baseMetricV3) ? impact.baseMetricV3 : undefined;
  const v3 = v3m && isObject(v3m.cvssV3) ? v3m.cvssV3 : undefined;
  if (v3 && nonEmpty(v3.vectorString)) {
    return { vectors: [{ type: 'CVSS_V3', vector: v3.vectorString.trim() }], severityText: str(v3.baseSeverity), score: num(v3.baseScore), from: 'impact.baseMetricV3' };
  }
  const v2m = isObject(impact) && isObject(impact.baseMetricV2) ? impact.baseMetricV2 : undefined;
  const v2 = v2m && isObject(v2m.cvssV2) ? v2m.cvssV2 : undefined;
  if (v2m && v2 && nonEmpty(v2.vectorString)) {
    return { vectors: [{ type: 'CVSS_V2', vector: v2.vectorString.trim() }], severityText: str(v2m.severity), score: num(v2.baseScore), from: 'impact.baseMetricV2' };
  }
  return { vectors: [], severityText: undefined, score: undefined };
}

/**
 * Entries from `cvePackName` (the upstream name; version from `version`) and `packName` (openEuler names,
 * `name==version` or a bare name with `version`). An upstream name is placed in the ecosystem(s) the record's purls
 * give; without a purl, and for openEuler names, it has no ecosystem (`any`: matched by name, README says how).
 * Names a purl already covers are left out. Credibility 4/5: each version is the fix, so the entry is the range
 * "every version below it".
 */
function bareEntries(record: Raw, credibility: number | undefined, purlEntries: readonly AffectedEntry[], skipped: string[]): AffectedEntry[] {
  const recordVersions = typeof record.version === 'string' ? splitList(record.version) : [];
  const pairs: { name: string; versions: string[]; ecosystems: readonly string[] }[] = [];
  const purlEcosystems = [...new Set(purlEntries.map((e) => e.ecosystem))];
  const read = (field: 'cvePackName' | 'packName', ecosystems: readonly string[]): void => {
    const raw = record[field];
    if (raw === undefined || raw === null) return;
    if (!Array.isArray(raw)) return void skipped.push(`${field} is not a list`);
    raw.forEach((item, i) => {
      const text = typeof item === 'string' ? item.trim() : undefined;
      if (text === undefined) return void skipped.push(`${field}[${i}] is not a string`);
      if (text === '') return void skipped.push(`${field}[${i}] is empty`);
      const m = /^([^=\s,"'<>]+)\s*(?:==\s*([^=\s]+))?$/.exec(text);
      if (!m?.[1]) return void skipped.push(`${field}[${i}] ${JSON.stringify(text.slice(0, 80))} is not "name" or "name==version"`);
      const versions = m[2] !== undefined ? [m[2]] : recordVersions;
      const bad = versions.find((v) => !VERSION.test(v));
      if (bad !== undefined) return void skipped.push(`${field}[${i}] ${JSON.stringify(m[1])}: ${JSON.stringify(bad.slice(0, 80))} is not a version`);
      if (versions.length === 0) return void skipped.push(`${field}[${i}] ${JSON.stringify(m[1])}: no version (neither "name==version" nor the record's "version")`);
      pairs.push({ name: m[1], versions, ecosystems });
    });
  };
  read('cvePackName', purlEcosystems.length > 0 ? purlEcosystems : ['any']);
  read('packName', ['any']);
  // a purl covers its full name and its last part (Maven artifact, Go/npm/Packagist package) in its ecosystem and in `any`
  const covered = new Set(purlEntries.flatMap((e) => [e.name, e.name.split(/[:/]/).pop() ?? e.name].flatMap((n) => [`${e.ecosystem}\0${pep503(n)}`, `any\0${pep503(n)}`])));
  const isFixGiven = credibility === 4 || credibility === 5;
  const byKey = new Map<string, AffectedEntry>();
  for (const p of pairs) {
    for (const ecosystem of p.ecosystems) {
      const name = normalizePackageName(ecosystem, p.name);
      if (covered.has(`${ecosystem}\0${pep503(name)}`)) continue;
      const key = `${ecosystem}\0${name}`;
      let entry = byKey.get(key);
      if (!entry) byKey.set(key, (entry = { ecosystem, name, rawName: p.name, ranges: [], versions: [] }));
      for (const v of p.versions) {
        if (!isFixGiven) {
          if (!entry.versions.includes(v)) entry.versions.push(v);
        } else if (!entry.ranges.some((r) => r.events[1]?.fixed === v)) {
          entry.ranges.push({ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: v }] });
        }
      }
    }
  }
  return [...byKey.values()];
}

/** What a version token may look like (any scheme's characters; no operators, spaces or wildcards). */
const VERSION = /^[A-Za-z0-9][A-Za-z0-9.+~:_-]*$/;

/** `patch[].fixversion` per PEP 503 package name ('' = a patch naming no package). */
function patchFixes(raw: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!Array.isArray(raw)) return out;
  for (const p of raw) {
    if (!isObject(p)) continue;
    const name = typeof p.package === 'string' ? pep503(p.package.trim().replace(/==.*$/, '')) : '';
    for (const v of typeof p.fixversion === 'string' ? splitList(p.fixversion) : []) {
      const list = out.get(name) ?? [];
      if (!list.includes(v)) list.push(v);
      out.set(name, list);
    }
  }
  return out;
}

/** The fixes of one bare name: those naming it, else (one package in the record) those naming none. */
function fixesFor(fixes: Map<string, string[]>, name: string): string[] {
  return fixes.get(name) ?? fixes.get('') ?? [];
}

const REF_TYPES: readonly [RegExp, string][] = [
  [/patch/i, 'FIX'],
  [/advisory/i, 'ADVISORY'],
  [/exploit/i, 'EVIDENCE'],
  [/issue/i, 'REPORT'],
  [/mailing/i, 'DISCUSSION'],
];

/** `referenceData[]` (typed from its NVD tags) and patch URLs; only http(s) links, each once. */
function references(refs: unknown, patches: unknown): { type: string; url: string }[] {
  const out: { type: string; url: string }[] = [];
  const add = (type: string, url: unknown): void => {
    if (typeof url !== 'string' || !/^https?:\/\/\S+$/i.test(url.trim()) || out.some((r) => r.url === url.trim())) return;
    out.push({ type, url: url.trim() });
  };
  for (const r of Array.isArray(refs) ? refs : []) {
    if (!isObject(r)) continue;
    const tags = Array.isArray(r.tags) ? r.tags.filter((t): t is string => typeof t === 'string') : [];
    add(REF_TYPES.find(([re]) => tags.some((t) => re.test(t)))?.[1] ?? 'WEB', r.url);
  }
  for (const p of Array.isArray(patches) ? patches : []) if (isObject(p)) add('FIX', p.fix_patch);
  return out;
}

/** `vulType[].cwe` as `CWE-<n>` ids (NVD's `NVD-CWE-Other`/`noinfo` are not weaknesses). */
function cweIds(raw: unknown): string[] {
  const out: string[] = [];
  for (const t of Array.isArray(raw) ? raw : []) {
    const m = isObject(t) && typeof t.cwe === 'string' ? /^(?:CWE-)?(\d+)$/i.exec(t.cwe.trim()) : null;
    if (m && !out.includes(`CWE-${m[1]}`)) out.push(`CWE-${m[1]}`);
  }
  return out;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '' && !/\s/.test(v));
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

function str(v: unknown): string | undefined {
  return nonEmpty(v) ? v.trim() : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 10 ? v : undefined;
}

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
