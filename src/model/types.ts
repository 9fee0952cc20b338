/**
 * Shared types of the pipeline: inventory -> scan -> advisories -> match -> triage/notify/report.
 * Stages exchange these plain objects; the database layer stores them.
 */

/** Severity levels, lowest first; UNKNOWN sorts below LOW. */
export const SEVERITIES = ['UNKNOWN', 'NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Rank of a severity for comparisons (UNKNOWN = 0 ... CRITICAL = 5). */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** A person responsible for projects; emails are compared case-insensitively. */
export interface Maintainer {
  name: string;
  email: string;
}

export type ProjectKind = 'repo' | 'image' | 'local';

/** One inventory entry: a repository at a branch (or an image / local directory). */
export interface Project {
  kind: ProjectKind;
  /** Normalised URL (repo), image reference (image) or absolute path (local). */
  url: string;
  /** Branch for repos; '' for images and local directories. */
  branch: string;
  maintainers: Maintainer[];
  /** Free-form labels from the inventory, e.g. { exposure: 'internet' }. */
  labels: Record<string, string>;
}

/** A project as stored, with its database id and state. */
export interface StoredProject extends Project {
  id: number;
  name: string;
  status: 'active' | 'removed';
  firstSeen: string;
  lastSeen: string;
}

/** One package found by trivy in one target file of a project. */
export interface Package {
  /** OSV ecosystem name, with the release for distros ('npm', 'PyPI', 'Debian:11', 'Alpine:v3.18'). */
  ecosystem: string;
  name: string;
  version: string;
  /** trivy's Type ('npm', 'gomod', 'debian', ...). */
  pkgType: string;
  /** trivy's Target (lockfile path inside the repository, or image layer description). */
  target: string;
  purl?: string | undefined;
  indirect: boolean;
  dependsOn?: string[] | undefined;
  /** OS packages: the source package distro advisories name, and its full version. */
  srcName?: string | undefined;
  srcVersion?: string | undefined;
  /** Name and version the matcher uses: ecosystem-normalised name; OS packages: source name and epoch:version-release. */
  matchName: string;
  matchVersion: string;
  /** True when trivy's Type / OS family has no known OSV ecosystem: `ecosystem` then holds trivy's raw type. */
  unmapped?: boolean | undefined;
}

/** An OSV event: exactly one key set. */
export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

/**
 * Key of an OSV range's database_specific holding an exclusive lower bound (CVE Manager `versionStartExcluding`):
 * OSV has no exclusive `introduced`, so such a range is `introduced: S` and the matcher leaves S itself out.
 */
export const RANGE_START_EXCLUDING = 'start_excluding';

export interface OsvRange {
  type: 'SEMVER' | 'ECOSYSTEM' | 'GIT' | string;
  repo?: string;
  events: OsvEvent[];
  database_specific?: Record<string, unknown>;
}

/** One `affected[]` entry of an advisory, normalised. */
export interface AffectedEntry {
  /** OSV ecosystem with suffix kept ('Debian:11'); 'any' for CVE Manager names that come without an ecosystem. */
  ecosystem: string;
  /** Name normalised per ecosystem (PyPI: PEP 503; others exact). */
  name: string;
  rawName: string;
  purl?: string | undefined;
  ranges: OsvRange[];
  versions: string[];
  /** GHSA's database_specific.last_known_affected_version_range, e.g. "<= 1.2.3". */
  lastKnownAffectedRange?: string | undefined;
  ecosystemSpecific?: unknown;
  databaseSpecific?: unknown;
  /**
   * Fixed versions a source states outside ranges (CVE Manager `patch[].fixversion`, kept in database_specific as
   * `fixed_versions`); an exact-version match reports the lowest one above the installed version.
   */
  fixedVersions?: string[] | undefined;
}

export interface CvssVector {
  /** 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' as OSV spells it. */
  type: string;
  vector: string;
  /** Base score computed by the CVSS library; undefined if the vector did not parse. */
  baseScore?: number | undefined;
  /** Who scored it, where the record says (NVD's `source`, e.g. nvd@nist.gov). */
  source?: string | undefined;
  /** NVD's `type`: Primary (the NVD's or the CNA's own score) or Secondary. */
  kind?: 'Primary' | 'Secondary' | undefined;
}

/** An advisory normalised to the OSV model, with provenance. */
export interface Advisory {
  /** Source name from config (e.g. 'osv-go', 'vtopia'). */
  source: string;
  id: string;
  aliases: string[];
  modified: string;
  published?: string | undefined;
  withdrawn?: string | undefined;
  summary?: string | undefined;
  details?: string | undefined;
  cvss: CvssVector[];
  /** Textual severity from the source (database_specific.severity, vtopia vulStatus). */
  severityText?: string | undefined;
  /** Highest base score over the vectors. */
  baseScore?: number | undefined;
  severity: Severity;
  references: { type: string; url: string }[];
  affected: AffectedEntry[];
  /** The source record as received, for audit. */
  raw: unknown;
}

export type FindingStatus = 'new' | 'open' | 'fixed' | 'reopened' | 'accepted' | 'false_positive';
