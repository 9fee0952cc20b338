/** The ratings section of BENCHMARKS.md: per ecosystem, rated / KEV / still UNKNOWN and why, on the shared repositories. */
import type { RatingsCensus } from './ratings.js';
import type { Section } from './report.js';

/** Renders the census with NVD+KEV (`rich`) against the one with the OSV records alone (`plain`). */
export function renderRatings(rich: RatingsCensus, plain: RatingsCensus, cmd: string): Section {
  const ecos = Object.keys(rich.byEcosystem).sort();
  const sum = (c: RatingsCensus, f: (e: RatingsCensus['byEcosystem'][string]) => number): number => Object.values(c.byEcosystem).reduce((n, e) => n + f(e), 0);
  const unknown = (e: RatingsCensus['byEcosystem'][string] | undefined): number => (e ? e.findings - e.rated : 0);
  const rows = ecos.map((eco) => {
    const e = rich.byEcosystem[eco]!;
    const why = Object.entries(e.unknown).sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${n} ${reason}`).join('; ');
    return `| ${eco} | ${e.findings} | ${unknown(plain.byEcosystem[eco])} | ${unknown(e)} | ${e.kev} | ${why || '-'} |`;
  });
  const total = sum(rich, (e) => e.findings);
  const samples = Object.entries(rich.samples).map(([reason, ids]) => `- ${reason}: ${ids.slice(0, 4).join(', ')}`);
  const markdown = [
    '## ratings: findings still UNKNOWN (issue 16)',
    '',
    `**What**: the recorded trivy report of each of the ${rich.projects} shared repositories stored as one project (real scan store), the shared OSV corpus synced with the real sync, then one real \`match\` (src/bench/ratings.ts); once with the OSV records alone, once with the shared NVD records (\`type: nvd\`, mirror layout) and CISA KEV catalog (\`type: kev\`) added. Severity is resolved by the default \`advisories.severity_order\` (own, GHSA, NVD Primary, NVD Secondary, other).`,
    '',
    '| ecosystem | findings | UNKNOWN with OSV alone | UNKNOWN with OSV + NVD + KEV | KEV-listed | why the rest stay UNKNOWN |',
    '|---|---|---|---|---|---|',
    ...rows,
    `| **all** | ${total} | ${total - sum(plain, (e) => e.rated)} | ${total - sum(rich, (e) => e.rated)} | ${sum(rich, (e) => e.kev)} | |`,
    '',
    `Which record rated the rated findings: ${Object.entries(rich.bySource).sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${n}`).join(', ')}. Every finding whose CVE the NVD data rates has a severity (a finding NVD rates yet left UNKNOWN would be listed as "a bug").`,
    '',
    'Reasons: "no CVE alias": neither the matching record nor any record of its alias group names a CVE, and none of them carries a rating (RUSTSEC informational advisories, FriendsOfPHP and PYSEC records, GHSA records published without a score); "NVD has not rated it yet": NVD holds the CVE but with no CVSS metric yet (its `vulnStatus` in brackets; the next sync and match rate it once NVD does); "CVE not in the NVD data": the NVD data given has no record for it (../shared/data/nvd/SOURCES.md lists the CVEs its subset leaves out, among them eight 2026 Go CVEs with very large records).',
    '',
    'Examples per reason:',
    ...samples,
    '',
    `Run: \`${cmd}\`.`,
  ].join('\n');
  return { id: 'ratings', markdown };
}
