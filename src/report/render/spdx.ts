/**
 * SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/) of one project: the project as the described package,
 * each of its packages with a purl external reference, and each finding as a SECURITY `advisory` reference on
 * its package (the triage state in the reference comment). No maintained SPDX 2.3 writer exists for Node, so the
 * document is assembled here and checked against the official schema in the tests.
 */
import { createHash } from 'node:crypto';
import type { ReportFinding } from '../model.js';
import type { SbomData } from '../sbom-data.js';
import type { RenderOptions } from './types.js';
import { findingPackageKey, packageIndex, sbomPackages, type SbomPackage } from './sbom-parts.js';

interface ExternalRef {
  referenceCategory: 'PACKAGE-MANAGER' | 'SECURITY';
  referenceType: string;
  referenceLocator: string;
  comment?: string;
}

/** Renders the project as an SPDX 2.3 JSON document. */
export function renderSpdx(data: SbomData, opts: RenderOptions): string {
  const list = sbomPackages(data.packages);
  const ids = new Map(list.map((p, i) => [p.key, `SPDXRef-Package-${i + 1}`]));
  const advisories = new Map<string, ExternalRef[]>();
  const index = packageIndex(list);
  for (const f of data.report.findings) {
    const p = f.status === 'fixed' ? undefined : findingPackageKey(index, f);
    if (p) advisories.set(p.key, [...(advisories.get(p.key) ?? []), advisoryRef(f)]);
  }
  const created = `${data.report.generatedAt.slice(0, 19)}Z`;
  const doc = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: data.project.name,
    // unique per project and moment, as the spec asks, without randomness (the renderer stays pure)
    documentNamespace: `https://icms.invalid/spdx/${encodeURIComponent(data.project.name)}-${createHash('sha256').update(`${data.project.url}\0${created}`).digest('hex').slice(0, 32)}`,
    creationInfo: { created, creators: [`Tool: icms-${opts.toolVersion}`] },
    packages: [
      {
        SPDXID: 'SPDXRef-Project',
        name: data.project.name,
        downloadLocation: data.project.kind === 'repo' ? `git+${data.project.url}` : 'NOASSERTION',
        filesAnalyzed: false,
        primaryPackagePurpose: data.project.kind === 'image' ? 'CONTAINER' : 'APPLICATION',
      },
      ...list.map((p) => spdxPackage(p, ids.get(p.key)!, advisories.get(p.key) ?? [])),
    ],
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Project' },
      ...list.map((p) => ({ spdxElementId: 'SPDXRef-Project', relationshipType: 'CONTAINS', relatedSpdxElement: ids.get(p.key)! })),
    ],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function spdxPackage(p: SbomPackage, id: string, advisories: ExternalRef[]): Record<string, unknown> {
  const refs: ExternalRef[] = p.purl ? [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }] : [];
  return {
    SPDXID: id,
    name: p.pkg.name,
    versionInfo: p.pkg.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    // trivy's wording: scan --sbom (and trivy itself) read the source package of an OS package back from it
    ...(p.pkg.srcName ? { sourceInfo: `built package from: ${p.pkg.srcName} ${p.pkg.srcVersion ?? p.pkg.version}` } : {}),
    primaryPackagePurpose: 'LIBRARY',
    comment: `ecosystem ${p.pkg.ecosystem}, found in ${p.pkg.target}`,
    externalRefs: [...refs, ...advisories],
  };
}

function advisoryRef(f: ReportFinding): ExternalRef {
  const triage =
    f.status === 'accepted' ? `risk accepted: ${f.acceptance?.reason ?? f.statusNote ?? ''}` :
    f.status === 'false_positive' ? `false positive: ${f.acceptance?.reason ?? f.statusNote ?? ''}` :
    f.status;
  const fix = f.fixedVersion ? `, fixed in ${f.fixedVersion}` : '';
  return {
    referenceCategory: 'SECURITY',
    referenceType: 'advisory',
    referenceLocator: advisoryUrl(f.groupId),
    comment: `${f.groupId} ${f.severity}${f.cvssScore !== null ? ` ${f.cvssScore}` : ''}${fix}; ${triage}`,
  };
}

function advisoryUrl(id: string): string {
  if (/^CVE-\d+-\d+$/i.test(id)) return `https://nvd.nist.gov/vuln/detail/${id}`;
  if (/^GHSA-/i.test(id)) return `https://github.com/advisories/${id}`;
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}
