/**
 * Vulnerabilities of a trivy JSON report produced elsewhere (`trivy image --format json ...`), for the table check.
 * Schema: https://trivy.dev/latest/docs/configuration/reporting/#json (Results[].Vulnerabilities[]).
 */
import { usageError } from '../shared/errors.js';
import type { DiffItem } from './table-diff.js';

interface TrivyVulnerability {
  VulnerabilityID?: unknown;
  VendorIDs?: unknown;
  PkgName?: unknown;
  InstalledVersion?: unknown;
  Severity?: unknown;
  CVSS?: Record<string, { V3Score?: unknown; V40Score?: unknown }>;
}

/** Parses report text into one item per vulnerability and package; the project is the report's ArtifactName. */
export function parseTrivyVulnerabilities(text: string, file: string, groupOf: (id: string) => string): DiffItem[] {
  let report: { ArtifactName?: unknown; Results?: unknown };
  try {
    report = JSON.parse(text) as typeof report;
  } catch (err) {
    throw usageError(`${file}: not JSON: ${(err as Error).message}`, 'give a report written by `trivy ... --format json`');
  }
  if (!report || typeof report !== 'object' || !Array.isArray(report.Results)) {
    throw usageError(`${file}: no Results list: not a trivy JSON report`, 'give a report written by `trivy ... --format json`');
  }
  const project = typeof report.ArtifactName === 'string' ? report.ArtifactName : file;
  const items: DiffItem[] = [];
  for (const result of report.Results as { Vulnerabilities?: unknown }[]) {
    if (!Array.isArray(result?.Vulnerabilities)) continue;
    for (const v of result.Vulnerabilities as TrivyVulnerability[]) {
      if (typeof v.VulnerabilityID !== 'string' || typeof v.PkgName !== 'string') continue;
      const vendor = Array.isArray(v.VendorIDs) ? v.VendorIDs.filter((x): x is string => typeof x === 'string') : [];
      const ids = [v.VulnerabilityID, ...vendor];
      const scores = Object.values(v.CVSS ?? {}).map((c) => Number(c.V3Score ?? c.V40Score)).filter(Number.isFinite);
      items.push({
        ids,
        groupId: groupOf(v.VulnerabilityID),
        package: v.PkgName,
        version: typeof v.InstalledVersion === 'string' ? v.InstalledVersion : '',
        project,
        severity: typeof v.Severity === 'string' ? v.Severity : undefined,
        score: scores.length ? Math.max(...scores) : null,
      });
    }
  }
  return items;
}
