/** What an ignore file or a VEX document contributes to the register, before the user's scope is applied. */

/** One decision read from another tool's file. */
export interface ImportedEntry {
  id: string;
  kind: 'accepted' | 'false_positive';
  package?: string | undefined;
  version?: string | undefined;
  reason: string;
  expires?: string | undefined;
}

/** Entries read, and what was left out with why (the caller shows them). */
export interface ImportedFile {
  entries: ImportedEntry[];
  skipped: string[];
}

/** Resolves a purl to the package name and version icms uses (injected: purls are the scanner's business). */
export type PurlResolver = (purl: string) => { name: string; version?: string | undefined } | undefined;

/** Ids of vulnerabilities (CVE, GHSA, GO-, PYSEC-, DSA-, ...); trivy's misconfiguration ids (AVD-) and secret/licence rules are not. */
export function isVulnId(id: string): boolean {
  return /^[A-Z][A-Za-z0-9]*(-[A-Za-z0-9.:]+)+$/.test(id) && !/^AVD-/i.test(id);
}
