/**
 * Debian/Ubuntu: dpkg. Cases in the spirit of dpkg's lib/dpkg/t/t-version.c and Debian policy 5.6.12
 * (derived from the algorithm, each checked with `dpkg --compare-versions` 1.21.22).
 */
import { describe, expect, it } from 'vitest';
import { debianScheme } from '../../src/versions/debian.js';
import { expectComparison, expectStrictlyAscending } from './helpers.js';

describe('Debian', () => {
  it('sorts ~ before everything, even the end of the string (policy 5.6.12)', () => {
    expectStrictlyAscending(debianScheme, ['1.0~~', '1.0~~a', '1.0~', '1.0', '1.0a', '1.0+b1', '1.0.1']);
  });

  it.each([
    // Epoch, then upstream, then revision (t-version.c test_version_compare).
    ['0:0-0', '0:0-0', 0], ['1:0-0', '0:0-0', 1], ['2:0-0', '1:0-0', 1], ['0:1-0', '0:0-0', 1], ['0:2-0', '0:1-0', 1],
    ['0:0-1', '0:0-0', 1], ['0:0-2', '0:0-1', 1], ['1.0', '0:1.0-0', 0], ['1:0.1', '9.9', 1],
    // Numbers compare numerically, leading zeros do not count.
    ['1.10', '1.9', 1], ['1.01', '1.1', 0], ['1.001', '1.1', 0],
    // Letters sort before non-letters; the revision is split at the last hyphen.
    ['1.0a', '1.0+', -1], ['1.0-a', '1.0-A', 1], ['1.2-3-4', '1.2-3-5', -1], ['1.2-3-4', '1.2-4', 1],
    // Backports and security updates: ~bpo sorts below the release, +debNuM above it.
    ['1.0-1~bpo11+1', '1.0-1', -1], ['1.0-1+deb11u1', '1.0-1', 1], ['1.0-1+deb11u2', '1.0-1+deb11u1', 1],
    ['3.0.2-0ubuntu1.10', '3.0.2-0ubuntu1.9', 1], ['1.0-1ubuntu0.1', '1.0-1ubuntu1', -1],
    // Real bounds: DSA-5182-1 (webkit2gtk, Debian:10), and DSA fixed versions with epochs.
    ['2.36.4-1~deb10u1', '2.36.4-1', -1], ['2.36.3-1~deb10u1', '2.36.4-1~deb10u1', -1], ['1:9.16.37-1~deb11u1', '9.18.0-1', 1],
  ] as const)('%s vs %s = %i', (a, b, s) => expectComparison(debianScheme, a, b, s));

  // dpkg parseversion errors and warnings (each refused by `dpkg --compare-versions` or warned about).
  it.each(['', 'a1.0', '1.0 1', '1:', '1:1.0-', '-1', '1.0-', 'a:1.0', '1:a1.0', '1.0_1', '1.0-1_2', '2147483648:1.0'])(
    'rejects %j',
    (v) => expect(debianScheme.isValid(v)).toBe(false),
  );

  it('accepts surrounding blanks and a colon in upstream after an epoch, as dpkg does', () => {
    expect(debianScheme.isValid(' 1.0 ')).toBe(true);
    expect(debianScheme.isValid('1:1:1.0')).toBe(true);
  });
});
