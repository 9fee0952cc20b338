/** Types exchanged by the matcher and the store: packages in, findings out. */
import type { AffectedEntry, OsvEvent, Severity } from './types.js';

/** Why a version was judged affected: the range and events, or the explicit versions list. */
export interface MatchReason {
  kind: 'range' | 'versions';
  /** 'SEMVER' | 'ECOSYSTEM' for ranges. */
  rangeType?: string;
  events?: OsvEvent[];
  /** Set when GHSA's last_known_affected_version_range closed an open-ended range. */
  via?: 'last_known_affected_version_range';
  scheme: string;
  /** How the entry was found when not by (ecosystem, name): a CVE Manager name without an ecosystem. */
  note?: string;
}

/** A package row as the matcher needs it. */
export interface MatchPackage {
  projectId: number;
  ecosystem: string;
  name: string;
  version: string;
  matchName: string;
  matchVersion: string;
  target: string;
}

/** An advisory as the matcher needs it (withdrawn ones are never indexed). */
export interface AdvisoryRef {
  id: string;
  source: string;
  groupId: string;
  aliases: string[];
  severity: Severity;
  baseScore: number | undefined;
  cvssVector: string | undefined;
}

export interface IndexedEntry {
  advisory: AdvisoryRef;
  entry: AffectedEntry;
}

/** One advisory's verdict inside a finding. */
export interface FindingAdvisory {
  id: string;
  source: string;
  severity: Severity;
  baseScore: number | undefined;
  fixed: string | undefined;
  reason: MatchReason | { kind: 'exact-any'; note: string };
}

/** A CISA KEV listing of a CVE of the finding's alias group (the earliest, when several are listed). */
export interface KevInfo {
  date_added: string | null;
  due_date: string | null;
  /** CISA's knownRansomwareCampaignUse is "Known". */
  ransomware: boolean;
  cve: string;
}

/** The FIRST EPSS score of a CVE of the finding's alias group (the highest, when several are scored). */
export interface EpssInfo {
  score: number;
  percentile: number;
  /** The score date of the EPSS file. */
  date: string | null;
  cve: string;
}

/** A finding: one (project, alias group, ecosystem, package, version), several targets inside. */
export interface MatchedFinding {
  projectId: number;
  groupId: string;
  ecosystem: string;
  package: string;
  version: string;
  advisories: FindingAdvisory[];
  aliases: string[];
  severity: Severity;
  cvssScore: number | undefined;
  cvssVector: string | undefined;
  fixedVersion: string | undefined;
  targets: string[];
  /** Which record gave the severity (`nvd:CVE-2024-45337 (nvd@nist.gov, Primary)`), once ratings were resolved. */
  severitySource?: string | undefined;
  kev?: KevInfo | null | undefined;
  epss?: EpssInfo | null | undefined;
}

