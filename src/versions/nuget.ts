/**
 * NuGet: NuGetVersion.TryParse and VersionComparer.Default (NuGet.Versioning). One to four numeric
 * parts (`1.0.0.0` == `1.0.0` == `1`), SemVer 2 release labels compared with numbers below text and
 * text compared case-insensitively (OrdinalIgnoreCase), build metadata ignored.
 * https://learn.microsoft.com/en-us/nuget/concepts/package-versioning
 */
import { bumpFromTriples, compareStrings, sign, type VersionScheme } from './scheme.js';

/** A parsed NuGet version. */
export interface NuGetVersion {
  parts: [bigint, bigint, bigint, bigint];
  labels: string[];
}

const INT_MAX = 2147483647n;
const LABEL = /^[0-9A-Za-z-]+$/;

/** Parses as NuGetVersion.TryParse does (surrounding whitespace is trimmed, as there). */
export function parseNuGetVersion(input: string): NuGetVersion | undefined {
  if (typeof input !== 'string') return undefined;
  const m = /^([^-+]*)(?:-([^+]*))?(?:\+(.*))?$/.exec(input.trim());
  if (!m || !m[1]) return undefined;
  // System.Version: 2 to 4 non-negative int parts; NuGet appends ".0" to a bare major.
  if (!/^[0-9]+(?:\.[0-9]+){0,3}$/.test(m[1])) return undefined;
  const nums = m[1].split('.').map(BigInt);
  if (nums.some((n) => n > INT_MAX)) return undefined;
  const labels = m[2] === undefined ? [] : m[2].split('.');
  // Release labels: non-empty, [0-9A-Za-z-], no leading zero on a numeric label.
  if (labels.some((l) => !LABEL.test(l) || /^0[0-9]+$/.test(l))) return undefined;
  // Build metadata: non-empty dot-separated identifiers, leading zeros allowed.
  if (m[3] !== undefined && m[3].split('.').some((l) => !LABEL.test(l))) return undefined;
  return { parts: [nums[0] ?? 0n, nums[1] ?? 0n, nums[2] ?? 0n, nums[3] ?? 0n], labels };
}

/** A label is numeric where Int32.TryParse accepts it (a leading '-' included, as there). */
function asInt32(label: string): bigint | undefined {
  if (!/^-?[0-9]+$/.test(label)) return undefined;
  const n = BigInt(label);
  return n >= -INT_MAX - 1n && n <= INT_MAX ? n : undefined;
}

function compareLabel(a: string, b: string): number {
  const x = asInt32(a);
  const y = asInt32(b);
  if (x !== undefined && y !== undefined) return sign(x - y);
  if (x !== undefined) return -1;
  if (y !== undefined) return 1;
  return compareStrings(a.toUpperCase(), b.toUpperCase());
}

/** VersionComparer.Default: the four numbers, then a release above any pre-release, then labels. */
export function compareNuGetVersions(a: NuGetVersion, b: NuGetVersion): number {
  for (let i = 0; i < 4; i++) {
    const c = sign((a.parts[i] as bigint) - (b.parts[i] as bigint));
    if (c !== 0) return c;
  }
  if (a.labels.length === 0 || b.labels.length === 0) return sign(b.labels.length - a.labels.length);
  for (let i = 0; i < Math.max(a.labels.length, b.labels.length); i++) {
    const x = a.labels[i];
    const y = b.labels[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const c = compareLabel(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

function mustParse(v: string): NuGetVersion {
  const p = parseNuGetVersion(v);
  if (!p) throw new TypeError(`invalid NuGet version "${v}"`);
  return p;
}

/** Versions of NuGet packages, ordered by NuGet.Versioning's default comparer. */
export const nugetScheme: VersionScheme = {
  ecosystem: 'NuGet',
  isValid: (v) => parseNuGetVersion(v) !== undefined,
  compare: (a, b) => compareNuGetVersions(mustParse(a), mustParse(b)),
  bumpKind(from, to) {
    const a = parseNuGetVersion(from);
    const b = parseNuGetVersion(to);
    return a && b ? bumpFromTriples(a.parts.slice(0, 3), b.parts.slice(0, 3)) : undefined;
  },
};
