/** Packagist: composer/semver VersionParser::normalize + PHP version_compare. */
import { describe, expect, it } from 'vitest';
import { normalizeComposerVersion, packagistScheme, phpVersionCompare } from '../../src/versions/packagist.js';
import { expectComparison, expectStrictlyAscending } from './helpers.js';

describe('Packagist', () => {
  // composer/semver tests/VersionParserTest.php successfulNormalizedVersions.
  it.each([
    ['1.0.0', '1.0.0.0'], ['1.2.3.4', '1.2.3.4'], ['1.0.0RC1dev', '1.0.0.0-RC1-dev'], ['1.0.0-rC15-dev', '1.0.0.0-RC15-dev'],
    ['1.0.0.RC.15-dev', '1.0.0.0-RC15-dev'], ['1.0.0-rc1', '1.0.0.0-RC1'], ['1.0.0.pl3-dev', '1.0.0.0-patch3-dev'],
    ['1.0-dev', '1.0.0.0-dev'], ['0', '0.0.0.0'], ['10.4.13-beta', '10.4.13.0-beta'], ['10.4.13beta2', '10.4.13.0-beta2'],
    ['10.4.13beta.2', '10.4.13.0-beta2'], ['v1.13.11-beta.0', '1.13.11.0-beta0'], ['1.13.11.0-beta0', '1.13.11.0-beta0'],
    ['10.4.13-b', '10.4.13.0-beta'], ['10.4.13-b5', '10.4.13.0-beta5'], ['v1.0.0', '1.0.0.0'], ['2010.01', '2010.01.0.0'],
    ['2010.01.02', '2010.01.02.0'], ['2010.1.555', '2010.1.555.0'], ['2010.10.200', '2010.10.200.0'], ['v20100102', '20100102'],
    ['2010-01-02', '2010.01.02'], ['2010-01-02.5', '2010.01.02.5'], ['20100102-203040', '20100102.203040'],
    ['20100102203040-10', '20100102203040.10'], ['20100102-203040-p1', '20100102.203040-patch1'], ['201903.0', '201903.0'],
    ['201903.0-p2', '201903.0-patch2'], ['1.0.0+foo', '1.0.0.0'], ['1.0.0-beta.5+foo', '1.0.0.0-beta5'],
    ['1.0.0-alpha.3.1+foo', '1.0.0.0-alpha3.1'], ['1.0.0-alpha2.1+foo', '1.0.0.0-alpha2.1'],
    ['1.0.0-alpha-2.1-3+foo', '1.0.0.0-alpha2.1-3'], ['1.0.0+foo as 2.0', '1.0.0.0'], ['1.0.0-stable', '1.0.0.0'],
    ['2.1.x-dev', '2.1.9999999.9999999-dev'],
  ])('normalize(%j) = %j', (v, want) => expect(normalizeComposerVersion(v)).toBe(want));

  // VersionParserTest failingNormalizedVersions, plus branches (which cannot be ordered).
  it.each(['', 'a', '1.0.0-meh', '1.0.0.0.0', 'feature-foo', '1.0.0+foo bar', '1.0.0-SNAPSHOT', '1.0.0-0.3.7', 'dev-master', 'master'])(
    'rejects %j',
    (v) => expect(packagistScheme.isValid(v)).toBe(false),
  );

  // composer/semver tests/ComparatorTest.php compareProvider (release rows).
  it.each([
    ['1.25.0', '1.24.0', 1], ['1.25.0', '1.25.0', 0], ['1.25.0', '1.26.0', -1], ['1.25.0-beta2.1', '1.25.0-b.3', -1],
    ['1.25.0-b2.1', '1.25.0beta.3', -1], ['1.25.0-b-2.1', '1.25.0-rc', -1], ['1.25.0-beta2.1', '1.25.0-b.2.1', 0],
    ['1.25.0beta2.1', '1.25.0-b2.1', 0], ['1.0.0', '1.2-dev', -1],
  ] as const)('%s vs %s = %i', (a, b, s) => expectComparison(packagistScheme, a, b, s));

  it('orders stabilities dev < alpha < beta < RC < stable < patch (derived from version_compare)', () => {
    expectStrictlyAscending(packagistScheme, [
      '1.0.0-dev', '1.0.0-alpha1-dev', '1.0.0-alpha1', '1.0.0-alpha2', '1.0.0-beta1', '1.0.0-RC1', '1.0.0', '1.0.0-p1', '1.0.0-pl2',
      '1.0.1',
    ]);
  });

  // FRIENDSOFPHP advisories: guzzlehttp/guzzle CVE-2016-5385, magento/product-community-edition CVE-2019-8148.
  it.each([
    ['4.0.0-rc2', '4.2.4', -1], ['4.0.0-rc2', '4.0.0', -1], ['2.3', '2.3.2-p2', -1], ['2.3.2', '2.3.2-p2', -1],
    ['2.3.0', '2.3', 0], ['v2.3.2', '2.3.2', 0],
  ] as const)('advisory bound %s vs %s', (a, b, s) => expectComparison(packagistScheme, a, b, s));

  // PHP's own version_compare examples (php.net manual and ext/standard/tests/versioning).
  it.each([
    ['5.2', '5.2.0', -1], ['1.0rc1', '1.0', -1], ['1.0', '1.0.0', -1], ['1.0pl1', '1.0', 1], ['1.0-dev', '1.0a1', -1],
    ['1.0a1', '1.0b1', -1], ['1.0b1', '1.0RC1', -1], ['1.0RC1', '1.0', -1], ['1.0', '1.0.1', -1], ['1.0foo', '1.0dev', -1],
  ] as const)('version_compare(%j, %j) = %i', (a, b, s) => {
    expect(phpVersionCompare(a, b)).toBe(s);
    expect(phpVersionCompare(b, a)).toBe(-s);
  });
});
