/** Pieces the SBOM renderers share: one component per distinct package, and names split as purls split them. */
import type { Package } from '../../model/types.js';
import { PackageURL } from 'packageurl-js';

/** A package as an SBOM lists it: its key (bom-ref / SPDX id seed), purl, and name parts. */
export interface SbomPackage {
  key: string;
  pkg: Package;
  purl: string | undefined;
  group: string | undefined;
  name: string;
}

/** One entry per distinct purl (or ecosystem/name/version without one): a package in several lockfiles is listed once. */
export function sbomPackages(packages: readonly Package[]): SbomPackage[] {
  const out = new Map<string, SbomPackage>();
  for (const pkg of packages) {
    const key = pkg.purl ?? `${pkg.ecosystem}/${pkg.name}@${pkg.version}`;
    if (out.has(key)) continue;
    const parsed = pkg.purl ? parsePurl(pkg.purl) : undefined;
    out.set(key, { key, pkg, purl: pkg.purl, group: parsed?.namespace ?? undefined, name: parsed?.name ?? pkg.name });
  }
  return [...out.values()];
}

/** The key of the package a finding is on (findings carry ecosystem/name/version; packages may carry a purl). */
export function findingPackageKey(index: ReadonlyMap<string, SbomPackage>, f: { ecosystem: string; package: string; version: string }): SbomPackage | undefined {
  return index.get(`${f.ecosystem}\0${f.package}\0${f.version}`);
}

/** Index of sbomPackages by ecosystem/name/version. */
export function packageIndex(list: readonly SbomPackage[]): Map<string, SbomPackage> {
  return new Map(list.map((p) => [`${p.pkg.ecosystem}\0${p.pkg.name}\0${p.pkg.version}`, p]));
}

function parsePurl(purl: string): PackageURL | undefined {
  try {
    return PackageURL.fromString(purl);
  } catch {
    return undefined;
  }
}
