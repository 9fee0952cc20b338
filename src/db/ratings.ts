/**
 * The facts a finding's rating is resolved from, per alias group: every rating its non-withdrawn records give (an
 * NVD record one per CVSS metric), and the group's KEV listing and EPSS score. Looked up per group, on demand, by
 * index (a portfolio's findings name a few thousand groups; the store may hold hundreds of thousands of NVD records).
 */
import type { GroupFacts, GroupRating } from '../matcher/rating.js';
import { metricSeverity } from '../advisories/nvd-record.js';
import type { CvssVector, Severity } from '../model/types.js';
import type { Db } from './open.js';
import { groupSignalLookup } from './signals.js';

/** A memoised lookup of each group's facts. */
export function groupFactsLookup(db: Db): (groupId: string) => GroupFacts {
  const rows = db.prepare(`
    SELECT a.source, COALESCE(s.kind, 'osv') AS kind, a.advisory_id AS id, a.severity, a.base_score AS score, a.cvss
    FROM advisories a LEFT JOIN advisory_sources s ON s.name = a.source
    WHERE a.group_id = ? AND a.withdrawn IS NULL
    ORDER BY a.source, a.advisory_id`);
  const signals = groupSignalLookup(db);
  const memo = new Map<string, GroupFacts>();
  return (groupId) => {
    let facts = memo.get(groupId);
    if (!facts) {
      const ratings = (rows.all(groupId) as { source: string; kind: string; id: string; severity: Severity; score: number | null; cvss: string }[]).flatMap(toRatings);
      memo.set(groupId, (facts = { ratings, ...signals(groupId) }));
    }
    return facts;
  };
}

/** An NVD record gives one rating per metric; any other record one, with the vector of its best score. */
function toRatings(r: { source: string; kind: string; id: string; severity: Severity; score: number | null; cvss: string }): GroupRating[] {
  const vectors = JSON.parse(r.cvss) as CvssVector[];
  if (r.kind === 'nvd') {
    return vectors.map((m) => ({
      source: r.source, sourceKind: 'nvd', record: r.id, severity: metricSeverity(m), score: m.baseScore, vector: m.vector || undefined,
      scorer: m.source, nvdType: m.kind, cvssType: m.type,
    }));
  }
  const score = r.score ?? undefined;
  const vector = score === undefined ? undefined : vectors.find((v) => v.baseScore === score)?.vector || undefined;
  return [{ source: r.source, sourceKind: r.kind, record: r.id, severity: r.severity, score, vector }];
}
