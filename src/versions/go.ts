/**
 * Go modules: golang.org/x/mod/semver. OSV stores Go versions without the `v`, trivy sometimes with
 * it, so both are accepted. Like x/mod, the shorthands `v1` and `v1.2` are valid and mean v1.0.0 and
 * v1.2.0 (x/mod `Canonical`); a shorthand with a pre-release or build (`v1.2-pre`) is not.
 * Pseudo-versions (`v0.0.0-20200207183749-b753a1ba74fa`, `v1.2.4-0.2019...-daa7c04131f5`) are
 * pre-releases and sort before the release they precede; `+incompatible` is build metadata, ignored.
 */
import { compareSemVer2, parseSemVer2, type SemVer2 } from './semver2.js';
import { bumpFromTriples, type VersionScheme } from './scheme.js';

const SHORT = /^(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?$/;

/** Parses a Go module version with or without the `v`, expanding x/mod shorthands. */
export function parseGoVersion(v: string): SemVer2 | undefined {
  if (typeof v !== 'string') return undefined;
  const body = v.startsWith('v') ? v.slice(1) : v;
  const short = SHORT.exec(body);
  if (short) return { major: short[1] ?? '0', minor: short[2] ?? '0', patch: '0', prerelease: [], build: [] };
  return parseSemVer2(body);
}

function mustParse(v: string): SemVer2 {
  const p = parseGoVersion(v);
  if (!p) throw new TypeError(`invalid Go version "${v}"`);
  return p;
}

/** Versions of Go modules (and stdlib/toolchain), ordered like golang.org/x/mod/semver.Compare. */
export const goScheme: VersionScheme = {
  ecosystem: 'Go',
  isValid: (v) => parseGoVersion(v) !== undefined,
  compare: (a, b) => compareSemVer2(mustParse(a), mustParse(b)),
  bumpKind(from, to) {
    const a = parseGoVersion(from);
    const b = parseGoVersion(to);
    if (!a || !b) return undefined;
    return bumpFromTriples([a.major, a.minor, a.patch].map(BigInt), [b.major, b.minor, b.patch].map(BigInt));
  },
};
