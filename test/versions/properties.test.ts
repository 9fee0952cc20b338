/**
 * Properties every scheme must have, over versions built from each ecosystem's grammar: compare never
 * throws and is a total preorder (antisymmetric, transitive), and isValid never throws on junk.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alpineScheme } from '../../src/versions/alpine.js';
import { cratesScheme } from '../../src/versions/crates.js';
import { debianScheme } from '../../src/versions/debian.js';
import { goScheme } from '../../src/versions/go.js';
import { mavenScheme } from '../../src/versions/maven.js';
import { npmScheme } from '../../src/versions/npm.js';
import { nugetScheme } from '../../src/versions/nuget.js';
import { packagistScheme } from '../../src/versions/packagist.js';
import { pypiScheme } from '../../src/versions/pypi.js';
import { rpmScheme } from '../../src/versions/rpm.js';
import { rubygemsScheme } from '../../src/versions/rubygems.js';
import type { VersionScheme } from '../../src/versions/scheme.js';

const num = fc.oneof(fc.constantFrom('0', '1', '2', '9', '10', '11', '100'), fc.nat({ max: 3000 }).map(String));
const pick = <T>(...xs: T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);
const joined = (parts: fc.Arbitrary<string>[]): fc.Arbitrary<string> => fc.tuple(...parts).map((p) => p.join(''));
const opt = (a: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.option(a, { nil: '' });
const many = (a: fc.Arbitrary<string>, sep: string, max = 4): fc.Arbitrary<string> =>
  fc.array(a, { minLength: 1, maxLength: max }).map((x) => x.join(sep));

const semverPre = many(fc.oneof(num, pick('alpha', 'beta', 'rc', 'x-1', '0a', 'A')), '.');
const semver = joined([num, pick('.'), num, pick('.'), num, opt(semverPre.map((p) => `-${p}`)), opt(pick('+build', '+1.2', '+incompatible'))]);

const GENERATORS: [VersionScheme, fc.Arbitrary<string>][] = [
  [npmScheme, semver],
  [cratesScheme, semver],
  [goScheme, fc.oneof(semver, semver.map((v) => `v${v}`), joined([pick('v0.0.0-', 'v1.2.4-0.'), pick('20200207183749-b753a1ba74fa', '20191109021931-daa7c04131f5')]))],
  [pypiScheme, joined([opt(pick('1!', '2!')), many(num, '.'), opt(joined([pick('a', 'b', 'rc', 'c', '-alpha', '.pre'), opt(num)])), opt(joined([pick('.post', '-', '.r'), num])), opt(joined([pick('.dev', 'dev'), opt(num)])), opt(many(pick('abc', '1', '0', 'x2'), '.').map((l) => `+${l}`))])],
  [mavenScheme, joined([num, fc.array(joined([pick('.', '-', ''), fc.oneof(num, pick('alpha', 'a', 'b', 'm', 'rc', 'cr', 'snapshot', 'ga', 'final', 'sp', 'jre', 'x', ''))]), { maxLength: 5 }).map((x) => x.join(''))])],
  [rubygemsScheme, joined([num, fc.array(joined([pick('.'), fc.oneof(num, pick('a', 'b', 'pre', 'rc', 'beta1'))]), { maxLength: 4 }).map((x) => x.join('')), opt(pick('-1', '-rc.1', '-a'))])],
  [debianScheme, joined([opt(pick('1:', '2:')), num, many(fc.oneof(num, pick('a', 'b', '~', '~~', '+', '.', 'dfsg', '~rc')), '', 4), opt(joined([pick('-'), num, opt(pick('ubuntu1', '+deb11u1', '~bpo1', '.1'))]))])],
  [rpmScheme, joined([opt(pick('1:', '3:')), num, many(fc.oneof(num, pick('a', 'p', '~rc', '^git', '.', '_', '+')), '', 4), opt(joined([pick('-'), num, opt(pick('.el8', '.el9_3', '.fc39', '~pre', '^1'))]))])],
  [alpineScheme, joined([num, fc.array(joined([pick('.'), num]), { maxLength: 3 }).map((x) => x.join('')), opt(pick('a', 'z')), fc.array(joined([pick('_alpha', '_beta', '_pre', '_rc', '_p', '_git', '_cvs'), opt(num)]), { maxLength: 2 }).map((x) => x.join('')), opt(pick('~abc123', '~0')), opt(num.map((n) => `-r${n}`))])],
  [packagistScheme, joined([opt(pick('v')), pick('0', '1', '2', '10'), fc.array(joined([pick('.'), num]), { maxLength: 3 }).map((x) => x.join('')), opt(joined([pick('-', '', '.'), pick('alpha', 'beta', 'b', 'RC', 'rc', 'patch', 'p', 'pl', 'stable'), opt(num)])), opt(pick('-dev'))])],
  [nugetScheme, joined([many(num, '.', 4), opt(semverPre.map((p) => `-${p}`)), opt(pick('+meta', '+1.0'))])],
];

const sign = (n: number): number => Math.sign(n) || 0;
const RUNS = { numRuns: 300 };

describe.each(GENERATORS)('$ecosystem properties', (scheme, gen) => {
  const valid = gen.filter((v) => scheme.isValid(v));

  it('generates mostly valid versions (the generator follows the grammar)', () => {
    const sample = fc.sample(gen, { numRuns: 200, seed: 42 });
    expect(sample.filter((v) => scheme.isValid(v)).length).toBeGreaterThan(120);
  });

  it('is reflexive and antisymmetric', () => {
    fc.assert(fc.property(valid, valid, (a, b) => {
      expect(sign(scheme.compare(a, a))).toBe(0);
      expect(sign(scheme.compare(a, b))).toBe(-sign(scheme.compare(b, a)) || 0);
    }), RUNS);
  });

  it('is transitive on random triples', () => {
    fc.assert(fc.property(valid, valid, valid, (a, b, c) => {
      const [ab, bc, ac] = [sign(scheme.compare(a, b)), sign(scheme.compare(b, c)), sign(scheme.compare(a, c))];
      if (ab <= 0 && bc <= 0) expect(ac).toBeLessThanOrEqual(0);
      if (ab >= 0 && bc >= 0) expect(ac).toBeGreaterThanOrEqual(0);
      if (ab === 0 && bc === 0) expect(ac).toBe(0);
    }), RUNS);
  });

  it('isValid never throws on junk', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom(...'0123456789.-_+~^:!abprv ') })), (s) => {
      expect(typeof scheme.isValid(s)).toBe('boolean');
    }), { numRuns: 1000 });
  });
});
