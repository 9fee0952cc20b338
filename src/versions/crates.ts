/**
 * crates.io: the Rust `semver` crate's `Version::parse` (strict `1.2.3[-pre][+build]`, no `v`, no
 * leading zeros in numbers or numeric pre-release identifiers) with SemVer 2.0 precedence. The crate's
 * `Ord` breaks ties on build metadata; OSV ranges use precedence only, so build metadata is ignored.
 */
import { compareSemVer2, parseSemVer2, type SemVer2 } from './semver2.js';
import { bumpFromTriples, type VersionScheme } from './scheme.js';

const U64_MAX = 18446744073709551615n;

function parseCrate(v: string): SemVer2 | undefined {
  if (typeof v !== 'string') return undefined;
  const p = parseSemVer2(v);
  // The crate stores major/minor/patch as u64 and rejects larger numbers.
  if (!p || [p.major, p.minor, p.patch].some((n) => BigInt(n) > U64_MAX)) return undefined;
  return p;
}

function mustParse(v: string): SemVer2 {
  const p = parseCrate(v);
  if (!p) throw new TypeError(`invalid crates.io version "${v}"`);
  return p;
}

/** Versions of Rust crates, ordered by SemVer 2.0 precedence as the `semver` crate does. */
export const cratesScheme: VersionScheme = {
  ecosystem: 'crates.io',
  isValid: (v) => parseCrate(v) !== undefined,
  compare: (a, b) => compareSemVer2(mustParse(a), mustParse(b)),
  bumpKind(from, to) {
    const a = parseCrate(from);
    const b = parseCrate(to);
    if (!a || !b) return undefined;
    return bumpFromTriples([a.major, a.minor, a.patch].map(BigInt), [b.major, b.minor, b.patch].map(BigInt));
  },
};
