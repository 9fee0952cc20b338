/** Merging of duplicate inventory entries and maintainer address checks. */
import type { Maintainer, Project } from '../model/types.js';
import { repoIdentity } from '../model/repo-url.js';

/**
 * Merges entries for the same repository and branch — whatever form the URL takes (https, scp-style ssh,
 * ssh://; see repoIdentity) — into one project (the first entry's URL is the one cloned), maintainers united
 * (by email, case-insensitive).
 */
export function mergeProjects(projects: readonly Project[]): Project[] {
  const byKey = new Map<string, Project>();
  for (const p of projects) {
    const key = `${p.kind}\0${(p.kind === 'repo' ? repoIdentity(p.url) : undefined) ?? p.url}\0${p.branch}`;
    const existing = byKey.get(key);
    if (!existing) {
      byKey.set(key, { ...p, maintainers: uniqueMaintainers(p.maintainers), labels: { ...p.labels } });
      continue;
    }
    existing.maintainers = uniqueMaintainers([...existing.maintainers, ...p.maintainers]);
    existing.labels = { ...existing.labels, ...p.labels };
  }
  return [...byKey.values()];
}

function uniqueMaintainers(list: readonly Maintainer[]): Maintainer[] {
  const seen = new Map<string, Maintainer>();
  for (const m of list) {
    const key = m.email.toLowerCase();
    if (!seen.has(key)) seen.set(key, { name: m.name, email: m.email.trim() });
  }
  return [...seen.values()].sort((a, b) => a.email.localeCompare(b.email));
}

const EMAIL = /^[^\s@<>()"',;:]+@[^\s@<>()"',;:]+\.[^\s@<>()"',;:]+$/;

/** True for a plausible single email address (no display name, no CR/LF, no separators). */
export function isEmail(s: string): boolean {
  return EMAIL.test(s) && s.length <= 254;
}
