/**
 * CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/) of one project, built with the official CycloneDX
 * library: its packages as components with purls, its findings as vulnerabilities with ratings, and the triage
 * state as `analysis` (accepted risk -> exploitable + will_not_fix, false positive -> false_positive, open -> in_triage).
 */
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { Severity } from '../../model/types.js';
import type { ReportFinding } from '../model.js';
import type { SbomData } from '../sbom-data.js';
import type { RenderOptions } from './types.js';
import { packageIndex, findingPackageKey, sbomPackages, type SbomPackage } from './sbom-parts.js';

const SEVERITY: Record<Severity, Enums.Vulnerability.Severity> = {
  UNKNOWN: Enums.Vulnerability.Severity.Unknown,
  NONE: Enums.Vulnerability.Severity.None,
  LOW: Enums.Vulnerability.Severity.Low,
  MEDIUM: Enums.Vulnerability.Severity.Medium,
  HIGH: Enums.Vulnerability.Severity.High,
  CRITICAL: Enums.Vulnerability.Severity.Critical,
};

/** Renders the project as a CycloneDX 1.6 JSON BOM with vulnerabilities (fixed findings are left out: not in the components). */
export function renderCyclonedx(data: SbomData, opts: RenderOptions): string {
  const list = sbomPackages(data.packages);
  const components = new Map<string, Models.Component>();
  const bom = new Models.Bom({
    metadata: new Models.Metadata({
      timestamp: new Date(data.report.generatedAt),
      tools: new Models.Tools({ components: new Models.ComponentRepository([new Models.Component(Enums.ComponentType.Application, 'icms', { version: opts.toolVersion })]) }),
      component: new Models.Component(data.project.kind === 'image' ? Enums.ComponentType.Container : Enums.ComponentType.Application, data.project.name, {
        bomRef: 'icms:project',
        externalReferences: new Models.ExternalReferenceRepository(data.project.kind === 'repo' ? [new Models.ExternalReference(data.project.url, Enums.ExternalReferenceType.VCS)] : []),
      }),
    }),
  });
  for (const p of list) {
    const c = component(p);
    components.set(p.key, c);
    bom.components.add(c);
  }
  const index = packageIndex(list);
  for (const f of data.report.findings) {
    if (f.status === 'fixed') continue;
    const p = findingPackageKey(index, f);
    const ref = p ? components.get(p.key) : undefined;
    if (ref) bom.vulnerabilities.add(vulnerability(f, ref, data));
  }
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}

function component(p: SbomPackage): Models.Component {
  const props: Models.Property[] = [new Models.Property('icms:ecosystem', p.pkg.ecosystem), new Models.Property('icms:target', p.pkg.target)];
  // the source package decides OS matching (Debian advisories name `util-linux`, not `bsdutils`); scan --sbom reads it back
  if (p.pkg.srcName) props.push(new Models.Property('icms:src_name', p.pkg.srcName));
  if (p.pkg.srcVersion) props.push(new Models.Property('icms:src_version', p.pkg.srcVersion));
  return new Models.Component(Enums.ComponentType.Library, p.name, {
    bomRef: p.key,
    group: p.group,
    version: p.pkg.version,
    purl: p.purl,
    properties: new Models.PropertyRepository(props),
  });
}

function vulnerability(f: ReportFinding, ref: Models.Component, data: SbomData): Models.Vulnerability.Vulnerability {
  const V = Models.Vulnerability;
  const text = f.advisoryIds.map((id) => data.report.advisories[id]).find((t) => t?.summary) ?? data.report.advisories[f.groupId];
  const ratings: Models.Vulnerability.Rating[] = [
    new V.Rating({ severity: SEVERITY[f.severity], score: f.cvssScore ?? undefined, vector: f.cvssVector ?? undefined, method: method(f.cvssVector), source: text ? new V.Source({ name: text.source }) : undefined }),
  ];
  if (f.envScore !== null && f.envSeverity) {
    ratings.push(new V.Rating({ severity: SEVERITY[f.envSeverity], score: f.envScore, method: Enums.Vulnerability.RatingMethod.Other, justification: 'environmental CVSS score (icms triage profile of the project)' }));
  }
  const ids = [...new Set([...f.advisoryIds, ...f.aliases])].filter((id) => id !== f.groupId);
  const v = new V.Vulnerability({
    bomRef: `${f.groupId}:${ref.bomRef.value ?? ''}`,
    id: f.groupId,
    source: sourceOf(f.groupId),
    references: new V.ReferenceRepository(ids.map((id) => new V.Reference(id, sourceOf(id)))),
    ratings: new V.RatingRepository(ratings),
    description: text?.summary ?? undefined,
    detail: text?.details ?? undefined,
    recommendation: f.fixedVersion ? `upgrade ${f.package} to ${f.upgrade ?? f.fixedVersion}` : undefined,
    published: text?.published ? new Date(text.published) : undefined,
    updated: text?.modified ? new Date(text.modified) : undefined,
    analysis: analysis(f),
    affects: new V.AffectRepository([new V.Affect(ref.bomRef, { versions: new V.AffectedVersionRepository([new V.AffectedSingleVersion(f.version, { status: Enums.Vulnerability.AffectStatus.Affected })]) })]),
  });
  return v;
}

function analysis(f: ReportFinding): Models.Vulnerability.Analysis {
  const S = Enums.Vulnerability.AnalysisState;
  const reason = f.acceptance?.reason ?? f.statusNote ?? undefined;
  if (f.status === 'false_positive') return new Models.Vulnerability.Analysis({ state: S.FalsePositive, detail: reason });
  if (f.status === 'accepted') {
    const until = f.acceptance?.expires ? ` (accepted until ${f.acceptance.expires})` : '';
    return new Models.Vulnerability.Analysis({ state: S.Exploitable, response: new Enums.Vulnerability.AnalysisResponseRepository([Enums.Vulnerability.AnalysisResponse.WillNotFix]), detail: reason ? `${reason}${until}` : undefined });
  }
  return new Models.Vulnerability.Analysis({ state: S.InTriage });
}

function method(vector: string | null): Enums.Vulnerability.RatingMethod | undefined {
  const M = Enums.Vulnerability.RatingMethod;
  if (!vector) return undefined;
  if (vector.startsWith('CVSS:4.0/')) return M.CVSSv4;
  if (vector.startsWith('CVSS:3.1/')) return M.CVSSv31;
  if (vector.startsWith('CVSS:3.0/')) return M.CVSSv3;
  return /^AV:[LAN]\//.test(vector) ? M.CVSSv2 : M.Other;
}

/** Where an id is published, so Dependency-Track and others can link it. */
function sourceOf(id: string): Models.Vulnerability.Source {
  const S = Models.Vulnerability.Source;
  if (/^CVE-\d+-\d+$/i.test(id)) return new S({ name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${id}` });
  if (/^GHSA-/i.test(id)) return new S({ name: 'GitHub', url: `https://github.com/advisories/${id}` });
  return new S({ name: 'OSV', url: `https://osv.dev/vulnerability/${encodeURIComponent(id)}` });
}
