/** Package URLs (https://github.com/package-url/purl-spec) for packages trivy reported without one. */
import { PackageURL } from 'packageurl-js';

/** OSV ecosystem -> purl type; ecosystems not listed get no purl rather than a made-up one. */
const PURL_TYPES: Readonly<Record<string, string>> = {
  Go: 'golang',
  npm: 'npm',
  PyPI: 'pypi',
  Maven: 'maven',
  'crates.io': 'cargo',
  RubyGems: 'gem',
  Packagist: 'composer',
  NuGet: 'nuget',
  Pub: 'pub',
  Hex: 'hex',
  CocoaPods: 'cocoapods',
  SwiftURL: 'swift',
  ConanCenter: 'conan',
};

/** OS families by package format: dpkg, apk, or rpm. */
const OS_PURL_TYPES: Readonly<Record<string, string>> = {
  debian: 'deb',
  ubuntu: 'deb',
  alpine: 'apk',
  wolfi: 'apk',
  chainguard: 'apk',
};
const RPM_FAMILIES = new Set(['redhat', 'centos', 'rocky', 'alma', 'almalinux', 'fedora', 'amazon', 'oracle', 'openeuler', 'photon', 'cbl-mariner', 'opensuse.leap', 'opensuse.tumbleweed', 'sles']);

export interface PurlInput {
  ecosystem: string;
  isOs: boolean;
  os?: { family: string; release: string } | undefined;
  name: string;
  version: string;
  arch?: string | undefined;
}

/** Builds a purl, or undefined when the ecosystem has no purl type icms knows. */
export function buildPurl(p: PurlInput): string | undefined {
  try {
    return p.isOs ? osPurl(p) : langPurl(p);
  } catch {
    // packageurl-js rejects names it cannot encode (e.g. an empty Maven artifact); no purl beats a wrong one.
    return undefined;
  }
}

function langPurl(p: PurlInput): string | undefined {
  const type = PURL_TYPES[p.ecosystem];
  if (!type) return undefined;
  const [namespace, name] = splitName(type, p.name);
  return new PackageURL(type, namespace, name, p.version, undefined, undefined).toString();
}

/** Where the purl spec puts the namespace for each type. */
function splitName(type: string, full: string): [string | undefined, string] {
  const cut = (sep: string): [string | undefined, string] => {
    const i = full.lastIndexOf(sep);
    return i > 0 ? [full.slice(0, i), full.slice(i + 1)] : [undefined, full];
  };
  if (type === 'maven') return cut(':');
  if (type === 'golang' || type === 'composer' || type === 'swift') return cut('/');
  if (type === 'npm' && full.startsWith('@')) return cut('/');
  return [undefined, full];
}

function osPurl(p: PurlInput): string | undefined {
  const family = (p.os?.family ?? '').toLowerCase();
  const type = OS_PURL_TYPES[family] ?? (RPM_FAMILIES.has(family) ? 'rpm' : undefined);
  if (!type || !p.os) return undefined;
  const qualifiers: Record<string, string> = {};
  if (p.arch) qualifiers.arch = p.arch;
  if (p.os.release) qualifiers.distro = `${family}-${p.os.release}`;
  return new PackageURL(type, family, p.name, p.version, qualifiers, undefined).toString();
}
