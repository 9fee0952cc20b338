/**
 * OSV "Evaluation" (schema v1.7, https://ossf.github.io/osv-schema/#evaluation): is a version inside an
 * affected entry? Schemes only order versions; all range logic lives here, once.
 */
import { RANGE_START_EXCLUDING, type AffectedEntry, type OsvEvent, type OsvRange } from '../model/types.js';
import type { MatchReason } from '../model/match.js';
export type { MatchReason } from '../model/match.js';
import type { VersionScheme } from '../versions/index.js';
import { compareSemVer2, parseSemVer2 } from '../versions/semver2.js';

export interface AffectedVerdict {
  affected: boolean;
  reason?: MatchReason;
  /** Smallest `fixed` above the version in the deciding range, if any. */
  fixed?: string;
  /** Ranges that could not be evaluated (an event version the scheme rejects). */
  problems: string[];
}

/** SemVer 2.0 ordering for SEMVER ranges outside the semver ecosystems (OSV: "SEMVER" means SemVer 2.0). */
const SEMVER2: VersionScheme = {
  ecosystem: 'SemVer',
  isValid: (v) => parseSemVer2(v.replace(/^v/, '')) !== undefined,
  compare: (a, b) => compareSemVer2(parseSemVer2(a.replace(/^v/, ''))!, parseSemVer2(b.replace(/^v/, ''))!),
};
const SEMVER_ECOSYSTEMS = new Set(['npm', 'Go', 'crates.io']);

/** Evaluates `version` (already valid for `scheme`) against one affected entry. */
export function evaluateAffected(version: string, entry: AffectedEntry, scheme: VersionScheme): AffectedVerdict {
  const problems: string[] = [];
  for (const range of entry.ranges) {
    if (range.type === 'GIT') continue; // commit ranges cannot be placed on a version line; others still count
    const rangeScheme = range.type === 'SEMVER' && !SEMVER_ECOSYSTEMS.has(scheme.ecosystem) ? SEMVER2 : scheme;
    if (!rangeScheme.isValid(version)) {
      problems.push(`${range.type} range: installed version ${version} is not ${rangeScheme.ecosystem}`);
      continue;
    }
    const events = withLastKnown(range, entry.lastKnownAffectedRange);
    const bad = events.events.map(eventVersion).find((v, i) => !isUsableEvent(events.events[i]!, v, rangeScheme));
    if (bad !== undefined) {
      problems.push(`${range.type} range: event version ${JSON.stringify(bad)} is not a valid ${rangeScheme.ecosystem} version${bad === '*' ? ' ("*" is allowed only as "limit")' : ''}`);
      continue;
    }
    let result: ReturnType<typeof inRange>;
    try {
      result = inRange(version, events.events, rangeScheme);
    } catch (err) {
      // A scheme that accepted both versions but cannot order them: that range is unusable, the others still decide.
      problems.push(`${range.type} range: cannot compare ${version} with its events: ${(err as Error).message}`);
      continue;
    }
    // An exclusive lower bound (CVE Manager versionStartExcluding) is stored as introduced S: S itself is not affected.
    const startExcluding = range.database_specific?.[RANGE_START_EXCLUDING];
    if (result.affected && typeof startExcluding === 'string' && rangeScheme.isValid(startExcluding) && rangeScheme.compare(version, startExcluding) === 0) continue;
    if (result.affected) {
      return {
        affected: true,
        reason: { kind: 'range', rangeType: range.type, events: range.events, scheme: rangeScheme.ecosystem, ...(events.via ? { via: events.via } : {}) },
        ...(result.fixed !== undefined ? { fixed: result.fixed } : {}),
        problems,
      };
    }
  }
  if (entry.versions.includes(version)) {
    return { affected: true, reason: { kind: 'versions', scheme: scheme.ecosystem }, problems };
  }
  return { affected: false, problems };
}

/** Closes an open-ended range (introduced only) with GHSA's `last_known_affected_version_range` ("<= 1.2" / "< 1.3"). */
function withLastKnown(range: OsvRange, lastKnown: string | undefined): { events: OsvEvent[]; via?: 'last_known_affected_version_range' } {
  const hasEnd = range.events.some((e) => e.fixed !== undefined || e.last_affected !== undefined);
  const m = lastKnown ? /^\s*(<=|<)\s*(\S+)\s*$/.exec(lastKnown) : null;
  if (hasEnd || !m) return { events: range.events };
  const bound: OsvEvent = m[1] === '<=' ? { last_affected: m[2]! } : { fixed: m[2]! };
  return { events: [...range.events, bound], via: 'last_known_affected_version_range' };
}

/**
 * OSV allows "0" only as `introduced` (all versions) and "*" only as `limit` (no upper bound); any other event value
 * must be a version of the range's scheme. A "*" elsewhere (seen in the wild as `last_affected: "*"`) is unusable.
 */
function isUsableEvent(e: OsvEvent, v: string, scheme: VersionScheme): boolean {
  if (v === '*') return e.limit !== undefined;
  if (v === '0') return true;
  return scheme.isValid(v);
}

function eventVersion(e: OsvEvent): string {
  return (e.introduced ?? e.fixed ?? e.last_affected ?? e.limit)!;
}

/**
 * The OSV algorithm: sort events by version ("0" first), walk them; introduced opens, fixed (exclusive) and
 * last_affected (inclusive) close; limits bound the whole range from above.
 */
function inRange(v: string, events: readonly OsvEvent[], scheme: VersionScheme): { affected: boolean; fixed?: string } {
  const cmp = (a: string, b: string): number => {
    if (a === b) return 0;
    if (a === '0') return -1;
    if (b === '0') return 1;
    return scheme.compare(a, b);
  };
  const limits = events.filter((e) => e.limit !== undefined).map((e) => e.limit!);
  if (limits.length > 0 && !limits.some((l) => l === '*' || cmp(v, l) < 0)) return { affected: false };
  const sorted = events.filter((e) => e.limit === undefined).sort((a, b) => cmp(eventVersion(a), eventVersion(b)));
  let affected = false;
  for (const e of sorted) {
    if (e.introduced !== undefined && cmp(v, e.introduced) >= 0) affected = true;
    else if (e.fixed !== undefined && cmp(v, e.fixed) >= 0) affected = false;
    else if (e.last_affected !== undefined && cmp(v, e.last_affected) > 0) affected = false;
  }
  if (!affected) return { affected };
  const fixed = sorted.find((e) => e.fixed !== undefined && cmp(e.fixed, v) > 0)?.fixed;
  return fixed !== undefined ? { affected, fixed } : { affected };
}
