/**
 * PyPI: PEP 440 exactly as pypa `packaging.version.Version` parses and orders it (packaging 26):
 * epochs, pre/post/dev releases, local versions, implicit post releases (`1.0-1`), spelling
 * normalisation (`1.0.0-alpha1` == `1.0.0a1`, `c`/`pre`/`preview` == `rc`), a `v` prefix and
 * surrounding whitespace. Numbers are bigints, as Python ints are unbounded.
 * https://packaging.python.org/en/latest/specifications/version-specifiers/
 *
 * Written out rather than delegated to @renovatebot/pep440: that port disagrees with packaging on
 * whitespace (`"  1.0\n"` is valid in packaging) and keeps numbers as JS doubles.
 */
import { bumpFromTriples, compareStrings, sign, type VersionScheme } from './scheme.js';

/** packaging's VERSION_PATTERN, with ASCII-only letters as under re.ASCII. */
const PATTERN = new RegExp(
  '^v?(?:(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?<pre>[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?' +
    '(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?' +
    '(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?)' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?$',
  'i',
);

/** Python's str.strip() whitespace (str.isspace), which is wider than String.prototype.trim. */
// eslint-disable-next-line no-control-regex -- str.isspace includes the \x1c-\x1f separators
const PY_SPACE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** A parsed PEP 440 version. */
export interface Pep440 {
  epoch: bigint;
  release: bigint[];
  pre: { letter: 'a' | 'b' | 'rc'; n: bigint } | undefined;
  post: bigint | undefined;
  dev: bigint | undefined;
  local: (bigint | string)[] | undefined;
}

const PRE_LETTER: Record<string, 'a' | 'b' | 'rc'> = {
  a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', pre: 'rc', preview: 'rc', rc: 'rc',
};

/** Parses like packaging.version.Version, or undefined where it raises InvalidVersion. */
export function parsePep440(input: string): Pep440 | undefined {
  if (typeof input !== 'string') return undefined;
  const g = PATTERN.exec(input.replace(PY_SPACE, ''))?.groups;
  if (!g || g.release === undefined) return undefined;
  const postN = g.post_n1 ?? g.post_n2;
  return {
    epoch: BigInt(g.epoch ?? '0'),
    release: g.release.split('.').map(BigInt),
    pre: g.pre_l ? { letter: PRE_LETTER[g.pre_l.toLowerCase()] ?? 'rc', n: BigInt(g.pre_n ?? '0') } : undefined,
    post: postN !== undefined ? BigInt(postN) : g.post_l ? 0n : undefined,
    dev: g.dev_l ? BigInt(g.dev_n ?? '0') : undefined,
    local: g.local?.toLowerCase().split(/[-_.]/).map((p) => (/^[0-9]+$/.test(p) ? BigInt(p) : p)),
  };
}

function compareReleases(a: bigint[], b: bigint[]): number {
  // Trailing zeros do not count: 1.0 == 1.0.0.
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = sign((a[i] ?? 0n) - (b[i] ?? 0n));
    if (c !== 0) return c;
  }
  return 0;
}

/** packaging's _cmpkey pre slot: dev-only releases sort before any pre-release; releases after. */
function preKey(v: Pep440): [number, string, bigint] {
  if (v.pre) return [0, v.pre.letter, v.pre.n];
  if (v.post === undefined && v.dev !== undefined) return [-1, '', 0n];
  return [1, '', 0n];
}

function compareLocal(a: Pep440['local'], b: Pep440['local']): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as bigint | string;
    const y = b[i] as bigint | string;
    // Numeric segments sort after alphanumeric ones.
    if (typeof x !== typeof y) return typeof x === 'bigint' ? 1 : -1;
    const c = typeof x === 'bigint' ? sign(x - (y as bigint)) : compareStrings(x, y as string);
    if (c !== 0) return c;
  }
  return sign(a.length - b.length);
}

const optional = (x: bigint | undefined, b: bigint | undefined, missingFirst: boolean): number => {
  if (x === undefined || b === undefined) {
    if (x === b) return 0;
    return (x === undefined) === missingFirst ? -1 : 1;
  }
  return sign(x - b);
};

/** Orders two parsed versions by packaging's _cmpkey. */
export function comparePep440(a: Pep440, b: Pep440): number {
  const [pa, pb] = [preKey(a), preKey(b)];
  return (
    sign(a.epoch - b.epoch) ||
    compareReleases(a.release, b.release) ||
    sign(pa[0] - pb[0]) ||
    compareStrings(pa[1], pb[1]) ||
    sign(pa[2] - pb[2]) ||
    optional(a.post, b.post, true) ||
    optional(a.dev, b.dev, false) ||
    compareLocal(a.local, b.local)
  );
}

function mustParse(v: string): Pep440 {
  const p = parsePep440(v);
  if (!p) throw new TypeError(`invalid PEP 440 version "${v}"`);
  return p;
}

/** Versions of Python packages, PEP 440 as implemented by pypa packaging. */
export const pypiScheme: VersionScheme = {
  ecosystem: 'PyPI',
  isValid: (v) => parsePep440(v) !== undefined,
  compare: (a, b) => comparePep440(mustParse(a), mustParse(b)),
  bumpKind(from, to) {
    const a = parsePep440(from);
    const b = parsePep440(to);
    if (!a || !b) return undefined;
    if (a.epoch !== b.epoch) return 'major';
    const triple = (r: bigint[]): bigint[] => [r[0] ?? 0n, r[1] ?? 0n, r[2] ?? 0n];
    return bumpFromTriples(triple(a.release), triple(b.release));
  },
};
