/**
 * RPM family (Red Hat, AlmaLinux, Rocky, CentOS, openEuler, SUSE/openSUSE, Mageia, Photon...):
 * `[epoch:]version[-release]`, each part ordered by rpm's rpmvercmp (rpmio/rpmvercmp.c, rpm 4.15+):
 * alphanumeric segments, numbers above letters, `~` sorts before everything (pre-release) and `^`
 * after the base but before the next segment (post-release snapshot). The release is split off at
 * the LAST hyphen; a missing epoch is 0. A missing release compares as the empty string (below any
 * release), as OSV scanners do, so the order stays total; rpm's own dependency matching would
 * instead ignore the release when one side has none.
 */
import { compareDigits, compareStrings, sign, type VersionScheme } from './scheme.js';

/** A parsed RPM EVR. */
export interface RpmEvr {
  epoch: bigint;
  version: string;
  release: string;
}

/**
 * Parses `[epoch:]version[-release]` as rpm's rpmverParse does, for any string: an epoch only when the string
 * starts with digits (or nothing) and a ':' (`:1` has epoch 0, `a:1` is a plain version), the release after the
 * last '-'. rpmvercmp orders whatever is left: characters other than ASCII letters, digits, `~` and `^` only
 * separate. (Undefined only for a non-string.)
 */
export function parseRpmEvr(input: string): RpmEvr | undefined {
  if (typeof input !== 'string') return undefined;
  const epoch = /^([0-9]*):/.exec(input);
  const rest = epoch ? input.slice(epoch[0].length) : input;
  const hyphen = rest.lastIndexOf('-');
  const version = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const release = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  return { epoch: BigInt(epoch?.[1] || '0'), version, release };
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c);

/** rpmvercmp: -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(a[i]);
    const inSegment = numeric ? isDigit : isAlpha;
    const si = i;
    const sj = j;
    while (i < a.length && inSegment(a[i])) i++;
    while (j < b.length && inSegment(b[j])) j++;
    // Segments of different types: the numeric one is newer.
    if (sj === j) return numeric ? 1 : -1;
    const one = a.slice(si, i);
    const two = b.slice(sj, j);
    const c = numeric ? compareDigits(one, two) : compareStrings(one, two);
    if (c !== 0) return c;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
}

/** Epoch numerically, then version and release with rpmvercmp. */
export function compareRpmEvr(a: RpmEvr, b: RpmEvr): number {
  return sign(a.epoch - b.epoch) || rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release);
}

function mustParse(v: string): RpmEvr {
  const p = parseRpmEvr(v);
  if (!p) throw new TypeError(`invalid RPM version "${v}"`);
  return p;
}

/** Versions of RPM packages, ordered by rpmvercmp over epoch:version-release. */
export const rpmScheme: VersionScheme = {
  ecosystem: 'Red Hat',
  isValid: (v) => parseRpmEvr(v) !== undefined,
  compare: (a, b) => compareRpmEvr(mustParse(a), mustParse(b)),
};
