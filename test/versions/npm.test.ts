/** npm: node-semver strict. Tables from node-semver test/fixtures/comparisons.js and equality.js. */
import { describe, expect, it } from 'vitest';
import { npmScheme } from '../../src/versions/npm.js';
import { expectComparison } from './helpers.js';

// node-semver test/fixtures/comparisons.js: [greater, smaller] (rows marked loose there are left out).
const GREATER: [string, string][] = [
  ['0.0.0', '0.0.0-foo'], ['0.0.1', '0.0.0'], ['1.0.0', '0.9.9'], ['0.10.0', '0.9.0'], ['0.99.0', '0.10.0'],
  ['2.0.0', '1.2.3'], ['1.2.3', '1.2.3-asdf'], ['1.2.3', '1.2.3-4'], ['1.2.3', '1.2.3-4-foo'],
  ['1.2.3-5-foo', '1.2.3-5'], ['1.2.3-5', '1.2.3-4'], ['1.2.3-5-foo', '1.2.3-5-Foo'], ['3.0.0', '2.7.2+asdf'],
  ['1.2.3-a.10', '1.2.3-a.5'], ['1.2.3-a.b', '1.2.3-a.5'], ['1.2.3-a.b', '1.2.3-a'],
  ['1.2.3-a.b.c.10.d.5', '1.2.3-a.b.c.5.d.100'], ['1.2.3-r2', '1.2.3-r100'], ['1.2.3-r100', '1.2.3-R2'],
  // comparisons.js rows with a `v` prefix, which strict node-semver accepts too.
  ['v0.0.0', '0.0.0-foo'], ['v1.0.0', '0.9.9'], ['0.10.0', 'v0.9.0'],
];

// node-semver test/fixtures/equality.js, the rows valid in strict mode.
const EQUAL: [string, string][] = [
  ['1.2.3', 'v1.2.3'], ['1.2.3', ' v1.2.3'], ['1.2.3-0', 'v1.2.3-0'], ['1.2.3-beta', 'v1.2.3-beta'],
  ['1.2.3-beta+build', '1.2.3-beta+otherbuild'], ['1.2.3+build', '1.2.3+otherbuild'], ['  v1.2.3+build', '1.2.3+otherbuild'],
];

// Real advisory bounds: GHSA-c2qf-rxjj-qqgw (semver), NSWG-ECO-305 (fury-adapter-swagger).
const REAL: [string, string, number][] = [
  ['2.0.0-alpha', '5.7.2', -1], ['5.7.1', '5.7.2', -1], ['0.8.0-pre', '0.9.0-0', -1], ['0.9.0-0', '0.9.0', -1],
];

describe('npm', () => {
  it.each(GREATER)('%s > %s', (a, b) => expectComparison(npmScheme, a, b, 1));
  it.each(EQUAL)('%s == %s', (a, b) => expectComparison(npmScheme, a, b, 0));
  it.each(REAL)('advisory bound %s vs %s', (a, b, s) => expectComparison(npmScheme, a, b, s));

  // node-semver test/fixtures/invalid-versions.js and loose-only spellings.
  it.each(['1.2.3.4', '1.2', '=1.2.3', '01.2.3', '1.2.3-01', 'hello', '', '1.2.3 4', '9007199254740992.0.0'])(
    'rejects %j',
    (v) => expect(npmScheme.isValid(v)).toBe(false),
  );

  it.each([
    ['1.2.3', '2.0.0', 'major'], ['1.2.3', '1.3.0', 'minor'], ['1.2.3', '1.2.4', 'patch'], ['1.2.3-rc.1', '1.2.3', 'other'],
  ])('bumpKind %s -> %s is %s', (a, b, kind) => expect(npmScheme.bumpKind?.(a, b)).toBe(kind));
});
