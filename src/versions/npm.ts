/**
 * npm: node-semver in strict mode, the same library npm itself uses. A leading `v` and surrounding
 * whitespace are accepted by strict node-semver (`v1.2.3`); `=1.2.3` needs loose mode and is rejected.
 */
import semver from 'semver';
import { bumpFromTriples, type VersionScheme } from './scheme.js';

const parse = (v: string): semver.SemVer | null => semver.parse(v, { loose: false });

/** Versions of npm packages, ordered by node-semver (build metadata ignored). */
export const npmScheme: VersionScheme = {
  ecosystem: 'npm',
  isValid: (v) => typeof v === 'string' && parse(v) !== null,
  compare: (a, b) => semver.compare(a, b, { loose: false }),
  bumpKind(from, to) {
    const a = parse(from);
    const b = parse(to);
    if (!a || !b) return undefined;
    const triple = (s: semver.SemVer): bigint[] => [BigInt(s.major), BigInt(s.minor), BigInt(s.patch)];
    return bumpFromTriples(triple(a), triple(b));
  },
};
