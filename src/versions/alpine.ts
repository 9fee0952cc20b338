/**
 * Alpine: apk-tools' version ordering (src/version.c, apk-tools 2.x, which every Alpine release in
 * OSV uses): Gentoo-style `{digit}{.digit}...{letter}{_suffix{#}}...{-r#}`. Pre-release suffixes
 * `_alpha _beta _pre _rc` sort before the bare version, post-release ones `_cvs _svn _git _hg _p`
 * after it; one lower-case letter may follow the digits (`1.2a`); `-rN` is the package revision.
 * The token machine below mirrors get_token/next_token, including its quirk that a leading-zero
 * component (`1.01`) compares by the count of zeros before the rest of the number.
 */
import type { VersionScheme } from './scheme.js';

const enum T {
  Invalid = -1,
  DigitOrZero = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNo = 4,
  RevisionNo = 5,
  End = 6,
}

const PRE = ['alpha', 'beta', 'pre', 'rc'];
const POST = ['cvs', 'svn', 'git', 'hg', 'p'];
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLower = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z';

/** A cursor over one version string, holding the type of the token it is at. */
interface Cursor {
  s: string;
  pos: number;
  type: T;
}

function nextToken(c: Cursor): void {
  let n = T.Invalid;
  const ch = c.s[c.pos];
  if (c.pos >= c.s.length) n = T.End;
  else if ((c.type === T.Digit || c.type === T.DigitOrZero) && isLower(ch)) n = T.Letter;
  else if (c.type === T.Letter && isDigit(ch)) n = T.Digit;
  else if (c.type === T.Suffix && isDigit(ch)) n = T.SuffixNo;
  else {
    if (ch === '.') n = T.DigitOrZero;
    else if (ch === '_') n = T.Suffix;
    else if (ch === '-' && c.s[c.pos + 1] === 'r') {
      n = T.RevisionNo;
      c.pos++;
    }
    c.pos++;
  }
  if (n < c.type) {
    const allowed =
      (n === T.DigitOrZero && c.type === T.Digit) ||
      (n === T.Suffix && c.type === T.SuffixNo) ||
      (n === T.Digit && c.type === T.Letter);
    if (!allowed) n = T.Invalid;
  }
  c.type = n;
}

/** The value of a digit, letter or suffix token starting at c.pos, and where it ends; undefined if invalid. */
function readValue(c: Cursor): [bigint, number] | undefined {
  let i = c.pos;
  switch (c.type) {
    case T.DigitOrZero:
    case T.Digit:
    case T.SuffixNo:
    case T.RevisionNo: {
      let v = 0n;
      while (isDigit(c.s[i])) v = v * 10n + BigInt((c.s[i++] as string).charCodeAt(0) - 48);
      return [v, i];
    }
    case T.Letter:
      return [BigInt((c.s[i] as string).charCodeAt(0)), i + 1];
    case T.Suffix: {
      const rest = c.s.slice(i);
      const pre = PRE.findIndex((p) => rest.startsWith(p));
      if (pre >= 0) return [BigInt(pre - PRE.length), i + (PRE[pre] as string).length];
      const post = POST.findIndex((p) => rest.startsWith(p));
      if (post >= 0) return [BigInt(post), i + (POST[post] as string).length];
      return undefined;
    }
    default:
      return undefined;
  }
}

/** get_token: reads the value of the current token (bigint: no overflow) and moves to the next one. */
function getToken(c: Cursor): bigint {
  if (c.pos >= c.s.length) {
    c.type = T.End;
    return 0n;
  }
  let v: bigint;
  let nt = T.Invalid;
  if (c.type === T.DigitOrZero && c.s[c.pos] === '0') {
    // Leading zero digits get a special treatment: minus the count of zeros is the value.
    let i = c.pos;
    while (c.s[i] === '0') i++;
    nt = T.Digit;
    v = -BigInt(i - c.pos);
    c.pos = i;
  } else {
    const read = readValue(c);
    if (read === undefined) {
      c.type = T.Invalid;
      return -1n;
    }
    [v, c.pos] = read;
  }
  if (c.pos >= c.s.length) c.type = T.End;
  else if (nt !== T.Invalid) c.type = nt;
  else nextToken(c);
  return v;
}

/** apk_version_validate: the whole string tokenises to the end. */
export function isValidApkVersion(v: string): boolean {
  if (typeof v !== 'string' || v === '' || v.includes('\0')) return false;
  const c: Cursor = { s: v, pos: 0, type: T.Digit };
  while (c.type !== T.End && c.type !== T.Invalid) getToken(c);
  return c.type === T.End;
}

/** apk_version_compare: -1, 0 or 1. */
export function compareApkVersions(a: string, b: string): number {
  const x: Cursor = { s: a, pos: 0, type: T.Digit };
  const y: Cursor = { s: b, pos: 0, type: T.Digit };
  let av = 0n;
  let bv = 0n;
  while (x.type === y.type && x.type !== T.End && x.type !== T.Invalid && av === bv) {
    av = getToken(x);
    bv = getToken(y);
  }
  if (av !== bv) return av < bv ? -1 : 1;
  if (x.type === y.type) return 0;
  // Equal so far: the longer one is newer unless what follows is a pre-release suffix.
  if (x.type === T.Suffix && getToken({ ...x }) < 0n) return -1;
  if (y.type === T.Suffix && getToken({ ...y }) < 0n) return 1;
  if (x.type > y.type) return -1;
  if (y.type > x.type) return 1;
  return 0;
}

/** Versions of Alpine packages (`1.2.3_alpha1-r0`), ordered as apk-tools does. */
export const alpineScheme: VersionScheme = {
  ecosystem: 'Alpine',
  isValid: isValidApkVersion,
  compare: compareApkVersions,
};
