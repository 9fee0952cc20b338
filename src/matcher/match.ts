/**
 * Matching: packages against an index of affected entries, ecosystem-aware. Packages stream through; only
 * those whose (ecosystem, name) an advisory names are evaluated, and each (entry, version) once.
 */
import { severityRank } from '../model/types.js';
import { pep503 } from '../model/package-name.js';
import type { FindingAdvisory, IndexedEntry, MatchedFinding, MatchPackage } from '../model/match.js';
export type { AdvisoryRef, FindingAdvisory, IndexedEntry, MatchedFinding, MatchPackage } from '../model/match.js';
import { hasScheme, schemeFor, type VersionScheme } from '../versions/index.js';
import { evaluateAffected } from './affected.js';

export interface MatchOutput {
  findings: MatchedFinding[];
  /** Packages with candidate advisories whose version the scheme rejects. */
  unparseable: { projectId: number; ecosystem: string; name: string; version: string }[];
  /** Packages whose ecosystem has no version scheme, by ecosystem. */
  unmatchedEcosystems: Record<string, number>;
  /** Advisory ranges that could not be evaluated (bad event versions), deduplicated. */
  problems: string[];
  packagesSeen: number;
}

/**
 * Index key of an ecosystem. Ubuntu's `:LTS`/`:Pro` suffixes do not change the release; Red Hat's OSV names
 * add a repository stream (`Red Hat:enterprise_linux:8::appstream`) that trivy cannot know, so only
 * product and release count.
 */
export function ecosystemKey(ecosystem: string): string {
  if (ecosystem.startsWith('Red Hat:')) return ecosystem.split(':').slice(0, 3).join(':');
  return ecosystem.replace(/^(Ubuntu:[^:]+):(LTS|Pro)$/i, '$1');
}


/** Builds the lookup from (ecosystem, name) to affected entries. */
export function buildAffectedIndex(items: Iterable<IndexedEntry>): Map<string, IndexedEntry[]> {
  const index = new Map<string, IndexedEntry[]>();
  for (const item of items) {
    const key = item.entry.ecosystem === 'any' ? `any\0${pep503(item.entry.name)}` : `${ecosystemKey(item.entry.ecosystem)}\0${item.entry.name}`;
    const list = index.get(key);
    if (list) list.push(item);
    else index.set(key, [item]);
  }
  return index;
}

/** The names a package is known by, as the index is looked up. */
export type PackageNames = Pick<MatchPackage, 'ecosystem' | 'matchName' | 'name'>;

/** The index entries that could match a package: by (ecosystem, match name), and ecosystem-less (`any`) ones by PEP 503 name. */
export interface Candidates {
  exact: readonly IndexedEntry[];
  any: readonly IndexedEntry[];
}

/**
 * A lookup of a package's candidate entries. Per-package costs matter at a million rows: ecosystem keys are few
 * (memoised), and the name normalisation of the `any` lookup is skipped when no source gave ecosystem-less entries.
 * `match` uses the same lookup to decide which stored package rows to read at all.
 */
export function candidateLookup(index: ReadonlyMap<string, IndexedEntry[]>): (pkg: PackageNames) => Candidates {
  const ecoKeys = new Map<string, string>();
  const hasAny = hasAnyEntries(index);
  return (pkg) => {
    let eco = ecoKeys.get(pkg.ecosystem);
    if (eco === undefined) ecoKeys.set(pkg.ecosystem, (eco = ecosystemKey(pkg.ecosystem)));
    return {
      exact: index.get(`${eco}\0${pkg.matchName}`) ?? NONE,
      any: hasAny ? (index.get(`any\0${pep503(pkg.name)}`) ?? NONE) : NONE,
    };
  };
}

/** What several `matchPackages` calls over one index share: the candidate lookup and each (entry, version) verdict. */
export interface MatchContext {
  lookup: (pkg: PackageNames) => Candidates;
  verdicts: Map<IndexedEntry, Map<string, Verdict>>;
}

/** A context for matching many batches (e.g. one project at a time) against one index. */
export function matchContext(index: ReadonlyMap<string, IndexedEntry[]>): MatchContext {
  return { lookup: candidateLookup(index), verdicts: new Map() };
}

/** Matches a stream of packages against the index (`ctx` shares lookups and verdicts between calls). */
export function matchPackages(packages: Iterable<MatchPackage>, index: ReadonlyMap<string, IndexedEntry[]>, ctx: MatchContext = matchContext(index)): MatchOutput {
  const findings = new Map<string, MatchedFinding>();
  const out: MatchOutput = { findings: [], unparseable: [], unmatchedEcosystems: {}, problems: [], packagesSeen: 0 };
  const problems = new Set<string>();
  const { lookup, verdicts } = ctx;
  for (const pkg of packages) {
    out.packagesSeen++;
    const { exact, any } = lookup(pkg);
    if (exact.length === 0 && any.length === 0) continue;
    for (const item of any) matchBareName(findings, pkg, item);
    if (exact.length === 0) continue;
    if (!hasScheme(pkg.ecosystem)) {
      out.unmatchedEcosystems[pkg.ecosystem] = (out.unmatchedEcosystems[pkg.ecosystem] ?? 0) + 1;
      continue;
    }
    const scheme = schemeFor(pkg.ecosystem);
    if (!scheme.isValid(pkg.matchVersion)) {
      out.unparseable.push({ projectId: pkg.projectId, ecosystem: pkg.ecosystem, name: pkg.name, version: pkg.matchVersion });
      continue;
    }
    for (const item of exact) {
      let cache = verdicts.get(item);
      if (!cache) verdicts.set(item, (cache = new Map()));
      let v = cache.get(pkg.matchVersion);
      if (!v) cache.set(pkg.matchVersion, (v = safeEvaluate(pkg.matchVersion, item, scheme)));
      for (const p of v.problems) problems.add(`${item.advisory.id} (${item.entry.ecosystem} ${item.entry.name}): ${p}`);
      if (v.affected) addFinding(findings, pkg, item, v.fixed, v.reason!, scheme, v);
    }
  }
  out.findings = [...findings.values()];
  out.problems = [...problems];
  return out;
}

const NONE: readonly IndexedEntry[] = [];

/** One advisory entry that cannot be evaluated is a problem of that entry, never of the whole match. */
function safeEvaluate(version: string, item: IndexedEntry, scheme: VersionScheme): Verdict {
  try {
    return evaluateAffected(version, item.entry, scheme);
  } catch (err) {
    return { affected: false, problems: [`unusable entry: ${(err as Error).message}`] };
  }
}

/**
 * An entry that names no ecosystem (CVE Manager names without a purl) matches any package of that PEP 503 name; the
 * reason always says so. Its explicit versions compare as exact strings; its ranges (credibility 4/5: "below the
 * fix") and its stated fixes are ordered by the package's own ecosystem scheme.
 */
function matchBareName(findings: Map<string, MatchedFinding>, pkg: MatchPackage, item: IndexedEntry): void {
  const e = item.entry;
  const scheme = hasScheme(pkg.ecosystem) ? schemeFor(pkg.ecosystem) : undefined;
  const usable = scheme?.isValid(pkg.matchVersion) ? scheme : undefined;
  const how = `the advisory names "${e.rawName}" without an ecosystem (${item.advisory.source}); matched to ${pkg.ecosystem} ${pkg.name} by name only`;
  if (e.versions.includes(pkg.version)) {
    const fixed = usable ? lowestFixAbove(e.fixedVersions ?? [], pkg.matchVersion, usable) : undefined;
    addFinding(findings, pkg, item, fixed, { kind: 'exact-any', note: `exact version ${pkg.version} listed; ${how}` }, usable);
    return;
  }
  if (e.ranges.length === 0 || !usable) return;
  const v = safeEvaluate(pkg.matchVersion, item, usable);
  if (v.affected) addFinding(findings, pkg, item, v.fixed, { ...v.reason!, note: how }, usable);
}

function lowestFixAbove(fixes: readonly string[], version: string, scheme: VersionScheme): string | undefined {
  let best: string | undefined;
  for (const f of fixes) {
    if (!scheme.isValid(f) || scheme.compare(f, version) <= 0) continue;
    if (best === undefined || scheme.compare(f, best) < 0) best = f;
  }
  return best;
}

function hasAnyEntries(index: ReadonlyMap<string, IndexedEntry[]>): boolean {
  for (const key of index.keys()) if (key.startsWith('any\0')) return true;
  return false;
}

type Verdict = ReturnType<typeof evaluateAffected>;
const verdictAdvisories = new WeakMap<Verdict, FindingAdvisory>();

/**
 * The advisory part of a finding for one cached (entry, version) verdict: one shared, never-mutated object for every
 * project with that version, so the store serialises it once.
 */
function findingAdvisory(item: IndexedEntry, v: Verdict): FindingAdvisory {
  let fa = verdictAdvisories.get(v);
  if (!fa) {
    const a = item.advisory;
    verdictAdvisories.set(v, (fa = { id: a.id, source: a.source, severity: a.severity, baseScore: a.baseScore, fixed: v.fixed, reason: v.reason! }));
  }
  return fa;
}

function addFinding(
  findings: Map<string, MatchedFinding>,
  pkg: MatchPackage,
  item: IndexedEntry,
  fixed: string | undefined,
  reason: FindingAdvisory['reason'],
  scheme: VersionScheme | undefined,
  verdict?: Verdict,
): void {
  const a = item.advisory;
  const key = `${pkg.projectId}\0${a.groupId}\0${pkg.ecosystem}\0${pkg.name}\0${pkg.version}`;
  let f = findings.get(key);
  if (!f) {
    f = { projectId: pkg.projectId, groupId: a.groupId, ecosystem: pkg.ecosystem, package: pkg.name, version: pkg.version, advisories: [], aliases: [], severity: 'UNKNOWN', cvssScore: undefined, cvssVector: undefined, fixedVersion: undefined, targets: [] };
    findings.set(key, f);
  }
  if (!f.targets.includes(pkg.target)) f.targets.push(pkg.target);
  if (f.advisories.some((x) => x.id === a.id && x.source === a.source)) return;
  f.advisories.push(verdict ? findingAdvisory(item, verdict) : { id: a.id, source: a.source, severity: a.severity, baseScore: a.baseScore, fixed, reason });
  for (const alias of [a.id, ...a.aliases]) if (!f.aliases.includes(alias)) f.aliases.push(alias);
  if (severityRank(a.severity) > severityRank(f.severity)) f.severity = a.severity;
  if (a.baseScore !== undefined && (f.cvssScore === undefined || a.baseScore > f.cvssScore)) {
    f.cvssScore = a.baseScore;
    f.cvssVector = a.cvssVector;
  }
  // The group's fix is the highest of its advisories' fixes: every advisory of the group must be cleared.
  if (fixed !== undefined && scheme) {
    if (f.fixedVersion === undefined || (scheme.isValid(fixed) && scheme.isValid(f.fixedVersion) && scheme.compare(fixed, f.fixedVersion) > 0)) f.fixedVersion = fixed;
  }
}

/** The smallest upgrade clearing every finding on one package: the highest of their fixes, or undefined if any has none. */
export function packageUpgrade(ecosystem: string, fixes: readonly (string | undefined)[]): string | undefined {
  if (fixes.length === 0 || fixes.some((f) => f === undefined) || !hasScheme(ecosystem)) return undefined;
  const scheme = schemeFor(ecosystem);
  return (fixes as string[]).reduce((hi, f) => (scheme.isValid(f) && scheme.isValid(hi) && scheme.compare(f, hi) > 0 ? f : hi));
}
