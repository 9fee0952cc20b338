/** The allowlist of hosts and organisations: projects outside it are skipped and counted. */
import type { Project } from '../model/types.js';
import { parseRepoUrl } from '../model/repo-url.js';

export interface Allowlist {
  domains: readonly string[];
  organizations: readonly string[];
  /** Whether a remote inventory (the ops API) may name local repositories (`file://`). */
  local?: boolean;
}

/**
 * Refuses the local repositories (`file://`, named by a path on this machine) a remote inventory names: an API
 * must not point icms at the file system unless `inventory.allow.local` says so. Returns the others and a warning
 * per refused one.
 */
export function refuseLocalRepos(projects: readonly Project[], allow: Allowlist): { kept: Project[]; warnings: string[] } {
  if (allow.local) return { kept: [...projects], warnings: [] };
  const kept: Project[] = [];
  const warnings: string[] = [];
  for (const p of projects) {
    if (p.kind === 'repo' && (/^file:/i.test(p.url) || parseRepoUrl(p.url)?.host === 'local')) {
      warnings.push(`ops inventory: ${p.url} is a local repository: refused from the ops API (set inventory.allow.local to allow)`);
    } else kept.push(p);
  }
  return { kept, warnings };
}

export interface SkippedProject {
  url: string;
  branch: string;
  reason: string;
}

/** Splits projects into kept and skipped (with the reason) by host and owner, case-insensitively. */
export function filterProjects(projects: readonly Project[], allow: Allowlist): { kept: Project[]; skipped: SkippedProject[] } {
  const domains = new Set(allow.domains.map((d) => d.toLowerCase()));
  const orgs = new Set(allow.organizations.map((o) => o.toLowerCase()));
  const kept: Project[] = [];
  const skipped: SkippedProject[] = [];
  for (const p of projects) {
    if (p.kind === 'local') {
      kept.push(p); // an SBOM entry: the allowlist is about repository hosts
      continue;
    }
    // an inventory image is allowed when the repository it is listed under is
    const parts = parseRepoUrl(p.kind === 'image' ? (p.labels.repo ?? p.url) : p.url);
    const host = parts?.host ?? '';
    const owner = (parts?.segments[0] ?? '').toLowerCase();
    if (domains.size > 0 && !domains.has(host)) {
      skipped.push({ url: p.url, branch: p.branch, reason: `host ${host || '?'} not in inventory.allow.domains` });
    } else if (orgs.size > 0 && !orgs.has(owner)) {
      skipped.push({ url: p.url, branch: p.branch, reason: `organisation ${owner || '?'} not in inventory.allow.organizations` });
    } else {
      kept.push(p);
    }
  }
  return { kept, skipped };
}
