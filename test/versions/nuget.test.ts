/** NuGet: NuGet.Versioning. Cases after NuGet.Client's VersionComparerTests / NuGetVersionTest. */
import { describe, expect, it } from 'vitest';
import { nugetScheme } from '../../src/versions/nuget.js';
import { expectComparison, expectStrictlyAscending } from './helpers.js';

describe('NuGet', () => {
  // VersionComparerTests.VersionComparisonDefaultEqual.
  it.each([
    ['1.0.0', '1.0.0'], ['1.0.0-BETA', '1.0.0-beta'], ['1.0.0-BETA+AA', '1.0.0-beta+aa'],
    ['1.0.0-BETA.X.y.5.77.0+AA', '1.0.0-beta.x.y.5.77.0+aa'], ['1.0.0', '1.0.0+beta'], ['1.0', '1.0.0.0'],
    ['1.0+test', '1.0.0.0'], ['1.0.0.1-1.2.A', '1.0.0.1-1.2.a+A'], ['1.0.01', '1.0.1.0'], ['1', '1.0.0'],
  ])('%j == %j', (a, b) => expectComparison(nugetScheme, a, b, 0));

  it('orders SemVer 2 labels, numbers below text, four numeric parts (derived from the comparer)', () => {
    expectStrictlyAscending(nugetScheme, [
      '0.0.0', '1.0.0-1', '1.0.0-2', '1.0.0-10', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-BETA',
      '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.0.1-beta', '1.0.0.1', '1.0.0.2', '1.0.1', '1.1',
    ]);
  });

  // Real: GHSA-gxr4-xjj5-5px2 lists NuGet jquery, fixed in 3.5.0.
  it.each([['1.2.3', '3.5.0', -1], ['3.5.0', '3.5.0.0', 0]] as const)('advisory bound %s vs %s', (a, b, s) =>
    expectComparison(nugetScheme, a, b, s),
  );

  // NuGetVersionTest parse failures.
  it.each(['', 'a', '1.2.3.4.5', '1.0.0-', '1.0.0-beta..1', '1.0.0-01', '1.0.0+', '1.0.0-beta$', 'v1.0.0', '1.-1', '2147483648.0'])(
    'rejects %j',
    (v) => expect(nugetScheme.isValid(v)).toBe(false),
  );

  it('accepts surrounding whitespace and leading zeros in numbers, as TryParse does', () => {
    expect(nugetScheme.isValid(' 1.0.0 ')).toBe(true);
    expect(nugetScheme.isValid('01.002')).toBe(true);
    expect(nugetScheme.bumpKind?.('1.2.3', '1.2.3.4')).toBe('other');
  });
});
