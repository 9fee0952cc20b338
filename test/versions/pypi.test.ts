/** PyPI: PEP 440 as pypa packaging implements it. Tables from packaging tests/test_version.py. */
import { describe, expect, it } from 'vitest';
import { pypiScheme } from '../../src/versions/pypi.js';
import { expectComparison, expectStrictlyAscending } from './helpers.js';

// test_version.py VERSIONS: "This list must be in the correct sorting order".
const BASE = [
  '1.0.dev0', '1.0.dev456', '1.0.dev456+local', '1.0a0', '1.0a0.post0.dev0', '1.0a0.post0', '1.0a1.dev1',
  '1.0a1.dev1+local', '1.0a1', '1.0a1+local', '1.0b0', '1.0b1.dev456', '1.0b2', '1.0b2.post345.dev456', '1.0b2.post345',
  '1.0b2-346', '1.0rc0', '1.0rc1.dev1', '1.0c1', '1.0rc2', '1.0', '1.0.post0.dev0', '1.0.post0', '1.0.post456.dev34',
  '1.0.post456', '1.0.post456+local', '1.0.1.dev1', '1.0.1a1', '1.0.1', '1.0.1+local', '1.0.1.post1', '1.1.dev1',
  '1.2+a', '1.2+abc', '1.2+abcdef', '1.2+def', '1.2+0', '1.2+1', '1.2+1.abc', '1.2+1.1', '1.2+1.1.0', '1.2+2', '1.2+123',
  '1.2+123456', '1.2.r32+123456', '1.2.rev33+123456',
];
const VERSIONS = [...BASE, ...BASE.map((v) => `1!${v}`)];

// test_version.py test_normalized_versions: each spelling equals its normal form.
const NORMALIZED: [string, string][] = [
  ['1.0dev', '1.0.dev0'], ['1.0-dev1', '1.0.dev1'], ['1.0.DEV1', '1.0.dev1'], ['1.0a', '1.0a0'], ['1.0.alpha1', '1.0a1'],
  ['1.0-A1', '1.0a1'], ['1.0BETA', '1.0b0'], ['1.0-beta1', '1.0b1'], ['1.0c', '1.0rc0'], ['1.0.C1', '1.0rc1'],
  ['1.0-RC1', '1.0rc1'], ['1.0post', '1.0.post0'], ['1.0-POST1', '1.0.post1'], ['1.0r', '1.0.post0'], ['1.0rev', '1.0.post0'],
  ['1.0.r1', '1.0.post1'], ['1.0-5', '1.0.post5'], ['1.0-r5', '1.0.post5'], ['1.0-rev5', '1.0.post5'], ['1.0+AbC', '1.0+abc'],
  ['1.01', '1.1'], ['1.0a05', '1.0a5'], ['1.0c056', '1.0rc56'], ['1.0.post000', '1.0.post0'], ['1.1.dev09000', '1.1.dev9000'],
  ['00!1.2', '1.2'], ['0100!0.0', '100!0.0'], ['v1.0', '1.0'], ['   v1.0\t\n', '1.0'],
  ['\u202f1.0\t\u2029\n ', '1.0'],
  // From the brief's list: implicit zeros and the alpha spelling.
  ['1.0.0a1', '1.0.0-alpha1'], ['1.0', '1.0.0'],
];

// test_version.py test_invalid_versions.
const INVALID = [
  'french toast', '1.0+a+', '1.0++', '1.0+_foobar', '1.0+foo&asd', '1.0+1+1', '1. 0', '1 .0', '1. 0a1', '1 .0a1',
  '1.0 a1', '1.0a 1', '٠١٢.٣٤٥.٦٧٨٩', '.', '..', '1..0', '1.0.', '.1.0', '1..2.3', '1.0+\u0130',
];

describe('PyPI', () => {
  it('orders the packaging VERSIONS list', () => expectStrictlyAscending(pypiScheme, VERSIONS));
  it.each(NORMALIZED)('%j == %j', (a, b) => expectComparison(pypiScheme, a, b, 0));
  it.each(INVALID)('rejects %j', (v) => expect(pypiScheme.isValid(v)).toBe(false));

  it('compares numbers beyond 2^53 exactly, as Python ints do', () => {
    expectComparison(pypiScheme, '99999999999999999998.1', '99999999999999999999.1', -1);
    expectComparison(pypiScheme, '1.0+9007199254740993', '1.0+9007199254740992', 1);
  });

  // PYSEC-2024-46 and PYSEC-2022-280 (apache-airflow), PYSEC-2022-42972 (apache-iotdb).
  it.each([
    ['2.8.0', '2.8.3rc1', -1], ['2.8.3rc1', '2.8.3', -1], ['2.4.0b1', '2.4.0', -1], ['2.3.4', '2.4.0b1', -1],
    ['0.13.0', '0.14.0rc1', -1],
  ] as const)('advisory bound %s vs %s', (a, b, s) => expectComparison(pypiScheme, a, b, s));

  // Strings seen in pypa/advisory-database that packaging (>= 22, no LegacyVersion) refuses.
  it.each(['trunk', '0.3m3'])('real but invalid %j', (v) => expect(pypiScheme.isValid(v)).toBe(false));

  it('reports bumps on the release segment; an epoch change is major', () => {
    expect(pypiScheme.bumpKind?.('1.2.3', '1.2.4.post1')).toBe('patch');
    expect(pypiScheme.bumpKind?.('1.2', '1.3')).toBe('minor');
    expect(pypiScheme.bumpKind?.('2.0', '1!1.0')).toBe('major');
  });
});
