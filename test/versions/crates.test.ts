/** crates.io: the Rust semver crate. Precedence list from semver.org item 11 and the crate's tests. */
import { describe, expect, it } from 'vitest';
import { cratesScheme } from '../../src/versions/crates.js';
import { expectComparison, expectStrictlyAscending } from './helpers.js';

describe('crates.io', () => {
  it('orders the SemVer 2.0.0 spec example (semver.org, item 11)', () => {
    expectStrictlyAscending(cratesScheme, [
      '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0',
      '2.0.0', '2.1.0', '2.1.1',
    ]);
  });

  // dtolnay/semver tests/test_version.rs test_eq / test_lt, and build metadata ignored for precedence.
  it.each([
    ['1.2.3', '1.2.3', 0], ['1.2.3-alpha1', '1.2.3-alpha1', 0], ['1.2.3+build.42', '1.2.3+build.42', 0],
    ['0.0.0', '1.2.3-alpha2', -1], ['1.0.0', '1.2.3-alpha2', -1], ['1.2.0', '1.2.3-alpha2', -1],
    ['1.2.3-alpha1', '1.2.3', -1], ['1.2.3-alpha1', '1.2.3-alpha2', -1], ['1.2.3+23', '1.2.3+42', 0],
    // RUSTSEC-2026-0049 (rustls-webpki), RUSTSEC-2018-0005 (serde_yaml), RUSTSEC-2020-0112 (buttplug).
    ['0.102.0-alpha.0', '0.103.10', -1], ['0.6.0-rc1', '0.8.4', -1], ['0.0.0-0', '0.0.0', -1],
  ] as const)('%s vs %s = %i', (a, b, s) => expectComparison(cratesScheme, a, b, s));

  // dtolnay/semver tests/test_version.rs test_parse errors.
  it.each(['', '  ', '1', '1.2', '1.2.3-', 'a.b.c', '1.2.3 abc', '1.2.3-01', '01.2.3', 'v1.2.3', '1.2.3+', '1.2.3-a..b', '18446744073709551616.0.0'])(
    'rejects %j',
    (v) => expect(cratesScheme.isValid(v)).toBe(false),
  );

  it('accepts numbers up to u64::MAX', () => {
    expect(cratesScheme.isValid('18446744073709551615.0.0')).toBe(true);
    expect(cratesScheme.bumpKind?.('0.1.9', '0.2.0')).toBe('minor');
  });
});
