/** A small real portfolio for end-to-end tests: git repos from fixtures/demo/repos, an inventory and a config. */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeGitRepo, type GitRemote } from './git.js';
import { tmpDir } from './tmp.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** Reads every file of a fixture repo folder into a path -> content map. */
export async function fixtureFiles(name: string): Promise<Record<string, string>> {
  const dir = path.join(FIXTURES, 'demo/repos', name);
  const out: Record<string, string> = {};
  for (const f of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!f.isFile()) continue;
    const abs = path.join(f.parentPath, f.name);
    out[path.relative(dir, abs)] = await readFile(abs, 'utf8');
  }
  return out;
}

export interface Portfolio {
  dir: string;
  remotes: Record<string, GitRemote>;
}

/** Creates git remotes for `repos`, an inventory of them and an icms.yaml using the demo advisories. */
export async function makePortfolio(repos: string[], extraConfig = ''): Promise<Portfolio> {
  const dir = await tmpDir('icms-portfolio-');
  const remotes: Record<string, GitRemote> = {};
  for (const r of repos) remotes[r] = await makeGitRepo(await fixtureFiles(r), 'main', r);
  const inventory = repos.map((r) => `  - url: ${remotes[r]!.url}\n    branch: main\n    maintainers: [{name: Dev ${r}, email: ${r}@example.com}]\n`).join('');
  await writeFile(path.join(dir, 'inventory.yaml'), `projects:\n${inventory}`);
  await writeFile(
    path.join(dir, 'icms.yaml'),
    `advisories:\n  sources:\n    - {name: osv-demo, type: osv, path: ${path.join(FIXTURES, 'demo/osv')}}\n${extraConfig}`,
  );
  return { dir, remotes };
}
