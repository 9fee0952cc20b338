/**
 * The read side of `icms match`: build the advisory index, read the candidate package rows, then match, rate,
 * re-score and prepare each project's findings for the writer. It only reads the store, so it can run in a
 * worker thread on a connection of its own while the main thread writes the previous projects' findings.
 */
import type { Db } from '../db/open.js';
import { iterateAffectedEntries, iterateMatchPackages, listPackageNames } from '../db/match-inputs.js';
import { findingPreparer, type PreparedProject } from '../db/finding-content.js';
import { groupFactsLookup } from '../db/ratings.js';
import { listProjects } from '../db/projects.js';
import { buildAffectedIndex, matchContext, matchPackages, type MatchOutput, type MatchPackage, type PackageNames } from './match.js';
import { applyRatings, DEFAULT_SEVERITY_ORDER, type ResolvedRating } from './rating.js';
import { makeEnvScorer, type EnvSettings } from '../triage/cvss.js';

/** One project's prepared findings, and what matching it noticed. */
export interface ProjectBatch extends PreparedProject {
  /** Its package rows some advisory names (the rows matched). */
  candidates: number;
  unparseable: MatchOutput['unparseable'];
  unmatchedEcosystems: MatchOutput['unmatchedEcosystems'];
  problems: string[];
}

/** The prepared run: the time of the first two steps, and the projects, prepared one at a time as they are taken. */
export interface PreparedRun {
  /** Build the advisory index, ms. */
  indexMs: number;
  /** Find the candidate names and read their package rows, ms. */
  readMs: number;
  projects: Iterable<ProjectBatch>;
}

/** Without triage settings (callers that predate them) the built-in profiles apply. */
const DEFAULT_TRIAGE: EnvSettings = { profiles: {}, defaultProfile: 'internal' };

/** Indexes the advisories and reads the candidate rows now; matches, rates (by `severityOrder`) and prepares each project when iterated. */
export function prepareProjects(db: Db, projectIds: readonly number[], triage: EnvSettings = DEFAULT_TRIAGE, severityOrder: readonly string[] = DEFAULT_SEVERITY_ORDER): PreparedRun {
  let mark = performance.now();
  const lap = (): number => {
    const ms = performance.now() - mark;
    mark = performance.now();
    return Math.round(ms * 10) / 10;
  };
  const index = buildAffectedIndex(iterateAffectedEntries(db, { storedNamesOnly: true }));
  const indexMs = lap();
  const ctx = matchContext(index);
  const byProject = readCandidates(db, projectIds, (n) => {
    const c = ctx.lookup(n);
    return c.exact.length > 0 || c.any.length > 0;
  });
  const readMs = lap();
  // ratings and KEV/EPSS are looked up per alias group, and resolved per group and matching advisories, both once per run
  const facts = groupFactsLookup(db);
  const resolved = new Map<string, ResolvedRating>();
  const prepare = findingPreparer(makeEnvScorer(listProjects(db), triage));
  function* projects(): Generator<ProjectBatch> {
    for (const id of projectIds) {
      const packages = byProject.get(id) ?? [];
      byProject.delete(id);
      const out = matchPackages(packages, index, ctx);
      applyRatings(out.findings, facts, severityOrder, resolved);
      yield { ...prepare(id, out.findings), candidates: out.packagesSeen, unparseable: out.unparseable, unmatchedEcosystems: out.unmatchedEcosystems, problems: out.problems };
    }
  }
  return { indexMs, readMs, projects: projects() };
}

/** The package rows of `projectIds` whose names `isCandidate` accepts, by project (the only rows a match needs). */
function readCandidates(db: Db, projectIds: readonly number[], isCandidate: (n: PackageNames) => boolean): Map<number, MatchPackage[]> {
  const byProject = new Map<number, MatchPackage[]>();
  for (const p of iterateMatchPackages(db, projectIds, listPackageNames(db).filter(isCandidate))) {
    const list = byProject.get(p.projectId);
    if (list) list.push(p);
    else byProject.set(p.projectId, [p]);
  }
  return byProject;
}
