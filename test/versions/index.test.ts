/** The public API: ecosystem names as OSV spells them, typed errors, never a guess. */
import { describe, expect, it } from 'vitest';
import { ExitCode, IcmsError } from '../../src/shared/errors.js';
import {
  bumpKind,
  compareVersions,
  ecosystemBase,
  hasScheme,
  InvalidVersionError,
  isValidVersion,
  knownEcosystems,
  schemeFor,
  UnknownEcosystemError,
} from '../../src/versions/index.js';

describe('schemeFor', () => {
  it.each([
    ['npm', 'npm'], ['PyPI', 'PyPI'], ['Maven', 'Maven'], ['Go', 'Go'], ['crates.io', 'crates.io'], ['RubyGems', 'RubyGems'],
    ['Packagist', 'Packagist'], ['NuGet', 'NuGet'], ['Debian:11', 'Debian'], ['Ubuntu:22.04:LTS', 'Ubuntu'],
    ['Alpine:v3.18', 'Alpine'], ['AlmaLinux:8', 'AlmaLinux'], ['Red Hat:enterprise_linux:9::appstream', 'Red Hat'],
    ['openEuler:22.03-LTS-SP1', 'openEuler'], ['Rocky Linux:9', 'Rocky Linux'], ['SUSE:Linux Enterprise Server 15 SP5', 'SUSE'],
    ['openSUSE:Leap 15.5', 'openSUSE'], ['Mageia:9', 'Mageia'], ['Photon OS:5.0', 'Photon OS'], ['Wolfi', 'Wolfi'], ['pypi', 'PyPI'],
  ])('%j uses the %s scheme', (eco, name) => expect(schemeFor(eco).ecosystem).toBe(name));

  it.each(['Hex', 'Pub', 'GitHub Actions', '', ':11', 'Debianish:11'])('refuses %j with UnknownEcosystemError', (eco) => {
    expect(hasScheme(eco)).toBe(false);
    const err = (() => {
      try {
        schemeFor(eco);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UnknownEcosystemError);
    expect(err).toBeInstanceOf(IcmsError);
    expect((err as UnknownEcosystemError).exitCode).toBe(ExitCode.Usage);
    expect((err as UnknownEcosystemError).ecosystem).toBe(eco);
  });

  it('shares one family ordering across distributions', () => {
    expect(compareVersions('Ubuntu:20.04:LTS', '1.0~rc1', '1.0')).toBe(-1);
    expect(compareVersions('openEuler:22.03-LTS', '1.0^git1', '1.0')).toBe(1);
    expect(compareVersions('Alpine:v3.20', '1.0_rc1-r0', '1.0-r0')).toBe(-1);
    expect(knownEcosystems()).toEqual(expect.arrayContaining(['npm', 'Debian', 'Ubuntu', 'Red Hat', 'Alpine']));
    expect(ecosystemBase('Ubuntu:22.04:LTS')).toBe('Ubuntu');
  });
});

describe('compareVersions', () => {
  it('returns -1, 0 or 1 in the ecosystem order', () => {
    expect(compareVersions('npm', '1.2.3-rc.1', '1.2.3')).toBe(-1);
    expect(compareVersions('Go', 'v1.2.3', '1.2.3')).toBe(0);
    expect(compareVersions('PyPI', '1.10', '1.9')).toBe(1);
  });

  it('throws InvalidVersionError naming the ecosystem and the version', () => {
    expect(() => compareVersions('npm', '1.2', '1.2.3')).toThrow(InvalidVersionError);
    try {
      compareVersions('Debian:12', '1.0-1', 'not a version');
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidVersionError);
      expect((e as InvalidVersionError).version).toBe('not a version');
      expect((e as InvalidVersionError).ecosystem).toBe('Debian');
    }
    expect.assertions(4);
  });

  it('answers validity and bump kinds through the same names', () => {
    expect(isValidVersion('crates.io', 'v1.0.0')).toBe(false);
    expect(isValidVersion('Maven', '1.0-SNAPSHOT')).toBe(true);
    expect(bumpKind('npm', '1.2.3', '1.3.0')).toBe('minor');
    expect(bumpKind('Debian', '1.0-1', '1.0-2')).toBeUndefined();
    expect(() => isValidVersion('Hex', '1.0.0')).toThrow(UnknownEcosystemError);
  });
});
