/**
 * Which rating a finding carries, and why: every rating its alias group holds (OSV records, GHSA, the CVE Manager,
 * each NVD metric) is a candidate; the configured `advisories.severity_order` names the kinds of rating in the order
 * they are tried, and the first kind that offers a rated candidate wins (like trivy's --vuln-severity-source).
 * The CVSS score and vector come from the first kind in the same order that offers a score.
 */
import { severityRank, type Severity } from '../model/types.js';
import type { EpssInfo, KevInfo, MatchedFinding } from '../model/match.js';

/** One rating a record of the alias group gives. */
export interface GroupRating {
  /** Configured source name ('osv-go', 'nvd'). */
  source: string;
  /** The source's type: osv, vtopia, nvd. */
  sourceKind: string;
  /** The record: advisory id or CVE id. */
  record: string;
  severity: Severity;
  score: number | undefined;
  vector: string | undefined;
  /** NVD: who scored it (nvd@nist.gov, a CNA) and whether that is the Primary or a Secondary score. */
  scorer?: string | undefined;
  nvdType?: 'Primary' | 'Secondary' | undefined;
  /** NVD: the CVSS version of the metric ('CVSS_V3'...). */
  cvssType?: string | undefined;
}

/** The kinds of rating `advisories.severity_order` may name (besides a configured source name). */
export const SEVERITY_ORDER_KINDS = ['own', 'ghsa', 'nvd-primary', 'nvd-secondary', 'vtopia', 'osv', 'other'] as const;

/** The default order: the matching advisory's own rating, then GHSA, then NVD Primary, NVD Secondary, anything else. */
export const DEFAULT_SEVERITY_ORDER: readonly string[] = ['own', 'ghsa', 'nvd-primary', 'nvd-secondary', 'other'];

/** The outcome of a resolution. */
export interface ResolvedRating {
  severity: Severity;
  score: number | undefined;
  vector: string | undefined;
  /** The rating that gave the severity (undefined: nothing rates the group). */
  winner: GroupRating | undefined;
  /** The order entry it won under. */
  winnerKind: string | undefined;
  /** The rating that gave the score, when another one than the winner. */
  scored: GroupRating | undefined;
}

/** How a rating reads in `severity_source`: `nvd:CVE-2024-45337 (nvd@nist.gov, Primary)`. */
export function ratingLabel(r: GroupRating): string {
  return `${r.source}:${r.record}${r.scorer || r.nvdType ? ` (${[r.scorer, r.nvdType].filter(Boolean).join(', ')})` : ''}`;
}

/** Whether a rating counts under an order entry (a kind, or a source name). */
export function ratingIsOf(r: GroupRating, kind: string, isOwn: boolean): boolean {
  switch (kind) {
    case 'own':
      return isOwn;
    case 'ghsa':
      return r.record.startsWith('GHSA-');
    case 'nvd-primary':
      return r.sourceKind === 'nvd' && r.nvdType === 'Primary';
    case 'nvd-secondary':
      return r.sourceKind === 'nvd' && r.nvdType !== 'Primary';
    case 'vtopia':
      return r.sourceKind === 'vtopia';
    case 'osv':
      return r.sourceKind === 'osv';
    case 'other':
      return true;
    default:
      return r.source === kind;
  }
}

/**
 * Resolves a finding's rating over its group's ratings; `isOwn` says which of them come from the advisories that
 * matched the finding. Within one kind NVD metrics keep their record's order (newest CVSS version first), other
 * ratings the most severe first.
 */
export function resolveRating(ratings: readonly GroupRating[], isOwn: (r: GroupRating) => boolean, order: readonly string[]): ResolvedRating {
  let winner: GroupRating | undefined;
  let winnerKind: string | undefined;
  let scored: GroupRating | undefined;
  for (const kind of order) {
    const candidates = ratings.filter((r) => ratingIsOf(r, kind, isOwn(r)));
    if (!winner) {
      const rated = best(candidates.filter((r) => r.severity !== 'UNKNOWN'));
      if (rated) [winner, winnerKind] = [rated, kind];
    }
    if (!scored) scored = best(candidates.filter((r) => r.score !== undefined));
    if (winner && scored) break;
  }
  // the score shown next to a severity comes from the same record when that record has one
  if (winner?.score !== undefined) scored = winner;
  return { severity: winner?.severity ?? 'UNKNOWN', score: scored?.score, vector: scored?.vector, winner, winnerKind, scored: scored === winner ? undefined : scored };
}

function best(list: readonly GroupRating[]): GroupRating | undefined {
  let top: GroupRating | undefined;
  for (const r of list) {
    if (!top) top = r;
    // NVD's metrics are listed newest version first: the first one stands
    else if (r.sourceKind !== 'nvd' && top.sourceKind !== 'nvd' && (severityRank(r.severity) > severityRank(top.severity) || (r.severity === top.severity && (r.score ?? -1) > (top.score ?? -1)))) top = r;
  }
  return top;
}

/** What the store knows of an alias group: its ratings and exploitation signals. */
export interface GroupFacts {
  ratings: readonly GroupRating[];
  kev: KevInfo | null;
  epss: EpssInfo | null;
}

/**
 * Rates each finding over its alias group by `order`, and attaches the group's KEV listing and EPSS score. `facts`
 * is asked once per group (the caller memoises it); findings with the same group and matching advisories share one
 * resolution, through `memo` across calls when the caller passes one (a run's projects share most groups). A finding
 * nothing rates keeps UNKNOWN and no severity_source.
 */
export function applyRatings(findings: readonly MatchedFinding[], facts: (groupId: string) => GroupFacts, order: readonly string[], memo = new Map<string, ResolvedRating>()): void {
  for (const f of findings) {
    const g = facts(f.groupId);
    const key = f.advisories.length === 1 ? `${f.groupId}\0${f.advisories[0]!.source}\0${f.advisories[0]!.id}` : `${f.groupId}\0${f.advisories.map((a) => `${a.source}\0${a.id}`).join('\0')}`;
    let res = memo.get(key);
    if (!res) {
      const own = new Set(f.advisories.map((a) => `${a.source}\0${a.id}`));
      // an advisory the store does not hold (a finding made in memory) still rates by what the matcher saw
      const missing = f.advisories.filter((a) => !g.ratings.some((r) => r.source === a.source && r.record === a.id));
      const ratings = missing.length === 0 ? g.ratings : [...g.ratings, ...missing.map((a): GroupRating => ({ source: a.source, sourceKind: 'osv', record: a.id, severity: a.severity, score: a.baseScore, vector: undefined }))];
      memo.set(key, (res = resolveRating(ratings, (r) => own.has(`${r.source}\0${r.record}`), order)));
    }
    f.severity = res.severity;
    f.cvssScore = res.score;
    f.cvssVector = res.vector;
    f.severitySource = res.winner ? ratingLabel(res.winner) : undefined;
    f.kev = g.kev;
    f.epss = g.epss;
  }
}

/** Every rating of a group side by side, which won and why, as `icms explain` shows it. */
export interface RatingExplanation {
  order: readonly string[];
  ratings: { rating: GroupRating; label: string; own: boolean; kinds: string[]; won: boolean; scored: boolean }[];
  /** One sentence per order entry tried until the winner: what it offered. */
  steps: string[];
  resolved: ResolvedRating;
}

/** Explains the resolution of `ratings` by `order` (`ownIds`: the `source\0id` keys of the matching advisories). */
export function explainRating(ratings: readonly GroupRating[], ownIds: ReadonlySet<string>, order: readonly string[]): RatingExplanation {
  const isOwn = (r: GroupRating): boolean => ownIds.has(`${r.source}\0${r.record}`);
  const resolved = resolveRating(ratings, isOwn, order);
  const steps: string[] = [];
  for (const kind of order) {
    const of = ratings.filter((r) => ratingIsOf(r, kind, isOwn(r)));
    const rated = of.filter((r) => r.severity !== 'UNKNOWN');
    if (resolved.winnerKind === kind && resolved.winner) {
      steps.push(`${kind}: ${ratingLabel(resolved.winner)} rates it ${resolved.winner.severity}${resolved.winner.score !== undefined ? ` (CVSS ${resolved.winner.score})` : ''}: the first rating in severity_order, so it wins`);
      break;
    }
    steps.push(`${kind}: ${of.length === 0 ? 'no record' : rated.length === 0 ? `${of.map(ratingLabel).join(', ')} rate${of.length === 1 ? 's' : ''} nothing` : 'no rating'}`);
  }
  if (!resolved.winner) steps.push('nothing rates it: severity UNKNOWN');
  if (resolved.scored) steps.push(`the CVSS score comes from ${ratingLabel(resolved.scored)}, the first in the order with a score`);
  return {
    order,
    ratings: ratings.map((r) => ({
      rating: r, label: ratingLabel(r), own: isOwn(r), kinds: order.filter((k) => ratingIsOf(r, k, isOwn(r))), won: r === resolved.winner,
      scored: r === (resolved.scored ?? (resolved.winner?.score !== undefined ? resolved.winner : undefined)),
    })),
    steps,
    resolved,
  };
}
