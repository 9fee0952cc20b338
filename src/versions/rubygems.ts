/**
 * RubyGems: `Gem::Version` (lib/rubygems/version.rb). A version is digits and letters split on dots;
 * `-` means `.pre.`; any letter makes it a pre-release. Segments compare numerically or as strings,
 * a string segment sorts below a number (`1.0.a` < `1.0`), and trailing zeros before the first string
 * segment and at the end do not count (canonical_segments: `1.0.0` == `1`, `1.0.a` == `1.a`).
 */
import { bumpFromTriples, compareStrings, sign, type VersionScheme } from './scheme.js';

/** Gem::Version::ANCHORED_VERSION_PATTERN: the version part is optional (an empty or blank version is "0"). */
const PATTERN = /^[ \t\r\n\f\v]*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?[ \t\r\n\f\v]*$/;

type Segment = bigint | string;

/** The segments Gem::Version compares, or undefined when Gem::Version.correct? is false. */
export function gemCanonicalSegments(input: string): Segment[] | undefined {
  if (typeof input !== 'string') return undefined;
  const m = PATTERN.exec(input);
  if (!m) return undefined;
  const version = (m[1] ?? '0').replace(/-/g, '.pre.');
  const segments: Segment[] = (version.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) =>
    /^[0-9]+$/.test(s) ? BigInt(s) : s,
  );
  const firstString = segments.findIndex((s) => typeof s === 'string');
  const numeric = firstString === -1 ? segments : segments.slice(0, firstString);
  const rest = firstString === -1 ? [] : segments.slice(firstString);
  return [...dropTrailingZeros(numeric), ...dropTrailingZeros(rest)];
}

function dropTrailingZeros(segments: Segment[]): Segment[] {
  let end = segments.length;
  while (end > 0 && segments[end - 1] === 0n) end--;
  return segments.slice(0, end);
}

/** Gem::Version#<=> over canonical segments: missing segments are 0, strings sort below numbers. */
export function compareGemSegments(a: Segment[], b: Segment[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const l = a[i] ?? 0n;
    const r = b[i] ?? 0n;
    if (l === r) continue;
    if (typeof l === 'string' && typeof r !== 'string') return -1;
    if (typeof l !== 'string' && typeof r === 'string') return 1;
    return typeof l === 'string' ? compareStrings(l, r as string) : sign(l - (r as bigint));
  }
  return 0;
}

function mustParse(v: string): Segment[] {
  const p = gemCanonicalSegments(v);
  if (!p) throw new TypeError(`invalid gem version "${v}"`);
  return p;
}

/** Versions of Ruby gems, ordered by Gem::Version. */
export const rubygemsScheme: VersionScheme = {
  ecosystem: 'RubyGems',
  isValid: (v) => gemCanonicalSegments(v) !== undefined,
  compare: (a, b) => compareGemSegments(mustParse(a), mustParse(b)),
  bumpKind(from, to) {
    const triple = (v: string): bigint[] | undefined => {
      const m = /^[ \t\r\n\f\v]*([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?/.exec(v);
      return m ? [BigInt(m[1] ?? 0), BigInt(m[2] ?? 0), BigInt(m[3] ?? 0)] : undefined;
    };
    const a = this.isValid(from) ? triple(from) : undefined;
    const b = this.isValid(to) ? triple(to) : undefined;
    return a && b ? bumpFromTriples(a, b) : undefined;
  },
};
