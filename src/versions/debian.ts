/**
 * Debian and Ubuntu: dpkg's version ordering (lib/dpkg/version.c `dpkg_version_compare` and
 * `verrevcmp`). `[epoch:]upstream[-revision]`, the revision split off at the LAST hyphen; within
 * each part, runs of non-digits compare with letters before non-letters and `~` before everything,
 * even the end of the string; runs of digits compare numerically.
 * https://www.debian.org/doc/debian-policy/ch-controlfields.html#version
 */
import { compareDigits, sign, type VersionScheme } from './scheme.js';

/** A parsed dpkg version. */
export interface DpkgVersion {
  epoch: bigint;
  upstream: string;
  revision: string;
}

/**
 * Parses as dpkg's parseversion does, failing where dpkg errors or warns (a version that does not
 * start with a digit, or characters outside policy), so nothing odd is ordered by guesswork.
 */
export function parseDpkgVersion(input: string): DpkgVersion | undefined {
  if (typeof input !== 'string') return undefined;
  const v = input.trim();
  if (v === '' || /\s/.test(v)) return undefined;
  const colon = v.indexOf(':');
  const epochText = colon >= 0 ? v.slice(0, colon) : '0';
  if (!/^[0-9]+$/.test(epochText) || BigInt(epochText) > 2147483647n) return undefined;
  const rest = colon >= 0 ? v.slice(colon + 1) : v;
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (hyphen >= 0 && revision === '') return undefined;
  if (!/^[0-9][A-Za-z0-9.+~:-]*$/.test(upstream)) return undefined;
  if (!/^[A-Za-z0-9.+~]*$/.test(revision)) return undefined;
  return { epoch: BigInt(epochText), upstream, revision };
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

/** dpkg's order(): digits and the end 0, letters their code, `~` -1, anything else code + 256. */
function order(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp over one part (upstream or revision). */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return sign(ac - bc);
      i++;
      j++;
    }
    const si = i;
    const sj = j;
    while (isDigit(a[i])) i++;
    while (isDigit(b[j])) j++;
    const c = compareDigits(a.slice(si, i), b.slice(sj, j));
    if (c !== 0) return c;
  }
  return 0;
}

/** dpkg_version_compare: epoch, then upstream, then revision. */
export function compareDpkgVersions(a: DpkgVersion, b: DpkgVersion): number {
  return sign(a.epoch - b.epoch) || verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}

function mustParse(v: string): DpkgVersion {
  const p = parseDpkgVersion(v);
  if (!p) throw new TypeError(`invalid dpkg version "${v}"`);
  return p;
}

/** Versions of Debian/Ubuntu packages, ordered as `dpkg --compare-versions` does. */
export const debianScheme: VersionScheme = {
  ecosystem: 'Debian',
  isValid: (v) => parseDpkgVersion(v) !== undefined,
  compare: (a, b) => compareDpkgVersions(mustParse(a), mustParse(b)),
};
