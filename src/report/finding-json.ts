/** The documented JSON shape of a finding (schema_version 1), shared by `report --format json` and archives. */
import type { ReportFinding } from './model.js';

/** Version of the JSON findings document; bump on any incompatible change. */
export const FINDINGS_SCHEMA_VERSION = 1;

/**
 * One finding as JSON: the keys of `match --format json` in the same order, then the report-only keys.
 * Keys are only ever appended, never reordered or renamed, within a schema version.
 */
export function reportFindingJson(f: ReportFinding): Record<string, unknown> {
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
    fixed_version: f.fixedVersion,
    status: f.status,
    first_seen: f.firstSeen,
    last_seen: f.lastSeen,
    fixed_at: f.fixedAt,
    targets: f.targets,
    reason: f.reason,
    project_url: f.projectUrl,
    maintainers: f.maintainers,
    upgrade: f.upgrade,
    status_note: f.statusNote,
    acceptance: f.acceptance ? { kind: f.acceptance.kind, reason: f.acceptance.reason, expires: f.acceptance.expires, created_by: f.acceptance.createdBy } : null,
  };
}
