/**
 * CycloneDX VEX (https://cyclonedx.org/capabilities/vex/) from VEX statements, written with the official CycloneDX
 * library: a BOM whose components are the packages stated about and whose vulnerabilities carry the `analysis`.
 */
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import { PackageURL } from 'packageurl-js';
import type { VexMeta } from './openvex.js';
import type { VexJustification, VexStatement } from './vex.js';

const J = Enums.Vulnerability.AnalysisJustification;
/** OpenVEX justification -> the closest CycloneDX one (as the CISA VEX minimum-elements mapping pairs them). */
const JUSTIFICATION: Record<VexJustification, Enums.Vulnerability.AnalysisJustification> = {
  component_not_present: J.CodeNotPresent,
  vulnerable_code_not_present: J.CodeNotPresent,
  vulnerable_code_not_in_execute_path: J.CodeNotReachable,
  vulnerable_code_cannot_be_controlled_by_adversary: J.RequiresEnvironment,
  inline_mitigations_already_exist: J.ProtectedByMitigatingControl,
};

/** Renders the statements as a CycloneDX 1.6 JSON VEX BOM. */
export function renderCyclonedxVex(statements: readonly VexStatement[], meta: VexMeta): string {
  const bom = new Models.Bom({
    metadata: new Models.Metadata({
      timestamp: meta.now,
      authors: new Models.OrganizationalContactRepository([new Models.OrganizationalContact({ name: meta.author })]),
      tools: new Models.Tools({ components: new Models.ComponentRepository([new Models.Component(Enums.ComponentType.Application, 'icms', { version: meta.toolVersion })]) }),
    }),
  });
  const components = new Map<string, Models.Component>();
  const componentOf = (purl: string): Models.Component => {
    let c = components.get(purl);
    if (!c) {
      const { name, version } = partsOf(purl);
      c = new Models.Component(Enums.ComponentType.Library, name, { bomRef: purl, purl, version });
      components.set(purl, c);
      bom.components.add(c);
    }
    return c;
  };
  statements.forEach((s, i) => {
    const V = Models.Vulnerability;
    bom.vulnerabilities.add(new V.Vulnerability({
      bomRef: `vex-${i + 1}`,
      id: s.vulnerability,
      references: new V.ReferenceRepository(s.aliases.map((a) => new V.Reference(a, new V.Source({ name: a.split('-')[0] })))),
      analysis: analysis(s),
      updated: new Date(s.timestamp),
      affects: new V.AffectRepository(s.products.map((p) => new V.Affect(componentOf(p).bomRef))),
      properties: new Models.PropertyRepository([new Models.Property('icms:status_notes', s.notes)]),
    }));
  });
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return `${serializer.serialize(bom, { sortLists: false, space: 2 })}\n`;
}

function analysis(s: VexStatement): Models.Vulnerability.Analysis {
  const S = Enums.Vulnerability.AnalysisState;
  const R = Enums.Vulnerability.AnalysisResponse;
  if (s.status === 'fixed') return new Models.Vulnerability.Analysis({ state: S.Resolved, detail: s.notes });
  if (s.status === 'not_affected') {
    return new Models.Vulnerability.Analysis({ state: S.NotAffected, justification: s.justification ? JUSTIFICATION[s.justification] : undefined, detail: s.reason });
  }
  return new Models.Vulnerability.Analysis({ state: S.Exploitable, response: new Enums.Vulnerability.AnalysisResponseRepository([R.WillNotFix]), detail: s.reason });
}

/** Name and version of a purl for the component entry (the purl itself stays the identity). */
function partsOf(purl: string): { name: string; version?: string | undefined } {
  try {
    const p = PackageURL.fromString(purl);
    return { name: p.namespace ? `${p.namespace}/${p.name}` : p.name, version: p.version ?? undefined };
  } catch {
    return { name: purl };
  }
}
