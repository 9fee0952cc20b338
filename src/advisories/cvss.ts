/**
 * CVSS base scores (ae-cvss-calculator) and the severity bands of each CVSS version.
 * Bands: https://www.first.org/cvss/v3.1/specification-document#Qualitative-Severity-Rating-Scale (v3, v4);
 * NVD's v2 scale (LOW < 4, MEDIUM < 7, HIGH >= 7; v2 has no CRITICAL).
 */
import cvssLib from 'ae-cvss-calculator';
import { severityRank, type CvssVector, type Severity } from '../model/types.js';

/** CVSS version of a vector string: 2, 3 or 4; undefined if it names none. */
export function cvssVersion(vector: string): 2 | 3 | 4 | undefined {
  if (vector.startsWith('CVSS:4.0/')) return 4;
  if (vector.startsWith('CVSS:3.0/') || vector.startsWith('CVSS:3.1/')) return 3;
  if (/^\(?AV:[LAN]\/AC:[HML]\/Au:[MSN]\//.test(vector)) return 2;
  return undefined;
}

// Many advisories share a vector; the calculator is not free, so remember results (bounded).
const scoreCache = new Map<string, number | undefined>();
const SCORE_CACHE_MAX = 20_000;

/** Base score of a vector, or undefined if it does not parse or lacks a base metric. */
export function cvssBaseScore(vector: string): number | undefined {
  if (scoreCache.has(vector)) return scoreCache.get(vector);
  const score = computeBaseScore(vector);
  if (scoreCache.size >= SCORE_CACHE_MAX) scoreCache.clear();
  scoreCache.set(vector, score);
  return score;
}

function computeBaseScore(vector: string): number | undefined {
  const version = cvssVersion(vector);
  if (version === undefined) return undefined;
  const text = version === 2 ? vector.replace(/^\((.*)\)$/, '$1') : vector;
  try {
    const parsed = version === 2 ? new cvssLib.Cvss2(text) : cvssLib.fromVector(text);
    if (!parsed) return undefined;
    // An incomplete vector parses with the missing metrics as "X" and no base score.
    const base = (parsed.calculateScores() as { base?: number }).base;
    return typeof base === 'number' && Number.isFinite(base) ? base : undefined;
  } catch {
    return undefined;
  }
}

/** Qualitative severity of a base score on the scale of its CVSS version. */
export function severityFromScore(score: number, version: 2 | 3 | 4): Severity {
  if (version === 2) return score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : 'LOW';
  if (score === 0) return 'NONE';
  if (score < 4) return 'LOW';
  if (score < 7) return 'MEDIUM';
  if (score < 9) return 'HIGH';
  return 'CRITICAL';
}

const TEXT_SEVERITIES: Record<string, Severity> = {
  none: 'NONE',
  negligible: 'LOW',
  unimportant: 'LOW',
  low: 'LOW',
  moderate: 'MEDIUM',
  medium: 'MEDIUM',
  important: 'HIGH',
  high: 'HIGH',
  critical: 'CRITICAL',
};

/** Maps a source's textual severity (GHSA MODERATE, Red Hat Important, vtopia High...) to ours. */
export function severityFromText(text: string | undefined): Severity {
  if (!text) return 'UNKNOWN';
  return TEXT_SEVERITIES[text.trim().toLowerCase()] ?? 'UNKNOWN';
}

/** Scores each vector; the advisory's severity is the worst band over its vectors, else its text. */
export function rateAdvisory(
  vectors: readonly { type: string; vector: string }[],
  severityText: string | undefined,
): { cvss: CvssVector[]; baseScore: number | undefined; severity: Severity } {
  const cvss: CvssVector[] = [];
  let baseScore: number | undefined;
  let severity: Severity = 'UNKNOWN';
  for (const v of vectors) {
    const score = cvssBaseScore(v.vector);
    cvss.push({ type: v.type, vector: v.vector, baseScore: score });
    const version = cvssVersion(v.vector);
    if (score === undefined || version === undefined) continue;
    if (baseScore === undefined || score > baseScore) baseScore = score;
    const band = severityFromScore(score, version);
    if (severityRank(band) > severityRank(severity)) severity = band;
  }
  if (severity === 'UNKNOWN') severity = severityFromText(severityText);
  return { cvss, baseScore, severity };
}
