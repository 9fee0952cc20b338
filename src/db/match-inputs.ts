/** SQL of the match inputs: the affected entries of the advisories and the package rows they name. */
import type { Db } from './open.js';
import type { OsvRange, Severity } from '../model/types.js';
import type { IndexedEntry, MatchPackage } from '../model/match.js';

/** Every affected entry of every non-withdrawn advisory (or only those naming a stored package), with the advisory facts the matcher needs. */
export function* iterateAffectedEntries(db: Db, opts: { storedNamesOnly?: boolean } = {}): Generator<IndexedEntry> {
  // With storedNamesOnly, entries naming no stored package are not read at all: a portfolio of a few thousand
  // packages needs a few hundred of the corpus's 100k+ entries. Both sides hold the ecosystem-normalised name.
  const onlyStored = opts.storedNamesOnly ? "AND (a.ecosystem = 'any' OR a.name IN (SELECT match_name FROM packages))" : '';
  const stmt = db.prepare(`
    SELECT a.ecosystem, a.name, a.raw_name, a.ranges, a.versions, a.last_known_affected,
           CASE WHEN a.ecosystem = 'any' THEN a.database_specific ->> '$.fixed_versions' END AS fixed_versions,
           adv.advisory_id, adv.source, COALESCE(adv.group_id, adv.advisory_id) AS group_id,
           adv.severity, adv.base_score, adv.cvss, adv.aliases
    FROM affected a JOIN advisories adv ON adv.id = a.advisory_rowid
    WHERE adv.withdrawn IS NULL ${onlyStored}`);
  const refs = new Map<string, IndexedEntry['advisory']>();
  for (const r of stmt.iterate() as Iterable<Record<string, string | number | null>>) {
    const refKey = `${r.source}\0${r.advisory_id}`;
    let advisory = refs.get(refKey);
    if (!advisory) {
      const cvss = JSON.parse(String(r.cvss ?? '[]')) as { vector: string; baseScore?: number }[];
      const best = cvss.filter((c) => c.baseScore !== undefined).sort((x, y) => (y.baseScore ?? 0) - (x.baseScore ?? 0))[0];
      advisory = {
        id: String(r.advisory_id),
        source: String(r.source),
        groupId: String(r.group_id),
        aliases: JSON.parse(String(r.aliases ?? '[]')) as string[],
        severity: String(r.severity) as Severity,
        baseScore: r.base_score === null ? undefined : Number(r.base_score),
        cvssVector: best?.vector,
      };
      refs.set(refKey, advisory);
    }
    yield {
      advisory,
      entry: {
        ecosystem: String(r.ecosystem),
        name: String(r.name),
        rawName: String(r.raw_name),
        ranges: JSON.parse(String(r.ranges)) as OsvRange[],
        versions: JSON.parse(String(r.versions)) as string[],
        lastKnownAffectedRange: r.last_known_affected === null ? undefined : String(r.last_known_affected),
        // ecosystem-less entries carry their source's stated fixes (CVE Manager patch[]) for exact-version matches
        ...(typeof r.fixed_versions === 'string' ? { fixedVersions: JSON.parse(r.fixed_versions) as string[] } : {}),
      },
    };
  }
}

/** The distinct names stored packages are known by (from the covering index `packages_match`). */
export function listPackageNames(db: Db): { ecosystem: string; matchName: string; name: string }[] {
  return (db.prepare('SELECT DISTINCT ecosystem, match_name, name FROM packages').raw().all() as [string, string, string][]).map(([ecosystem, matchName, name]) => ({ ecosystem, matchName, name }));
}

/** How many current packages the active projects among `projectIds` have. */
export function countMatchPackages(db: Db, projectIds: readonly number[]): number {
  return db
    .prepare("SELECT COUNT(*) FROM packages p JOIN projects pr ON pr.id = p.project_id WHERE pr.status = 'active' AND p.project_id IN (SELECT value FROM json_each(?))")
    .pluck()
    .get(JSON.stringify(projectIds)) as number;
}

/**
 * Streams the current packages of active projects (optionally only `projectIds`, and only the rows known by one
 * of `names`: those are looked up through the `packages_match` index instead of reading every row).
 */
export function* iterateMatchPackages(db: Db, projectIds?: readonly number[], names?: readonly { ecosystem: string; matchName: string; name: string }[]): Generator<MatchPackage> {
  const args: string[] = [];
  let from = 'packages p';
  if (names) {
    // the candidate list drives the join (CROSS JOIN keeps that order): one index probe per name
    from = 'json_each(?) c CROSS JOIN packages p ON p.ecosystem = c.value ->> 0 AND p.match_name = c.value ->> 1 AND p.name = c.value ->> 2';
    args.push(JSON.stringify(names.map((n) => [n.ecosystem, n.matchName, n.name])));
  }
  if (projectIds) args.push(JSON.stringify(projectIds));
  const stmt = db.prepare(`
    SELECT p.project_id, p.ecosystem, p.name, p.version, p.match_name, p.match_version, p.target
    FROM ${from} JOIN projects pr ON pr.id = p.project_id
    WHERE pr.status = 'active' ${projectIds ? 'AND p.project_id IN (SELECT value FROM json_each(?))' : ''}`);
  for (const r of stmt.raw().iterate(...args) as Iterable<[number, string, string, string, string, string, string]>) {
    yield { projectId: r[0], ecosystem: r[1], name: r[2], version: r[3], matchName: r[4], matchVersion: r[5], target: r[6] };
  }
}
