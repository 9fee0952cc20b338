/**
 * Maven: a port of org.apache.maven.artifact.versioning.ComparableVersion from maven-artifact 3.9.x
 * (checked against the 3.9.6 jar). Items are numbers, qualifiers or nested lists (opened by `-` and
 * by digit/letter transitions); trailing null items (0, "", ga/final/release, empty lists) are
 * dropped; qualifiers order alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release
 * < sp < unknown qualifiers (lexically); `a1`/`b1`/`m1` mean alpha-1/beta-1/milestone-1; `.X` is
 * read like `-X` for a qualifier X (MNG-7644). Every string is a valid Maven version.
 * https://maven.apache.org/pom.html#version-order-specification
 */
import { compareDigits, compareStrings, type VersionScheme } from './scheme.js';

type Item = { kind: 'int'; digits: string } | { kind: 'str'; value: string } | { kind: 'list'; items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

function stringItem(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1) v = { a: 'alpha', b: 'beta', m: 'milestone' }[v] ?? v;
  return { kind: 'str', value: ALIASES[v] ?? v };
}

function parseItem(isDigit: boolean, buf: string): Item {
  return isDigit ? { kind: 'int', digits: asciiDigits(buf).replace(/^0+/, '') } : stringItem(buf, false);
}

/** Java Character.isDigit on one UTF-16 unit: any Unicode decimal digit, not surrogate halves. */
const isDigitChar = (c: string): boolean => /\p{Nd}/u.test(c);

/** Integer.parseInt/BigInteger read any Unicode decimal digit; decimal blocks run 0..9 contiguously. */
function asciiDigits(buf: string): string {
  let out = '';
  for (const c of buf) {
    let zero = c.charCodeAt(0);
    while (isDigitChar(String.fromCharCode(zero - 1)) && c.charCodeAt(0) - zero < 9) zero--;
    out += String((c.charCodeAt(0) - zero) % 10);
  }
  return out;
}

/** Java's String.compareTo on the comparable form of a qualifier (known index, else "7-name"). */
function comparableQualifier(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function isNull(item: Item): boolean {
  if (item.kind === 'int') return item.digits === '';
  if (item.kind === 'str') return comparableQualifier(item.value) === RELEASE_INDEX;
  return item.items.length === 0;
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i] as Item;
    if (isNull(last)) list.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

/** Parses a version into its item tree, as ComparableVersion.parseVersion does. */
export function parseMavenVersion(version: string): Item[] {
  const v = version.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  const open = (): void => {
    const sub: Item[] = [];
    list.push({ kind: 'list', items: sub });
    list = sub;
    stack.push(sub);
  };
  let isDigit = false;
  let start = 0;
  // Java walks UTF-16 units (charAt), so a non-BMP digit is two non-digit units.
  const chars = v.split('');
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '.' || c === '-') {
      list.push(i === start ? { kind: 'int', digits: '' } : parseItem(isDigit, chars.slice(start, i).join('')));
      start = i + 1;
      if (c === '-') open();
    } else if (isDigitChar(c)) {
      if (!isDigit && i > start) {
        if (list.length > 0) open(); // 1.0.0.X1 < 1.0.0-X2
        list.push(stringItem(chars.slice(start, i).join(''), true));
        start = i;
        open();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, chars.slice(start, i).join('')));
        start = i;
        open();
      }
      isDigit = false;
    }
  }
  if (chars.length > start) {
    if (!isDigit && list.length > 0) open();
    list.push(parseItem(isDigit, chars.slice(start).join('')));
  }
  for (let s = stack.pop(); s; s = stack.pop()) normalize(s);
  return root;
}

function compareItem(a: Item, b: Item | undefined): number {
  if (a.kind === 'int') {
    if (b === undefined) return a.digits === '' ? 0 : 1; // 1.0 == 1, 1.1 > 1
    return b.kind === 'int' ? compareDigits(a.digits, b.digits) : 1; // 1.1 > 1-sp, 1.1 > 1-1
  }
  if (a.kind === 'str') {
    if (b === undefined) return compareStrings(comparableQualifier(a.value), RELEASE_INDEX); // 1-rc < 1
    if (b.kind !== 'str') return -1; // 1.any < 1.1, 1.any < 1-1
    return compareStrings(comparableQualifier(a.value), comparableQualifier(b.value));
  }
  if (b === undefined) {
    // MNG-6964: the whole list is compared with "nothing", not only its first item.
    for (const item of a.items) {
      const c = compareItem(item, undefined);
      if (c !== 0) return c;
    }
    return 0;
  }
  if (b.kind === 'int') return -1; // 1-1 < 1.0.x
  if (b.kind === 'str') return 1; // 1-1 > 1-sp
  return compareLists(a.items, b.items);
}

function compareLists(a: Item[], b: Item[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const l = a[i];
    const r = b[i];
    const c = l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r);
    if (c !== 0) return c;
  }
  return 0;
}

/** ComparableVersion.compareTo: negative, 0 or positive. */
export function compareMavenVersions(a: string, b: string): number {
  return Math.sign(compareLists(parseMavenVersion(a), parseMavenVersion(b)));
}

/** Versions of Maven artifacts, ordered by maven-artifact 3.9's ComparableVersion. */
export const mavenScheme: VersionScheme = {
  ecosystem: 'Maven',
  // ComparableVersion accepts any string, an empty one (== "0") or a blank one included
  isValid: (v) => typeof v === 'string',
  compare: compareMavenVersions,
};
