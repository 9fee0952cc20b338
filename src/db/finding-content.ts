/**
 * A match's findings as the store writes them: per finding the few columns of its own, and its advisory text
 * (advisory ids, aliases, CVSS vector, reason) stored once per distinct text in finding_details. Preparing is
 * pure (no SQL), so it can run where the matching runs, in a worker thread, while the writer stores.
 */
import type { FindingAdvisory, MatchedFinding } from '../model/match.js';

/** Environmental re-score of a finding's base vector for its project (undefined when the vector cannot be scored). */
export type EnvScorer = (projectId: number, vector: string | undefined) => { score: number; severity: string } | undefined;

/**
 * One finding, flat (cheap to pass between threads): its key, then the columns `CONTENT_COLUMNS` names, the
 * advisory text given by the key of a `DetailsText`.
 */
export type PreparedFinding = [
  groupId: string,
  ecosystem: string,
  pkg: string,
  version: string,
  severity: string,
  cvssScore: number | null,
  fixedVersion: string | null,
  envScore: number | null,
  envSeverity: string | null,
  targets: string,
  detailsKey: number,
];

/** The finding columns a match writes besides status and dates, in PreparedFinding order from `severity` on. */
export const CONTENT_COLUMNS = ['severity', 'cvss_score', 'fixed_version', 'env_score', 'env_severity', 'targets', 'details_id'] as const;

/** A finding's advisory text, as stored once in finding_details. */
export interface FindingDetails {
  advisoryIds: string;
  aliases: string;
  cvssVector: string | null;
  reason: string;
  /** Which record gave the rating (null: nothing rates it). */
  severitySource?: string | null;
  /** The group's KEV listing / EPSS score as JSON (null: none). */
  kev?: string | null;
  epss?: string | null;
}

/** An advisory text of a preparer, numbered by it (`key`), with the ids an acceptance may name it by. */
export interface DetailsText extends FindingDetails {
  key: number;
  /** Its advisory ids and aliases. */
  ids: string[];
}

/** One project's findings, prepared; `details` holds the texts this preparer had not handed out before. */
export interface PreparedProject {
  projectId: number;
  findings: PreparedFinding[];
  details: DetailsText[];
}

/** The part of a finding's content every project with the same (group, ecosystem, package, version) match shares. */
interface SharedContent {
  advisories: readonly FindingAdvisory[];
  aliases: readonly string[];
  severity: string;
  cvssScore: number | null;
  cvssVector: string | null;
  fixedVersion: string | null;
  severitySource: string | null;
  kev: MatchedFinding['kev'];
  epss: MatchedFinding['epss'];
  detailsKey: number;
}

/**
 * Prepares findings project after project. On a portfolio most findings are the same package version matched by
 * the same advisories in another project: the shared part is built once and reused only when equal (same advisory
 * verdict objects, aliases and rating), and each distinct advisory text is handed out once.
 */
export function findingPreparer(envScore?: EnvScorer): (projectId: number, matched: readonly MatchedFinding[]) => PreparedProject {
  const cache = new Map<string, SharedContent>();
  const texts = new Map<string, number>();
  let fresh: DetailsText[] = [];
  const detailsKey = (f: MatchedFinding): number => {
    const d: FindingDetails = {
      advisoryIds: JSON.stringify(f.advisories.map((a) => a.id)),
      aliases: JSON.stringify(f.aliases),
      cvssVector: f.cvssVector ?? null,
      // the matcher shares one FindingAdvisory object per (advisory, version) verdict: each is stringified once
      reason: `[${f.advisories.map(advisoryJson).join(',')}]`,
      severitySource: f.severitySource ?? null,
      kev: f.kev ? JSON.stringify(f.kev) : null,
      epss: f.epss ? JSON.stringify(f.epss) : null,
    };
    const text = detailsTextKey(d);
    let key = texts.get(text);
    if (key === undefined) {
      texts.set(text, (key = texts.size));
      fresh.push({ ...d, key, ids: [...f.advisories.map((a) => a.id), ...f.aliases] });
    }
    return key;
  };
  const shared = (f: MatchedFinding): SharedContent => {
    const key = `${f.groupId}\0${f.ecosystem}\0${f.package}\0${f.version}`;
    const hit = cache.get(key);
    if (hit && sameShared(hit, f)) return hit;
    const s: SharedContent = {
      advisories: f.advisories, aliases: f.aliases, severity: f.severity, cvssScore: f.cvssScore ?? null, cvssVector: f.cvssVector ?? null, fixedVersion: f.fixedVersion ?? null,
      severitySource: f.severitySource ?? null, kev: f.kev, epss: f.epss,
      detailsKey: detailsKey(f),
    };
    cache.set(key, s);
    return s;
  };
  return (projectId, matched) => {
    const findings = matched.map((f): PreparedFinding => {
      const s = shared(f);
      const env = envScore?.(f.projectId, f.cvssVector);
      return [f.groupId, f.ecosystem, f.package, f.version, s.severity, s.cvssScore, s.fixedVersion, env?.score ?? null, env?.severity ?? null, JSON.stringify(f.targets), s.detailsKey];
    });
    const details = fresh;
    fresh = [];
    return { projectId, findings, details };
  };
}

/** The identity of an advisory text (equal texts are stored once). */
export function detailsTextKey(d: FindingDetails): string {
  return JSON.stringify([d.advisoryIds, d.aliases, d.cvssVector, d.reason, d.severitySource ?? null, d.kev ?? null, d.epss ?? null]);
}

function sameShared(s: SharedContent, f: MatchedFinding): boolean {
  return (
    s.severity === f.severity && s.cvssScore === (f.cvssScore ?? null) && s.cvssVector === (f.cvssVector ?? null) && s.fixedVersion === (f.fixedVersion ?? null) &&
    s.severitySource === (f.severitySource ?? null) && s.kev === f.kev && s.epss === f.epss &&
    s.advisories.length === f.advisories.length && s.advisories.every((a, i) => a === f.advisories[i]) &&
    s.aliases.length === f.aliases.length && s.aliases.every((a, i) => a === f.aliases[i])
  );
}

const advisoryJsonCache = new WeakMap<FindingAdvisory, string>();

/** JSON.stringify of one advisory verdict, memoised by object. */
function advisoryJson(a: FindingAdvisory): string {
  let json = advisoryJsonCache.get(a);
  if (json === undefined) advisoryJsonCache.set(a, (json = JSON.stringify(a)));
  return json;
}
