/**
 * The documented JSON shapes (schema_version 2) of a finding, a package and a project: one module, so every
 * command (`scan`, `match`, `report`, `explain`, `diff`, `projects`) and the archive write the same snake_case keys.
 * Keys are only appended within a schema version; renaming or reordering one bumps it.
 */
import type { FindingRow } from '../db/findings.js';
import type { MatchedFinding } from '../model/match.js';
import type { FindingStatus, Package, StoredProject } from '../model/types.js';
import { hasScheme, schemeFor, type BumpKind } from '../versions/index.js';
import type { ReportFinding } from './model.js';

/**
 * Version of the JSON documents; bump on any incompatible change.
 * 2: a finding starts with `id` (the number `icms explain` takes; null for a scan that stored nothing); `scan`
 * and `projects` JSON use snake_case keys and carry schema_version (1 had camelCase there); every finding ends with
 * `cvss_vector`, `severity_source`, `kev` and `epss` (issue 16).
 */
export const FINDINGS_SCHEMA_VERSION = 2;

type FindingJsonInput = Pick<
  FindingRow,
  'project' | 'ecosystem' | 'package' | 'version' | 'groupId' | 'advisoryIds' | 'aliases' | 'severity' | 'cvssScore' | 'envScore' | 'envSeverity'
  | 'fixedVersion' | 'status' | 'statusNote' | 'fixedAt' | 'targets' | 'reason'
> & { id: number | null; firstSeen: string | null; lastSeen: string | null } & Partial<Pick<FindingRow, 'cvssVector' | 'severitySource' | 'kev' | 'epss'>>;

/** The keys every finding document has (`match`, `scan`, `explain`, `diff` and `report` JSON), in this order. */
export function findingJson(f: FindingJsonInput): Record<string, unknown> {
  return {
    id: f.id,
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

/**
 * A finding of a scan that stored nothing (`scan <path>` without --save), in the same shape: no id and no
 * history; its status is `open`, or the kind of the stored acceptance that covers it (reason in status_note).
 */
export function matchedFindingJson(f: MatchedFinding, project: string, triage: { kind: FindingStatus; reason: string } | undefined): Record<string, unknown> {
  return findingJson({
    id: null,
    project,
    ecosystem: f.ecosystem,
    package: f.package,
    version: f.version,
    groupId: f.groupId,
    advisoryIds: f.advisories.map((a) => a.id),
    aliases: f.aliases,
    severity: f.severity,
    cvssScore: f.cvssScore ?? null,
    envScore: null,
    envSeverity: null,
    fixedVersion: f.fixedVersion ?? null,
    status: triage?.kind ?? 'open',
    statusNote: triage?.reason ?? null,
    firstSeen: null,
    lastSeen: null,
    fixedAt: null,
    targets: f.targets,
    reason: f.advisories,
    cvssVector: f.cvssVector ?? null,
    severitySource: f.severitySource ?? null,
    kev: f.kev ?? null,
    epss: f.epss ?? null,
  });
}

/** One package as scan JSON lists it. */
export function packageJson(p: Package): Record<string, unknown> {
  return {
    ecosystem: p.ecosystem,
    name: p.name,
    version: p.version,
    pkg_type: p.pkgType,
    target: p.target,
    purl: p.purl ?? null,
    indirect: p.indirect,
    depends_on: p.dependsOn ?? [],
    src_name: p.srcName ?? null,
    src_version: p.srcVersion ?? null,
    match_name: p.matchName,
    match_version: p.matchVersion,
    unmapped: p.unmapped ?? false,
  };
}

/** One project as `projects --format json` lists it. */
export function projectJson(p: StoredProject): Record<string, unknown> {
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    url: p.url,
    branch: p.branch,
    status: p.status,
    labels: p.labels,
    maintainers: p.maintainers,
    first_seen: p.firstSeen,
    last_seen: p.lastSeen,
  };
}
