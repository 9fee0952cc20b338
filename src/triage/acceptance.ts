/** Validation of acceptance input shared by `triage accept`, the register file and the accepted-CVE table. */

/** True for a real calendar date written YYYY-MM-DD (2025-02-30 is not one). */
export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** Splits `name@version` (scoped npm names keep their leading @): `@vue/cli@3.1` -> [`@vue/cli`, `3.1`]. */
export function splitPackageSpec(spec: string): { name: string; version: string | null } {
  const at = spec.lastIndexOf('@');
  if (at <= 0) return { name: spec, version: null };
  const version = spec.slice(at + 1);
  return { name: spec.slice(0, at), version: version === '' ? null : version };
}

/** A vulnerability id as users type it: trimmed; CVE/GHSA prefixes upper-cased, the GHSA body lower-cased as GitHub spells it. */
export function normalizeVulnId(id: string): string {
  const t = id.trim();
  if (/^ghsa-/i.test(t)) return `GHSA-${t.slice(5).toLowerCase()}`;
  if (/^cve-/i.test(t)) return t.toUpperCase();
  return t;
}
