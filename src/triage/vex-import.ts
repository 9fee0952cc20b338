/**
 * A supplier's VEX -> register entries (pure). Only `not_affected` statements (CycloneDX: not_affected or
 * false_positive) become entries, as false positives scoped to the package the product purl names; affected,
 * fixed and under-investigation statements leave the finding as it is and are reported as skipped.
 */
import { usageError } from '../shared/errors.js';
import { normalizeVulnId } from './acceptance.js';
import type { ImportedEntry, ImportedFile, PurlResolver } from './imported.js';

/** VEX formats `triage import --format` reads. */
export const VEX_FORMATS = ['openvex', 'cyclonedx-vex'] as const;
export type VexFormat = (typeof VEX_FORMATS)[number];

/** Parses a VEX JSON document of `format`. */
export function parseVexFile(format: VexFormat, text: string, name: string, resolve: PurlResolver): ImportedFile {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw usageError(`${name}: not valid JSON`, `give a ${format} JSON document`);
  }
  if (typeof doc !== 'object' || doc === null) throw usageError(`${name}: not a ${format} document`);
  return format === 'openvex' ? parseOpenVex(doc, name, resolve) : parseCyclonedxVex(doc, name, resolve);
}

function parseOpenVex(doc: Record<string, unknown>, name: string, resolve: PurlResolver): ImportedFile {
  if (typeof doc['@context'] !== 'string' || !doc['@context'].startsWith('https://openvex.dev/ns')) {
    throw usageError(`${name}: not an OpenVEX document (no "@context": "https://openvex.dev/ns/...")`);
  }
  const author = str(doc.author) ?? 'unknown author';
  const out: ImportedFile = { entries: [], skipped: [] };
  (Array.isArray(doc.statements) ? doc.statements : []).forEach((raw: unknown, i) => {
    const s = (raw ?? {}) as Record<string, unknown>;
    const vuln = (s.vulnerability ?? {}) as Record<string, unknown>;
    const id = str(vuln.name) ?? str(vuln['@id']);
    const where = `${name} statement #${i + 1}`;
    if (!id) throw usageError(`${where}: no vulnerability name`);
    if (s.status !== 'not_affected') return void out.skipped.push(`${where} (${id}): status ${String(s.status)} is not a reason to silence a finding`);
    const why = [str(s.justification), str(s.impact_statement)].filter(Boolean).join(': ');
    const reason = `VEX from ${author} (${where})${why ? `: ${why}` : ''}`;
    const purls = (Array.isArray(s.products) ? s.products : []).flatMap((p: unknown) => productPurls((p ?? {}) as Record<string, unknown>));
    out.entries.push(...scoped(normalizeVulnId(id), reason, purls, resolve, where, out.skipped));
  });
  return out;
}

/** The purls a product names: its subcomponents when given (the vulnerable packages), else the product itself. */
function productPurls(p: Record<string, unknown>): string[] {
  const subs = Array.isArray(p.subcomponents) ? p.subcomponents.map((s: unknown) => purlOf((s ?? {}) as Record<string, unknown>)).filter((x): x is string => x !== undefined) : [];
  if (subs.length > 0) return subs;
  const own = purlOf(p);
  return own ? [own] : [];
}

function purlOf(c: Record<string, unknown>): string | undefined {
  const ids = (c.identifiers ?? {}) as Record<string, unknown>;
  return str(ids.purl) ?? (str(c['@id'])?.startsWith('pkg:') ? str(c['@id']) : undefined);
}

function parseCyclonedxVex(doc: Record<string, unknown>, name: string, resolve: PurlResolver): ImportedFile {
  if (doc.bomFormat !== 'CycloneDX') throw usageError(`${name}: not a CycloneDX document (no "bomFormat": "CycloneDX")`);
  const purlByRef = new Map<string, string>();
  const walk = (list: unknown): void => {
    for (const c of Array.isArray(list) ? list : []) {
      const comp = (c ?? {}) as Record<string, unknown>;
      if (str(comp['bom-ref']) && str(comp.purl)) purlByRef.set(str(comp['bom-ref'])!, str(comp.purl)!);
      walk(comp.components);
    }
  };
  walk(doc.components);
  const authors = ((doc.metadata ?? {}) as Record<string, unknown>).authors;
  const author = (Array.isArray(authors) ? authors.map((a: unknown) => str(((a ?? {}) as Record<string, unknown>).name)).filter(Boolean).join(', ') : '') || 'unknown author';
  const out: ImportedFile = { entries: [], skipped: [] };
  (Array.isArray(doc.vulnerabilities) ? doc.vulnerabilities : []).forEach((raw: unknown, i) => {
    const v = (raw ?? {}) as Record<string, unknown>;
    const id = str(v.id);
    const where = `${name} vulnerabilities[${i}]`;
    if (!id) throw usageError(`${where}: no id`);
    const a = (v.analysis ?? {}) as Record<string, unknown>;
    if (a.state !== 'not_affected' && a.state !== 'false_positive') return void out.skipped.push(`${where} (${id}): analysis state ${String(a.state ?? 'none')} is not a reason to silence a finding`);
    const why = [str(a.justification), str(a.detail)].filter(Boolean).join(': ');
    const reason = `VEX from ${author} (${where}, ${String(a.state)})${why ? `: ${why}` : ''}`;
    const refs = (Array.isArray(v.affects) ? v.affects : []).map((x: unknown) => str(((x ?? {}) as Record<string, unknown>).ref)).filter((x): x is string => x !== undefined);
    const purls = refs.map((r) => purlByRef.get(r) ?? (r.startsWith('pkg:') ? r : undefined)).filter((x): x is string => x !== undefined);
    out.entries.push(...scoped(normalizeVulnId(id), reason, purls, resolve, where, out.skipped));
  });
  return out;
}

/** One entry per package the statement names; none named means the whole project (the user's scope). */
function scoped(id: string, reason: string, purls: string[], resolve: PurlResolver, where: string, skipped: string[]): ImportedEntry[] {
  if (purls.length === 0) return [{ id, kind: 'false_positive', reason }];
  const out: ImportedEntry[] = [];
  for (const purl of new Set(purls)) {
    const pkg = resolve(purl);
    if (!pkg) skipped.push(`${where}: ${purl} is not a purl icms can read`);
    else out.push({ id, kind: 'false_positive', package: pkg.name, version: pkg.version, reason });
  }
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
