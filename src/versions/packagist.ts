/**
 * Packagist: Composer's ordering. Both versions are normalised by composer/semver's
 * `VersionParser::normalize` (`1.2` -> `1.2.0.0`, `v1.0-b2` -> `1.0.0.0-beta2`, `1.0p1` ->
 * `1.0.0.0-patch1`, build metadata dropped, date versions dotted) and then compared by PHP's
 * `version_compare` (ext/standard/versioning.c), where dev < alpha = a < beta = b < RC = rc < a
 * number < patch/pl/p. Branch names (`dev-master`) cannot be ordered against releases and are
 * refused as invalid.
 */
import type { VersionScheme } from './scheme.js';
import { bumpFromTriples } from './scheme.js';

const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?';
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3})?)${MODIFIER}$`, 'i');

function expandStability(s: string): string {
  const lower = s.toLowerCase();
  return { a: 'alpha', b: 'beta', p: 'patch', pl: 'patch', rc: 'RC' }[lower] ?? lower;
}

/** VersionParser::normalize for release versions; undefined where it throws or yields a branch. */
export function normalizeComposerVersion(input: string): string | undefined {
  if (typeof input !== 'string') return undefined;
  let version = input.trim();
  const alias = /^([^,\s]+) +as +([^,\s]+)$/.exec(version);
  if (alias?.[1]) version = alias[1];
  version = version.replace(/@(?:stable|RC|beta|alpha|dev)$/i, '');
  if (/^dev-/i.test(version) || ['master', 'trunk', 'default'].includes(version)) return undefined;
  const build = /^([^,\s+]+)\+[^\s]+$/.exec(version);
  if (build?.[1]) version = build[1];
  let m = CLASSICAL.exec(version);
  let index = 5;
  let normalized: string;
  if (m) {
    normalized = `${m[1]}${m[2] || '.0'}${m[3] || '.0'}${m[4] || '.0'}`;
  } else {
    m = DATE.exec(version);
    if (!m) return normalizeNumericBranch(version);
    normalized = (m[1] ?? '').replace(/\D/g, '.');
    index = 2;
  }
  const stability = m[index];
  if (stability) {
    if (stability === 'stable') return normalized;
    normalized += `-${expandStability(stability)}${(m[index + 1] ?? '').replace(/^[.-]+/, '')}`;
  }
  if (m[index + 2]) normalized += '-dev';
  return normalized;
}

/** `2.1.x-dev` style numeric branches normalise to `2.1.9999999.9999999-dev`; other branches fail. */
function normalizeNumericBranch(version: string): string | undefined {
  const dev = /^(.*?)[.-]?dev$/i.exec(version);
  if (!dev) return undefined;
  const b = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/i.exec((dev[1] ?? '').trim());
  if (!b) return undefined;
  let out = '';
  for (let i = 1; i < 5; i++) out += b[i] !== undefined ? b[i]!.replace(/[*X]/g, 'x') : '.x';
  return `${out.replace(/x/g, '9999999')}-dev`;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlnum = (c: string): boolean => /^[0-9A-Za-z]$/.test(c);

/** php_canonicalize_version: `-_+` and other non-alphanumerics become `.`, digit/letter changes too. */
export function canonicalizePhpVersion(v: string): string {
  if (v === '') return '';
  let out = v[0] as string;
  let lp = v[0] as string;
  for (const p of v.slice(1)) {
    const lq = out[out.length - 1];
    const transition = (!isDigit(lp) && lp !== '.' && isDigit(p)) || (isDigit(lp) && !isDigit(p) && p !== '.');
    if (p === '-' || p === '_' || p === '+' || (!transition && !isAlnum(p))) {
      if (lq !== '.') out += '.';
    } else {
      if (transition && lq !== '.') out += '.';
      out += p;
    }
    lp = p;
  }
  return out;
}

const SPECIAL_FORMS: [string, number][] = [
  ['dev', 0], ['alpha', 1], ['a', 1], ['beta', 2], ['b', 2], ['RC', 3], ['rc', 3], ['#', 4], ['pl', 5], ['p', 5],
];

/** compare_special_version_forms: prefix match against the table; anything unknown is below dev. */
function specialForm(form: string): number {
  return SPECIAL_FORMS.find(([name]) => form.startsWith(name))?.[1] ?? -1;
}

/** C strtol on a part that starts with a digit (parts are all-digit after canonicalisation). */
const toNumber = (s: string): bigint => BigInt(/^[0-9]+/.exec(s)?.[0] ?? '0');

/** Compares one part of each version: numbers numerically, names by special form, mixed via "#N#". */
function comparePart(p1: string, p2: string): number {
  const d1 = isDigit(p1[0]);
  const d2 = isDigit(p2[0]);
  if (d1 && d2) {
    const diff = toNumber(p1) - toNumber(p2);
    return diff < 0n ? -1 : diff > 0n ? 1 : 0;
  }
  if (!d1 && !d2) return Math.sign(specialForm(p1) - specialForm(p2));
  return d1 ? Math.sign(specialForm('#N#') - specialForm(p2)) : Math.sign(specialForm(p1) - specialForm('#N#'));
}

/** php_version_compare, walking both strings part by part exactly as the C code does: -1, 0 or 1. */
export function phpVersionCompare(orig1: string, orig2: string): number {
  if (orig1 === '' || orig2 === '') return orig1 === orig2 ? 0 : orig1 !== '' ? 1 : -1;
  const v1 = orig1.startsWith('#') ? orig1 : canonicalizePhpVersion(orig1);
  const v2 = orig2.startsWith('#') ? orig2 : canonicalizePhpVersion(orig2);
  let p1 = 0;
  let p2 = 0;
  let n1: number | undefined = 0;
  let n2: number | undefined = 0;
  let compare = 0;
  while (p1 < v1.length && p2 < v2.length && n1 !== undefined && n2 !== undefined) {
    const e1 = v1.indexOf('.', p1);
    const e2 = v2.indexOf('.', p2);
    n1 = e1 >= 0 ? e1 : undefined;
    n2 = e2 >= 0 ? e2 : undefined;
    compare = comparePart(v1.slice(p1, n1), v2.slice(p2, n2));
    if (compare !== 0) break;
    if (n1 !== undefined) p1 = n1 + 1;
    if (n2 !== undefined) p2 = n2 + 1;
  }
  if (compare !== 0) return compare;
  if (n1 !== undefined) return isDigit(v1[p1]) ? 1 : phpVersionCompare(v1.slice(p1), '#N#');
  if (n2 !== undefined) return isDigit(v2[p2]) ? -1 : phpVersionCompare('#N#', v2.slice(p2));
  return 0;
}

function mustNormalize(v: string): string {
  const n = normalizeComposerVersion(v);
  if (n === undefined) throw new TypeError(`invalid Composer version "${v}"`);
  return n;
}

/** Versions of Composer packages, ordered as Composer does (normalize, then version_compare). */
export const packagistScheme: VersionScheme = {
  ecosystem: 'Packagist',
  isValid: (v) => normalizeComposerVersion(v) !== undefined,
  compare: (a, b) => phpVersionCompare(mustNormalize(a), mustNormalize(b)),
  bumpKind(from, to) {
    const a = normalizeComposerVersion(from);
    const b = normalizeComposerVersion(to);
    const triple = (n: string): bigint[] => n.split(/[.-]/).slice(0, 3).map((x) => BigInt(/^[0-9]+$/.test(x) ? x : 0));
    return a && b ? bumpFromTriples(triple(a), triple(b)) : undefined;
  },
};
