/**
 * SemVer 2.0.0 parsing and precedence (https://semver.org/#spec-item-11), shared by the Go and
 * crates.io schemes. Build metadata is parsed and validated but never ordered.
 */
import { compareDigits, compareStrings } from './scheme.js';

/** A parsed SemVer 2 version; numeric parts kept as digit strings so nothing overflows. */
export interface SemVer2 {
  major: string;
  minor: string;
  patch: string;
  prerelease: string[];
  build: string[];
}

const NUM = '0|[1-9][0-9]*';
const PRE_ID = `(?:${NUM}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const BUILD_ID = '[0-9A-Za-z-]+';
const FULL = new RegExp(
  `^(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`,
);

/** Parses `major.minor.patch[-pre][+build]` strictly (no prefix, no leading zeros), or undefined. */
export function parseSemVer2(v: string): SemVer2 | undefined {
  const m = FULL.exec(v);
  if (!m) return undefined;
  return {
    major: m[1] ?? '0',
    minor: m[2] ?? '0',
    patch: m[3] ?? '0',
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
    build: m[5] === undefined ? [] : m[5].split('.'),
  };
}

const isNumeric = (id: string): boolean => /^[0-9]+$/.test(id);

/** Precedence of two pre-release identifier lists; an empty list (a release) sorts last. */
export function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length === 0 ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xn = isNumeric(x);
    const yn = isNumeric(y);
    const c = xn && yn ? compareDigits(x, y) : xn ? -1 : yn ? 1 : compareStrings(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

/** SemVer 2 precedence: major, minor, patch numerically, then pre-release; build ignored. */
export function compareSemVer2(a: SemVer2, b: SemVer2): number {
  return (
    compareDigits(a.major, b.major) ||
    compareDigits(a.minor, b.minor) ||
    compareDigits(a.patch, b.patch) ||
    comparePrerelease(a.prerelease, b.prerelease)
  );
}
