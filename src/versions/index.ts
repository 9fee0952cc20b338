/**
 * Public API of the version schemes: pick the ordering for an OSV ecosystem name and compare with it.
 * Used by the matcher and by scripts outside the CLI.
 */
import { alpineScheme } from './alpine.js';
import { cratesScheme } from './crates.js';
import { debianScheme } from './debian.js';
import { goScheme } from './go.js';
import { mavenScheme } from './maven.js';
import { npmScheme } from './npm.js';
import { nugetScheme } from './nuget.js';
import { packagistScheme } from './packagist.js';
import { pypiScheme } from './pypi.js';
import { rpmScheme } from './rpm.js';
import { rubygemsScheme } from './rubygems.js';
import { InvalidVersionError, UnknownEcosystemError, type BumpKind, type VersionScheme } from './scheme.js';

export { InvalidVersionError, UnknownEcosystemError } from './scheme.js';
export type { BumpKind, VersionScheme } from './scheme.js';

/** OSV ecosystem names (the part before any `:`) and the ordering each one uses. */
const FAMILIES: [VersionScheme, string[]][] = [
  [npmScheme, ['npm']],
  [pypiScheme, ['PyPI']],
  [mavenScheme, ['Maven']],
  [goScheme, ['Go']],
  [cratesScheme, ['crates.io']],
  [rubygemsScheme, ['RubyGems']],
  [packagistScheme, ['Packagist']],
  [nugetScheme, ['NuGet']],
  [debianScheme, ['Debian', 'Ubuntu']],
  [
    rpmScheme,
    ['Red Hat', 'AlmaLinux', 'Rocky Linux', 'CentOS', 'openEuler', 'SUSE', 'openSUSE', 'Mageia', 'Photon OS', 'Azure Linux', 'Mariner'],
  ],
  // Wolfi, Chainguard and the other apk-based distributions use apk-tools' ordering too.
  [alpineScheme, ['Alpine', 'Wolfi', 'Chainguard', 'Alpaquita', 'BellSoft Hardened Containers', 'MinimOS']],
];

const SCHEMES = new Map<string, VersionScheme>();
for (const [scheme, names] of FAMILIES) {
  for (const name of names) SCHEMES.set(name.toLowerCase(), { ...scheme, ecosystem: name });
}

/** The ecosystem names that have a scheme, as OSV spells them. */
export function knownEcosystems(): string[] {
  return [...SCHEMES.values()].map((s) => s.ecosystem);
}

/** The base name of an OSV ecosystem: `Debian:11` -> `Debian`, `Ubuntu:22.04:LTS` -> `Ubuntu`. */
export function ecosystemBase(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  return (colon >= 0 ? ecosystem.slice(0, colon) : ecosystem).trim();
}

/**
 * The scheme for an ecosystem as OSV spells it, release suffixes accepted (`Alpine:v3.18`,
 * `Red Hat:enterprise_linux:9`); the base name is matched without regard to case.
 * Throws UnknownEcosystemError rather than guess.
 */
export function schemeFor(ecosystem: string): VersionScheme {
  const scheme = typeof ecosystem === 'string' ? SCHEMES.get(ecosystemBase(ecosystem).toLowerCase()) : undefined;
  if (!scheme) throw new UnknownEcosystemError(String(ecosystem));
  return scheme;
}

/** True when the ecosystem has a scheme (no throw). */
export function hasScheme(ecosystem: string): boolean {
  return typeof ecosystem === 'string' && SCHEMES.has(ecosystemBase(ecosystem).toLowerCase());
}

/** Whether `version` is valid in the ecosystem; throws UnknownEcosystemError for an unknown one. */
export function isValidVersion(ecosystem: string, version: string): boolean {
  return schemeFor(ecosystem).isValid(version);
}

/** -1, 0 or 1; throws UnknownEcosystemError, or InvalidVersionError naming the first invalid version. */
export function compareVersions(ecosystem: string, a: string, b: string): number {
  const scheme = schemeFor(ecosystem);
  for (const v of [a, b]) if (!scheme.isValid(v)) throw new InvalidVersionError(scheme.ecosystem, v);
  return Math.sign(scheme.compare(a, b));
}

/** Which part an upgrade changes, where the scheme knows major/minor/patch; undefined otherwise. */
export function bumpKind(ecosystem: string, from: string, to: string): BumpKind | undefined {
  return schemeFor(ecosystem).bumpKind?.(from, to);
}
