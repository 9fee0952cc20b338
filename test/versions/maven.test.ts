/** Maven: ComparableVersion 3.9. Tables from maven-artifact's ComparableVersionTest.java. */
import { describe, expect, it } from 'vitest';
import { mavenScheme } from '../../src/versions/maven.js';
import { expectComparison, expectStrictlyAscending } from './helpers.js';

const VERSIONS_QUALIFIER = [
  '1-alpha2snapshot', '1-alpha2', '1-alpha-123', '1-beta-2', '1-beta123', '1-m2', '1-m11', '1-rc', '1-cr2', '1-rc123',
  '1-SNAPSHOT', '1', '1-sp', '1-sp2', '1-sp123', '1-abc', '1-def', '1-pom-1', '1-1-snapshot', '1-1', '1-2', '1-123',
];
const VERSIONS_NUMBER = [
  '2.0', '2.0.a', '2-1', '2.0.2', '2.0.123', '2.1.0', '2.1-a', '2.1b', '2.1-c', '2.1-1', '2.1.0.1', '2.2', '2.123', '11.a2',
  '11.a11', '11.b2', '11.b11', '11.m2', '11.m11', '11', '11.a', '11b', '11c', '11m',
];

// versionsEqual, versionsHaveSameOrderButAreNotEqual, lexicographicASCIISortOrder, compareLowerCaseToUpperCase*.
const EQUAL: [string, string][] = [
  ['1', '1'], ['1', '1.0'], ['1', '1.0.0'], ['1.0', '1.0.0'], ['1', '1-0'], ['1', '1.0-0'], ['1.0', '1.0-0'], ['1a', '1-a'],
  ['1a', '1.0-a'], ['1a', '1.0.0-a'], ['1.0a', '1-a'], ['1.0.0a', '1-a'], ['1x', '1-x'], ['1x', '1.0-x'], ['1x', '1.0.0-x'],
  ['1.0x', '1-x'], ['1.0.0x', '1-x'], ['1cr', '1rc'], ['1a1', '1-alpha-1'], ['1b2', '1-beta-2'], ['1m3', '1-milestone-3'],
  ['1X', '1x'], ['1A', '1a'], ['1B', '1b'], ['1M', '1m'], ['1Cr', '1Rc'], ['1cR', '1rC'], ['1m3', '1Milestone3'],
  ['1m3', '1MileStone3'], ['1m3', '1MILESTONE3'], ['1ga', '1'], ['1release', '1'], ['1final', '1'], ['1GA', '1'],
  ['1RELeaSE', '1'], ['1FinaL', '1'], ['1.0.0-alpha1', '1.0.0-ALPHA1'], ['1.a', '1.A'], ['1.é', '1.É'],
  ['1-abcdefghijklmnopqrstuvwxyz', '1-ABCDEFGHIJKLMNOPQRSTUVWXYZ'],
  // versionEqualWithLeadingZeroes / versionZeroEqualWithLeadingZeroes (some of the lengths).
  ['0000000000000000001', '1'], ['000000001', '01'], ['0000000000000000000', '0'], ['00000000000', '00'],
];

// versionComparing, leadingZeroes, mng5568, mng6572, mng6964, compareDigitToLetter, lexicographicOrder.
const LESS: [string, string][] = [
  ['1', '2'], ['1.5', '2'], ['1', '2.5'], ['1.0', '1.1'], ['1.1', '1.2'], ['1.0.0', '1.1'], ['1.0.1', '1.1'], ['1.1', '1.2.0'],
  ['1.0-alpha-1', '1.0'], ['1.0-alpha-1', '1.0-alpha-2'], ['1.0-alpha-1', '1.0-beta-1'], ['1.0-beta-1', '1.0-SNAPSHOT'],
  ['1.0-SNAPSHOT', '1.0'], ['1.0-alpha-1-SNAPSHOT', '1.0-alpha-1'], ['1.0', '1.0-1'], ['1.0-1', '1.0-2'], ['1.0.0', '1.0-1'],
  ['2.0-1', '2.0.1'], ['2.0.1-klm', '2.0.1-lmn'], ['2.0.1', '2.0.1-xyz'], ['2.0.1', '2.0.1-123'], ['2.0.1-xyz', '2.0.1-123'],
  ['0.7', '2'], ['0.2', '1.0.7'], ['6.1.0rc3', '6.1.0'], ['6.1.0rc3', '6.1H.5-beta'], ['6.1.0', '6.1H.5-beta'],
  ['20190126.230843', '1234567890.12345'], ['1234567890.12345', '123456789012345.1H.5-beta'],
  ['123456789012345.1H.5-beta', '12345678901234567890.1H.5-beta'], ['1-0.alpha', '1'], ['1-0.beta', '1'],
  ['1-0.alpha', '1-0.beta'], ['J', '7'], ['c', '7'], ['aardvark', 'zebra'], ['zebra', 'ζέβρα'],
  ['é', '1'],
];

describe('Maven', () => {
  it('orders VERSIONS_QUALIFIER', () => expectStrictlyAscending(mavenScheme, VERSIONS_QUALIFIER));
  it('orders VERSIONS_NUMBER', () => expectStrictlyAscending(mavenScheme, VERSIONS_NUMBER));
  it.each(EQUAL)('%j == %j', (a, b) => expectComparison(mavenScheme, a, b, 0));
  it.each(LESS)('%j < %j', (a, b) => expectComparison(mavenScheme, a, b, -1));

  // mng7644: 1.0.0.X1 < 1.0.0-X2 and 2.0.X == 2-X == 2.0.0.X for any string X.
  it.each(['abc', 'alpha', 'a', 'beta', 'b', 'def', 'milestone', 'm', 'RC'])('MNG-7644 with %s', (x) => {
    expectComparison(mavenScheme, `1.0.0.${x}1`, `1.0.0-${x}2`, -1);
    expectComparison(mavenScheme, `2-${x}`, `2.0.${x}`, 0);
    expectComparison(mavenScheme, `2-${x}`, `2.0.0.${x}`, 0);
    expectComparison(mavenScheme, `2.0.${x}`, `2.0.0.${x}`, 0);
  });

  // GHSA-jfh8-c2jp-5v3q (log4j-core), GHSA-mvr2-9pj6-7w5j (guava): real bounds from OSV.
  it.each([
    ['2.0-beta9', '2.3.1', -1], ['2.0-beta9', '2.0', -1], ['2.0-rc1', '2.0', -1], ['2.15.0', '2.16.0', -1],
    ['11.0', '24.1.1-android', -1], ['24.1.1-android', '24.1.1-jre', -1], ['24.1-jre', '24.1.1-android', -1],
  ] as const)('advisory bound %s vs %s', (a, b, s) => expectComparison(mavenScheme, a, b, s));

  // Maven 4's test has mng7714 (`1.0.final-redhat` < `1.0-sp1-redhat`), fixed by its CombinationItem
  // rewrite; maven-artifact 3.9.6 (checked with the jar) still orders these the other way, and so do we.
  it.each(['1.0-sp1-redhat', '1.0-sp-1-redhat', '1.0-sp.1-redhat'])('3.9 keeps 1.0.final-redhat > %s', (v) => {
    expectComparison(mavenScheme, '1.0.final-redhat', v, 1);
  });

  it('treats any string as a version, as ComparableVersion does', () => {
    expect(mavenScheme.isValid('anything goes-1')).toBe(true);
    expect(mavenScheme.isValid('  ')).toBe(true);
    expect(mavenScheme.isValid('')).toBe(true);
  });

  // empty and blank versions, signs from maven-artifact 3.9.6's ComparableVersion.compareTo (OpenJDK 17)
  it.each([
    ['', '0', 0], ['  ', '0', 1], ['', '1', -1], ['', '0-alpha', 1], [' ', '0.0', 1], ['', 'a', -1],
  ] as const)('%j vs %j = %i', (a, b, s) => expectComparison(mavenScheme, a, b, s));
});
