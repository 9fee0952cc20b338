/** The documented JSON shape of a finding (schema_version 1), shared by `report --format json` and archives. */
import type { FindingRow } from '../db/findings.js';
import { hasScheme, schemeFor, type BumpKind } from '../versions/index.js';
import type { ReportFinding } from './model.js';

/** Version of the JSON findings document; bump on any incompatible change. */
export const FINDINGS_SCHEMA_VERSION = 1;

type FindingJsonInput = Pick<
  FindingRow,
  'project' | 'ecosystem' | 'package' | 'version' | 'groupId' | 'advisoryIds' | 'aliases' | 'severity' | 'cvssScore' | 'envScore' | 'envSeverity'
  | 'fixedVersion' | 'status' | 'statusNote' | 'firstSeen' | 'lastSeen' | 'fixedAt' | 'targets' | 'reason'
> & Partial<Pick<FindingRow, 'cvssVector' | 'severitySource' | 'kev' | 'epss'>>;

/** The keys every finding document has (`match`, `scan`, `explain`, `diff` and `report` JSON), in this order. */
export function findingJson(f: FindingJsonInput): Record<string, unknown> {
  return {
    project: f.project,
    ecosystem: f.ecosystem,
    package: f.package,
    version: f.version,
    advisory_id: f.groupId,
    advisory_ids: f.advisoryIds,
    aliases: f.aliases,
    severity: f.severity,
    cvss_score: f.cvssScore,
    env_score: f.envScore,
    env_severity: f.envSeverity,
    fixed_version: f.fixedVersion,
    status: f.status,
    status_note: f.statusNote,
    first_seen: f.firstSeen,
    last_seen: f.lastSeen,
    fixed_at: f.fixedAt,
    targets: f.targets,
    reason: f.reason,
    fix_bump: fixBump(f.ecosystem, f.version, f.fixedVersion),
    ...ratingJson(f),
  };
}

/** The rating keys of a finding (appended, issue 16): the vector and record behind the severity, KEV and EPSS. */
export function ratingJson(f: Partial<Pick<FindingRow, 'cvssVector' | 'severitySource' | 'kev' | 'epss'>>): Record<string, unknown> {
  return {
    cvss_vector: f.cvssVector ?? null,
    severity_source: f.severitySource ?? null,
    kev: f.kev ? { date_added: f.kev.date_added, due_date: f.kev.due_date, ransomware: f.kev.ransomware, cve: f.kev.cve } : null,
    epss: f.epss ? { score: f.epss.score, percentile: f.epss.percentile, date: f.epss.date, cve: f.epss.cve } : null,
  };
}

/** How far the suggested fix moves the package (patch/minor/major), where the ecosystem's scheme knows. */
export function fixBump(ecosystem: string, from: string, to: string | null): BumpKind | null {
  if (to === null || !hasScheme(ecosystem)) return null;
  const scheme = schemeFor(ecosystem);
  if (!scheme.isValid(from) || !scheme.isValid(to)) return null;
  return scheme.bumpKind?.(from, to) ?? null;
}

/**
 * One finding as report JSON: the keys of `findingJson`, then the report-only keys.
 * Keys are only ever appended, never reordered or renamed, within a schema version.
 */
export function reportFindingJson(f: ReportFinding): Record<string, unknown> {
  return {
    ...findingJson(f),
    project_url: f.projectUrl,
    maintainers: f.maintainers,
    upgrade: f.upgrade,
    acceptance: f.acceptance ? { kind: f.acceptance.kind, reason: f.acceptance.reason, expires: f.acceptance.expires, created_by: f.acceptance.createdBy } : null,
  };
}
