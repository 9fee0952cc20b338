/**
 * Pure parser of SBOMs into icms Packages: CycloneDX 1.4-1.6 JSON (https://cyclonedx.org/specification/overview/)
 * and SPDX 2.2/2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/). Packages come from the components' purls and are
 * mapped like trivy's own output (purl-package.ts), so a project scanned from its SBOM matches like a scanned repo.
 */
import { ExitCode, IcmsError } from '../shared/errors.js';
import type { Package } from '../model/types.js';
import { packageFromPurl, parsePurl, type PurlExtras } from './purl-package.js';
import type { ParsedTrivyReport } from './trivy-report.js';

/** An SBOM icms cannot read: an input error naming the file. */
export class SbomError extends IcmsError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Usage, { hint: hint ?? 'give a CycloneDX 1.4-1.6 or SPDX 2.2/2.3 document in JSON (e.g. `trivy fs --format cyclonedx`)' });
    this.name = 'SbomError';
  }
}

const CDX_VERSIONS = new Set(['1.4', '1.5', '1.6']);
const SPDX_VERSIONS = new Set(['SPDX-2.2', 'SPDX-2.3']);

/** One purl-bearing entry of an SBOM, before mapping. */
interface Entry {
  purl: string | undefined;
  extras: Omit<PurlExtras, 'target' | 'os'> & { target?: string | undefined };
}

/** Parses SBOM text; `where` (the file) names it in every error and warning. */
export function parseSbomText(text: string, where: string): ParsedTrivyReport {
  if (/^\s*</.test(text)) throw new SbomError(`${where}: XML SBOMs are not read`, 'produce the SBOM as JSON (trivy/syft/cdxgen all can), or convert it with `cyclonedx convert --output-format json`');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SbomError(`${where}: not valid JSON (${text.length} bytes; truncated?)`);
  }
  return parseSbom(json, where);
}

/** Turns a parsed CycloneDX or SPDX JSON document into packages (deduplicated), warnings and the artifact. */
export function parseSbom(json: unknown, where: string): ParsedTrivyReport {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SbomError(`${where}: not an SBOM (expected a JSON object)`);
  const doc = json as Record<string, unknown>;
  if (doc.bomFormat === 'CycloneDX') {
    const v = String(doc.specVersion ?? '');
    if (!CDX_VERSIONS.has(v)) throw new SbomError(`${where}: CycloneDX specVersion "${v}" is not supported (1.4, 1.5 or 1.6)`);
    return collect(where, cyclonedxArtifact(doc, where), cyclonedxEntries(doc), cyclonedxOs(doc));
  }
  if (typeof doc.spdxVersion === 'string') {
    if (!SPDX_VERSIONS.has(doc.spdxVersion)) throw new SbomError(`${where}: ${doc.spdxVersion} is not supported (SPDX-2.2 or SPDX-2.3 JSON)`);
    return collect(where, { name: str(doc.name) ?? where, type: 'sbom' }, spdxEntries(doc), spdxOs(doc));
  }
  throw new SbomError(`${where}: neither CycloneDX ("bomFormat": "CycloneDX") nor SPDX ("spdxVersion") JSON`);
}

function collect(where: string, artifact: ParsedTrivyReport['artifact'], entries: Entry[], os: PurlExtras['os']): ParsedTrivyReport {
  const out: ParsedTrivyReport = { packages: [], warnings: [], artifact: { ...artifact, os }, stats: { skipped: 0, duplicates: 0, unmapped: 0 } };
  const seen = new Map<string, Package>();
  const badPurls: string[] = [];
  for (const e of entries) {
    const parsed = e.purl === undefined ? undefined : parsePurl(e.purl);
    const pkg = parsed && e.purl ? packageFromPurl(parsed, e.purl, { ...e.extras, target: e.extras.target ?? artifact.name, os }) : undefined;
    if (!pkg) {
      out.stats.skipped++;
      if (e.purl !== undefined) badPurls.push(e.purl);
      continue;
    }
    const key = `${pkg.ecosystem}\0${pkg.name}\0${pkg.version}\0${pkg.target}`;
    if (seen.has(key)) {
      out.stats.duplicates++;
      continue;
    }
    seen.set(key, pkg);
    if (pkg.unmapped) out.stats.unmapped++;
  }
  out.packages = [...seen.values()];
  if (badPurls.length > 0) out.warnings.push(`${where}: ${badPurls.length} purls unreadable or without a version, skipped (first: ${badPurls[0]})`);
  const noPurl = out.stats.skipped - badPurls.length;
  if (noPurl > 0) out.warnings.push(`${where}: ${noPurl} components without a purl skipped (icms identifies packages by purl)`);
  const unmapped = [...new Set(out.packages.filter((p) => p.unmapped).map((p) => p.ecosystem))];
  if (unmapped.length > 0) out.warnings.push(`${where}: no OSV ecosystem known for ${unmapped.join(', ')}; those packages are recorded and not matched`);
  return out;
}

function cyclonedxArtifact(doc: Record<string, unknown>, where: string): ParsedTrivyReport['artifact'] {
  const subject = obj(obj(doc.metadata)?.component);
  return { name: str(subject?.name) ?? where, type: 'sbom' };
}

/** Every component, nested ones included; the operating-system component only describes the OS. */
function cyclonedxEntries(doc: Record<string, unknown>): Entry[] {
  const out: Entry[] = [];
  const walk = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const c of list) {
      const comp = obj(c);
      if (!comp) continue;
      if (comp.type !== 'operating-system') out.push({ purl: str(comp.purl), extras: componentProperties(comp.properties) });
      walk(comp.components);
    }
  };
  walk(doc.components);
  return out;
}

/** trivy writes the source package and the lockfile as `aquasecurity:trivy:*` properties, icms (report --format cyclonedx) as `icms:*`. */
function componentProperties(props: unknown): Entry['extras'] {
  const p = new Map<string, string>();
  if (Array.isArray(props)) for (const x of props.map(obj)) if (x && str(x.name) && typeof x.value === 'string') p.set(String(x.name), x.value);
  const get = (k: string): string | undefined => p.get(`aquasecurity:trivy:${k}`) || undefined;
  const srcVersion = get('SrcVersion');
  const epoch = get('SrcEpoch');
  const release = get('SrcRelease');
  return {
    pkgType: get('PkgType'),
    target: get('FilePath') ?? (p.get('icms:target') || undefined),
    srcName: get('SrcName') ?? (p.get('icms:src_name') || undefined),
    srcVersion: srcVersion ? `${epoch && epoch !== '0' ? `${epoch}:` : ''}${srcVersion}${release ? `-${release}` : ''}` : p.get('icms:src_version') || undefined,
  };
}

function cyclonedxOs(doc: Record<string, unknown>): PurlExtras['os'] {
  const all: Record<string, unknown>[] = [];
  const walk = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const c of list.map(obj)) {
      if (!c) continue;
      all.push(c);
      walk(c.components);
    }
  };
  walk(doc.components);
  const os = all.find((c) => c.type === 'operating-system');
  const family = str(os?.name);
  return family ? { family, release: str(os?.version) ?? '' } : undefined;
}

function spdxEntries(doc: Record<string, unknown>): Entry[] {
  const out: Entry[] = [];
  for (const raw of Array.isArray(doc.packages) ? doc.packages : []) {
    const p = obj(raw);
    if (!p) continue;
    const purpose = str(p.primaryPackagePurpose);
    const refs = Array.isArray(p.externalRefs) ? p.externalRefs.map(obj) : [];
    const purl = refs.find((r) => r?.referenceType === 'purl');
    // The OS, the image and trivy's per-lockfile "application" entries carry no purl and are not packages.
    if (!purl && (purpose === 'OPERATING-SYSTEM' || purpose === 'CONTAINER' || purpose === 'APPLICATION')) continue;
    out.push({ purl: str(purl?.referenceLocator), extras: spdxSource(str(p.sourceInfo)) });
  }
  return out;
}

/** trivy's SPDX writes the source package as `sourceInfo: "built package from: util-linux 2.36.1-8"`. */
function spdxSource(info: string | undefined): Entry['extras'] {
  const m = info ? /^built package from:\s*(\S+)\s+(\S+)\s*$/.exec(info) : null;
  return m ? { srcName: m[1], srcVersion: m[2] } : {};
}

function spdxOs(doc: Record<string, unknown>): PurlExtras['os'] {
  const os = (Array.isArray(doc.packages) ? doc.packages : []).map(obj).find((p) => p?.primaryPackagePurpose === 'OPERATING-SYSTEM');
  const family = str(os?.name);
  return family ? { family, release: str(os?.versionInfo) ?? '' } : undefined;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
