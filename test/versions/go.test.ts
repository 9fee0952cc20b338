/** Go: golang.org/x/mod/semver. The ordered table is `tests` in x/mod semver/semver_test.go. */
import { describe, expect, it } from 'vitest';
import { goScheme } from '../../src/versions/go.js';
import { expectComparison, signOf } from './helpers.js';

// semver_test.go `tests`: in order, equal where the canonical form (second column) is equal; "" = invalid.
const TESTS: [string, string][] = [
  ['bad', ''], ['v1-alpha.beta.gamma', ''], ['v1-pre', ''], ['v1+meta', ''], ['v1-pre+meta', ''], ['v1.2-pre', ''],
  ['v1.2+meta', ''], ['v1.2-pre+meta', ''], ['v1.0.0-alpha', 'v1.0.0-alpha'], ['v1.0.0-alpha.1', 'v1.0.0-alpha.1'],
  ['v1.0.0-alpha.beta', 'v1.0.0-alpha.beta'], ['v1.0.0-beta', 'v1.0.0-beta'], ['v1.0.0-beta.2', 'v1.0.0-beta.2'],
  ['v1.0.0-beta.11', 'v1.0.0-beta.11'], ['v1.0.0-rc.1', 'v1.0.0-rc.1'], ['v1', 'v1.0.0'], ['v1.0', 'v1.0.0'],
  ['v1.0.0', 'v1.0.0'], ['v1.2', 'v1.2.0'], ['v1.2.0', 'v1.2.0'], ['v1.2.3-456', 'v1.2.3-456'],
  ['v1.2.3-456.789', 'v1.2.3-456.789'], ['v1.2.3-456-789', 'v1.2.3-456-789'], ['v1.2.3-456a', 'v1.2.3-456a'],
  ['v1.2.3-pre', 'v1.2.3-pre'], ['v1.2.3-pre+meta', 'v1.2.3-pre'], ['v1.2.3-pre.1', 'v1.2.3-pre.1'],
  ['v1.2.3-zzz', 'v1.2.3-zzz'], ['v1.2.3', 'v1.2.3'], ['v1.2.3+meta', 'v1.2.3'], ['v1.2.3+meta-pre', 'v1.2.3'],
  ['v1.2.3+meta-pre.sha.256a', 'v1.2.3'],
];
const VALID = TESTS.filter(([, out]) => out !== '');

describe('Go', () => {
  it.each(TESTS)('IsValid(%j) matches x/mod (canonical %j)', (v, out) => {
    expect(goScheme.isValid(v)).toBe(out !== '');
  });

  it('orders the semver_test.go table like TestCompare', () => {
    for (const [i, [a, ca]] of VALID.entries()) {
      for (const [j, [b, cb]] of VALID.entries()) {
        const want = ca === cb ? 0 : i < j ? -1 : 1;
        expect(signOf(goScheme.compare(a, b)), `${a} vs ${b}`).toBe(want);
      }
    }
  });

  // semver_test.go TestCompare extra rows.
  it.each([['v1', 'v1', 0], ['v2', 'v1', 1], ['v1', 'v2', -1], ['v1.19', 'v1.2', 1]] as const)(
    '%s vs %s = %i',
    (a, b, s) => expectComparison(goScheme, a, b, s),
  );

  // OSV stores Go versions without the `v`; pseudo-versions are pre-releases (derived from the algorithm).
  it.each([
    ['1.2.3', 'v1.2.3', 0],
    ['0.0.0-20200207183749-b753a1ba74fa', '0.0.1', -1],
    ['v0.0.0-20200207183749-b753a1ba74fa', 'v0.0.0-20210101000000-aaaaaaaaaaaa', -1],
    ['v1.2.4-0.20191109021931-daa7c04131f5', '1.2.4', -1],
    ['v1.2.4-0.20191109021931-daa7c04131f5', '1.2.3', 1],
    ['9.11.0+incompatible', '9.11.0', 0],
    // GO-2025-3534 and GO-2026-5112 (mattermost-server), GO-2026-6145 (OliveTin pseudo-versions).
    ['9.11.0+incompatible', '9.11.9+incompatible', -1],
    ['10.11.0-rc1+incompatible', '10.11.0+incompatible', -1],
    ['0.0.0-20251025234746-ef5a67e7b8ea', '0.0.0-20260708084548-995ff79736f2', -1],
  ] as const)('%s vs %s = %i', (a, b, s) => expectComparison(goScheme, a, b, s));

  it.each(['vv1.2.3', 'v01.2.3', '1.2.3-01', '1.2.3-', '1.2.3+', 'v1.2.3.4', ''])('rejects %j', (v) => {
    expect(goScheme.isValid(v)).toBe(false);
  });
});
