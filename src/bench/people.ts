/**
 * The synthetic portfolio's projects and maintainers, the same for the stored portfolio (match, notify, report)
 * and the inventory YAML that `fetch-projects` imports: about one maintainer per 10 projects, every fourth
 * project with a second maintainer, a lead who is on ~50 projects. Per-maintainer load stays the same at every
 * portfolio size, so a digest costs the same at 10% and at 100%.
 */
import type { Maintainer, Project } from '../model/types.js';

/** Projects per team maintainer; projects per lead (every fourth project has a lead as its second maintainer). */
const PROJECTS_PER_DEV = 10;
const PROJECTS_PER_LEAD = 50;

/** The URL of synthetic project `i` (already in the normalised form `fetch-projects` stores). */
export function benchProjectUrl(i: number): string {
  return `https://git.example.invalid/bench/p${String(i).padStart(5, '0')}`;
}

/** `n` projects with their maintainers (deterministic). */
export function benchProjects(n: number): Project[] {
  const devs = Math.max(1, Math.round(n / PROJECTS_PER_DEV));
  const leads = Math.max(1, Math.round(n / (4 * PROJECTS_PER_LEAD)));
  const dev = (k: number): Maintainer => ({ name: `Dev ${k}`, email: `dev${k}@bench.example.com` });
  const lead = (k: number): Maintainer => ({ name: `Lead ${k}`, email: `lead${k}@bench.example.com` });
  return Array.from({ length: n }, (_, i) => ({
    kind: 'repo',
    url: benchProjectUrl(i),
    branch: 'main',
    maintainers: i % 4 === 0 ? [dev(i % devs), lead((i / 4) % leads)] : [dev(i % devs)],
    labels: {},
  }));
}

/** The inventory file (`projects: [{url, branch, maintainers}]`) listing `projects`. */
export function inventoryYaml(projects: readonly Project[]): string {
  const entries = projects.map((p) => {
    const maint = p.maintainers.map((m) => `{name: ${JSON.stringify(m.name)}, email: ${JSON.stringify(m.email)}}`).join(', ');
    return `  - url: ${JSON.stringify(p.url)}\n    branch: ${JSON.stringify(p.branch)}\n    maintainers: [${maint}]\n`;
  });
  return `projects:\n${entries.join('')}`;
}

/** Distinct maintainer addresses of `projects`. */
export function maintainerCount(projects: readonly Project[]): number {
  return new Set(projects.flatMap((p) => p.maintainers.map((m) => m.email.toLowerCase()))).size;
}
