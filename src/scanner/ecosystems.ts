/**
 * trivy's package Types and OS families -> OSV ecosystem names (https://ossf.github.io/osv-schema/#affectedpackage-field,
 * ecosystems.json). Unknown inputs are reported as unmapped, never guessed.
 */

/** Language package Types of trivy (0.44 .. current) and the OSV ecosystem each belongs to. */
const LANG_ECOSYSTEMS: Readonly<Record<string, string>> = {
  gomod: 'Go',
  gobinary: 'Go',
  npm: 'npm',
  yarn: 'npm',
  pnpm: 'npm',
  bun: 'npm',
  'node-pkg': 'npm',
  pip: 'PyPI',
  pipenv: 'PyPI',
  poetry: 'PyPI',
  uv: 'PyPI',
  'python-pkg': 'PyPI',
  pom: 'Maven',
  gradle: 'Maven',
  sbt: 'Maven',
  jar: 'Maven',
  cargo: 'crates.io',
  'rust-binary': 'crates.io',
  bundler: 'RubyGems',
  gemspec: 'RubyGems',
  composer: 'Packagist',
  'composer-vendor': 'Packagist',
  nuget: 'NuGet',
  'dotnet-core': 'NuGet',
  'packages-props': 'NuGet',
  pub: 'Pub',
  hex: 'Hex',
  cocoapods: 'CocoaPods',
  swift: 'SwiftURL',
  conan: 'ConanCenter',
};

/** Which package an OS distro's OSV advisories name: the source package (dpkg/apk) or the binary RPM. */
export type AdvisoryNaming = 'source' | 'binary';

interface OsFamily {
  /** OSV ecosystem for a release, undefined when the release string cannot be read. */
  ecosystem: (release: string) => string | undefined;
  naming: AdvisoryNaming;
}

const major = (r: string): string | undefined => /^(\d+)/.exec(r)?.[1];
const majorMinor = (r: string): string | undefined => /^(\d+\.\d+)/.exec(r)?.[1];

/** Even-year .04 Ubuntu releases are LTS, which OSV spells `Ubuntu:22.04:LTS`. */
function ubuntu(r: string): string | undefined {
  const mm = /^(\d+)\.(\d+)/.exec(r);
  if (!mm) return undefined;
  const lts = mm[2] === '04' && Number(mm[1]) % 2 === 0;
  return `Ubuntu:${mm[1]}.${mm[2]}${lts ? ':LTS' : ''}`;
}

/** openEuler releases carry their LTS/SP suffix (`openEuler:22.03-LTS-SP1`): from "22.03-LTS-SP1" or "22.03 (LTS-SP1)". */
function openEuler(r: string): string | undefined {
  const m = /^(\d+\.\d+)(?:[\s-]+\(?([A-Za-z0-9-]+)\)?)?$/.exec(r.trim());
  if (!m) return undefined;
  return `openEuler:${m[1]}${m[2] ? `-${m[2].toUpperCase()}` : ''}`;
}

/** SLES 15.5 -> `SUSE:Linux Enterprise Server 15 SP5`, as osv.dev names SUSE's streams. */
function sles(r: string): string | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(r);
  if (!m) return undefined;
  return `SUSE:Linux Enterprise Server ${m[1]}${m[2] && m[2] !== '0' ? ` SP${m[2]}` : ''}`;
}

/**
 * OS families as trivy's `Metadata.OS.Family` spells them. Families without OSV advisories (centos, amazon,
 * oracle, fedora, cbl-mariner) are left out on purpose: their packages come out unmapped.
 */
const OS_FAMILIES: Readonly<Record<string, OsFamily>> = {
  debian: { ecosystem: (r) => withRelease('Debian', major(r)), naming: 'source' },
  ubuntu: { ecosystem: ubuntu, naming: 'source' },
  alpine: { ecosystem: (r) => withRelease('Alpine', majorMinor(r), 'v'), naming: 'source' },
  wolfi: { ecosystem: () => 'Wolfi', naming: 'source' },
  chainguard: { ecosystem: () => 'Chainguard', naming: 'source' },
  openeuler: { ecosystem: openEuler, naming: 'source' },
  // RPM distros: OSV lists binary RPM names and epoch-ful NEVRs without the arch.
  alma: { ecosystem: (r) => withRelease('AlmaLinux', major(r)), naming: 'binary' },
  almalinux: { ecosystem: (r) => withRelease('AlmaLinux', major(r)), naming: 'binary' },
  rocky: { ecosystem: (r) => withRelease('Rocky Linux', major(r)), naming: 'binary' },
  // osv.dev's Red Hat ecosystem is `Red Hat:<cpe stream>` (e.g. `Red Hat:enterprise_linux:8::appstream`);
  // trivy does not know the repository stream, so we give the prefix and the matcher compares by prefix.
  redhat: { ecosystem: (r) => withRelease('Red Hat:enterprise_linux', major(r)), naming: 'binary' },
  'opensuse.leap': { ecosystem: (r) => withRelease('openSUSE:Leap', majorMinor(r), '', ' '), naming: 'binary' },
  'opensuse.tumbleweed': { ecosystem: () => 'openSUSE:Tumbleweed', naming: 'binary' },
  'suse linux enterprise server': { ecosystem: sles, naming: 'binary' },
  sles: { ecosystem: sles, naming: 'binary' },
  photon: { ecosystem: (r) => withRelease('Photon OS', majorMinor(r) ?? (major(r) ? `${major(r)}.0` : undefined)), naming: 'binary' },
};

function withRelease(name: string, release: string | undefined, prefix = '', sep = ':'): string | undefined {
  return release === undefined ? undefined : `${name}${sep}${prefix}${release}`;
}

/** OSV ecosystem of a trivy language package Type, undefined when icms knows none. */
export function langEcosystem(pkgType: string): string | undefined {
  return LANG_ECOSYSTEMS[pkgType.toLowerCase()];
}

/** The OSV ecosystem and advisory naming of an OS family + release, undefined when unknown or unreadable. */
export function osEcosystem(family: string, release: string): { ecosystem: string; naming: AdvisoryNaming } | undefined {
  const fam = OS_FAMILIES[family.toLowerCase()];
  if (!fam) return undefined;
  const ecosystem = fam.ecosystem(release);
  return ecosystem === undefined ? undefined : { ecosystem, naming: fam.naming };
}


/**
 * Version as OSV records it for the ecosystem. Go (module versions) and Packagist (composer tags like `v6.18.10`)
 * advisories store versions without the leading `v`, so it is dropped there; elsewhere the version is kept raw.
 */
export function matchVersionFor(ecosystem: string, version: string): string {
  if ((ecosystem === 'Go' || ecosystem === 'Packagist') && /^[vV]\d/.test(version)) return version.slice(1);
  return version;
}
