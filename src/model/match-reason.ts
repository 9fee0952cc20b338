/**
 * A finding's stored match reasons as the sentences `icms explain` prints ("because GHSA-… (osv): ECOSYSTEM range
 * [introduced 0, fixed 1.2.3] ordered by npm; fixed in 1.2.3"), so the dashboard and mail say it the same way.
 */

/** One stored verdict of a finding's `reason` list (as the matcher writes it). */
export interface StoredReason {
  id: string;
  source: string;
  fixed?: string;
  reason?: { kind?: string; rangeType?: string; events?: Record<string, string>[]; scheme?: string; via?: string; note?: string };
}

function events(list: readonly Record<string, string>[] | undefined): string {
  return (list ?? []).map((ev) => Object.entries(ev).map(([k, v]) => `${k} ${v}`).join('')).join(', ');
}

/** Why one advisory matched, without the leading "because <id> (<source>): ". */
export function reasonClause(w: StoredReason): string {
  const r = w.reason ?? {};
  const why =
    r.kind === 'range'
      ? `${r.rangeType} range [${events(r.events)}] ordered by ${r.scheme}${r.via ? ` (closed by ${r.via})` : ''}`
      : r.kind === 'versions'
        ? `version listed explicitly in the advisory (${r.scheme})`
        : (r.note ?? 'exact match');
  const note = r.kind === 'range' && r.note ? `; ${r.note}` : '';
  return `${why}${note}${w.fixed ? `; fixed in ${w.fixed}` : ''}`;
}

/** Every verdict as one sentence each: `because <id> (<source>): <clause>`. Unknown shapes are skipped. */
export function reasonSentences(reason: unknown): string[] {
  if (!Array.isArray(reason)) return [];
  return reason
    .filter((w): w is StoredReason => typeof w === 'object' && w !== null && typeof (w as StoredReason).id === 'string')
    .map((w) => `because ${w.id} (${w.source}): ${reasonClause(w)}`);
}
