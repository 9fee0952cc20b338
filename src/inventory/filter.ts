/** The allowlist of hosts and organisations: projects outside it are skipped and counted. */
import type { Project } from '../model/types.js';
import { parseRepoUrl } from '../model/repo-url.js';

export interface Allowlist {
  domains: readonly string[];
  organizations: readonly string[];
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
