/**
 * Package URLs (https://github.com/package-url/purl-spec) -> icms Packages, mapped to the same OSV ecosystems,
 * names and match versions as a trivy report gives (see trivy-report.ts). Used for SBOMs, which name their
 * components by purl. Unknown purl types and OS packages without a readable distro come out unmapped.
 */
import { PackageURL } from 'packageurl-js';
import type { Package } from '../model/types.js';
import { pep503 } from '../model/package-name.js';
import { matchVersionFor, osEcosystem } from './ecosystems.js';
import { PURL_TYPE_ECOSYSTEMS } from '../model/purl-ecosystems.js';

const LANG_TYPES = PURL_TYPE_ECOSYSTEMS;

const OS_TYPES = new Set(['deb', 'rpm', 'apk']);

/** What an SBOM says besides the purl: the source package (trivy properties, SPDX sourceInfo) and where. */
export interface PurlExtras {
  target: string;
  /** trivy's PkgType property when the SBOM was written by trivy. */
  pkgType?: string | undefined;
  srcName?: string | undefined;
  srcVersion?: string | undefined;
  /** The OS the SBOM describes (its operating-system component), for OS purls without a distro qualifier. */
  os?: { family: string; release: string } | undefined;
}

/** A parsed purl, or undefined when it is not one. */
export function parsePurl(purl: string): PackageURL | undefined {
  try {
    return PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
}

/** The Package a purl names, undefined when the purl has no version (nothing to match). */
export function packageFromPurl(purl: PackageURL, raw: string, extras: PurlExtras): Package | undefined {
  if (!purl.version) return undefined;
  return OS_TYPES.has(purl.type) ? osPackage(purl, raw, extras) : langPackage(purl, raw, extras);
}

function langPackage(purl: PackageURL, raw: string, extras: PurlExtras): Package {
  const ecosystem = LANG_TYPES[purl.type];
  const name = fullName(purl);
  const version = purl.version!;
  const eco = ecosystem ?? purl.type;
  return {
    ecosystem: eco,
    name,
    version,
    pkgType: extras.pkgType ?? purl.type,
    target: extras.target,
    purl: raw,
    indirect: false,
    matchName: eco === 'PyPI' ? pep503(name) : name,
    matchVersion: ecosystem ? matchVersionFor(ecosystem, version) : version,
    unmapped: ecosystem === undefined,
  };
}

/** The name as trivy spells it: Maven `group:artifact`, Go/Composer/Swift `namespace/name`, npm `@scope/name`. */
function fullName(purl: PackageURL): string {
  if (!purl.namespace) return purl.name;
  return purl.type === 'maven' ? `${purl.namespace}:${purl.name}` : `${purl.namespace}/${purl.name}`;
}

function osPackage(purl: PackageURL, raw: string, extras: PurlExtras): Package {
  const q = purl.qualifiers ?? {};
  const family = (purl.namespace ?? extras.os?.family ?? '').toLowerCase();
  const release = releaseOf(q.distro) ?? (extras.os && extras.os.family.toLowerCase() === family ? extras.os.release : '');
  const mapped = osEcosystem(family, release);
  // trivy puts the epoch in a qualifier (`epoch=1`), syft in the version (`1:2.36.1-8`).
  const version = q.epoch && q.epoch !== '0' && !purl.version!.includes(':') ? `${q.epoch}:${purl.version!}` : purl.version!;
  const upstream = upstreamOf(q.upstream);
  const srcName = extras.srcName ?? upstream?.name ?? purl.name;
  const srcVersion = extras.srcVersion ?? upstream?.version ?? version;
  const useSource = mapped?.naming !== 'binary';
  return {
    ecosystem: mapped?.ecosystem ?? purl.type,
    name: purl.name,
    version,
    pkgType: extras.pkgType ?? (family || purl.type),
    target: extras.target,
    purl: raw,
    indirect: false,
    srcName,
    srcVersion,
    matchName: useSource ? srcName : purl.name,
    matchVersion: useSource ? srcVersion : version,
    unmapped: mapped === undefined,
  };
}

/** `debian-11.7` -> `11.7`, `rhel-8.6` -> `8.6`, `opensuse-leap-15.5` -> `15.5`; a codename alone is unreadable. */
function releaseOf(distro: string | undefined): string | undefined {
  if (!distro) return undefined;
  return /-(\d[\w.+~-]*)$/.exec(distro)?.[1] ?? (/^\d/.test(distro) ? distro : undefined);
}

/** syft's `upstream` qualifier: the source package, optionally `name@version`. */
function upstreamOf(upstream: string | undefined): { name: string; version?: string | undefined } | undefined {
  if (!upstream) return undefined;
  const at = upstream.indexOf('@');
  return at > 0 ? { name: upstream.slice(0, at), version: upstream.slice(at + 1) } : { name: upstream };
}
