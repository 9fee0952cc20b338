/** Where the benchmark data is: the shared corpus (`../shared/data`) when present, else the repository's fixtures. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** One repository of manifests (a folder of lockfiles at their original paths). */
export interface BenchRepo {
  name: string;
  dir: string;
}

export interface BenchData {
  root: string;
  /** Directory of OSV JSON files (`<root>/osv`). */
  osvDir: string;
  /** Manifest folders (`<root>/repos/*`); a `trivy.json` inside is not a manifest and is left out of scans. */
  repos: BenchRepo[];
  /** Recorded trivy reports: `<root>/repos/<r>/trivy.json` (shared corpus) or `<root>/trivy/*.json` (fixtures). */
  trivyReports: string[];
}

/** `../shared/data` relative to the repository when it exists, else `fixtures/`. */
export function defaultDataDir(repoRoot: string): string {
  const shared = path.resolve(repoRoot, '..', 'shared', 'data');
  return existsSync(path.join(shared, 'osv')) ? shared : path.join(repoRoot, 'fixtures');
}

/** Lists the benchmark inputs under `root`; throws when it has no `osv/` directory. */
export function resolveBenchData(root: string): BenchData {
  const osvDir = path.join(root, 'osv');
  if (!isDir(osvDir)) throw new Error(`${root}: no osv/ directory; give the shared data directory or fixtures/`);
  const reposDir = path.join(root, 'repos');
  const repos = isDir(reposDir)
    ? readdirSync(reposDir)
        .filter((f) => isDir(path.join(reposDir, f)))
        .sort()
        .map((name) => ({ name, dir: path.join(reposDir, name) }))
    : [];
  const inside = repos.map((r) => path.join(r.dir, 'trivy.json')).filter((f) => existsSync(f));
  const trivyDir = path.join(root, 'trivy');
  const recorded = isDir(trivyDir)
    ? readdirSync(trivyDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => path.join(trivyDir, f))
    : [];
  return { root, osvDir, repos, trivyReports: inside.length > 0 ? inside : recorded };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
