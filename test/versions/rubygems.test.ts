/** RubyGems: Gem::Version. Tables from rubygems test/rubygems/test_gem_version.rb. */
import { describe, expect, it } from 'vitest';
import { rubygemsScheme } from '../../src/versions/rubygems.js';
import { expectComparison, expectStrictlyAscending } from './helpers.js';

describe('RubyGems', () => {
  // test_spaceship.
  it.each([
    ['1.0', '1.0.0', 0], ['1.0', '1.0.a', 1], ['1.8.2', '0.0.0', 1], ['1.8.2', '1.8.2.a', 1], ['1.8.2.b', '1.8.2.a', 1],
    ['1.8.2.a', '1.8.2', -1], ['1.8.2.a10', '1.8.2.a9', 1], ['0.beta.1', '0.0.beta.1', 0], ['0.0.beta', '0.0.beta.1', -1],
    ['0.0.beta', '0.beta.1', -1], ['5.a', '5.0.0.rc2', -1], ['5.x', '5.0.0.rc2', 1], ['1.9.3', '1.9.3', 0], ['', '0', 0],
  ] as const)('%s <=> %s is %i', (a, b, s) => expectComparison(rubygemsScheme, a, b, s));

  // test_semver.
  it('orders SemVer-style pre-releases (test_semver)', () => {
    expectStrictlyAscending(rubygemsScheme, ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0']);
    expectComparison(rubygemsScheme, '1.0.0-rc1', '1.0.0', -1);
    expectComparison(rubygemsScheme, '1.0.0-1', '1', -1);
  });

  // test_initialize: surrounding whitespace is stripped.
  it.each(['1.0 ', ' 1.0 ', '1.0\n', '\n1.0\n'])('%j == 1.0', (v) => expectComparison(rubygemsScheme, v, '1.0', 0));

  // test_initialize_invalid (incl. the CVE-2013-4287 string).
  // an empty or blank string is Gem::Version "0" (ANCHORED_VERSION_PATTERN's version part is optional)
  it.each(['', '  ', '\t\n'])('%j == 0', (v) => {
    expect(rubygemsScheme.isValid(v)).toBe(true);
    expectComparison(rubygemsScheme, v, '0', 0);
    expectComparison(rubygemsScheme, v, '0.0.1', -1);
  });

  it.each(['junk', '1.0\n2.0', '1..2', '1.2 3.4', '2.3422222.222.222222222.22222.ads0as.dasd0.ddd2222.2.qd3e.', '-1', 'v1.0'])(
    'rejects %j',
    (v) => expect(rubygemsScheme.isValid(v)).toBe(false),
  );

  // Real bounds: GHSA-qfgr-crr9-7r49 (rack), GHSA-ffpv-c4hm-3x6v (actionpack).
  it.each([
    ['3.0.0.beta1', '3.0.0', -1], ['3.0.0.beta1', '3.1.21', -1], ['4.3', '5.0.0.beta1.1', -1], ['5.0.0.beta1.1', '5.0.0.beta1', 1],
    ['5.0.0.beta1.1', '5.0.0.rc1', -1],
  ] as const)('advisory bound %s vs %s', (a, b, s) => expectComparison(rubygemsScheme, a, b, s));

  it('reports bumps on the leading numbers', () => {
    expect(rubygemsScheme.bumpKind?.('6.1.7', '7.0.0')).toBe('major');
    expect(rubygemsScheme.bumpKind?.('6.1.7', '6.1.7.1')).toBe('other');
  });
});
