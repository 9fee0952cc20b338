/** The compact JSON the dashboard script reads: arrays instead of objects, projects and reasons stored once. */
import { SEVERITIES } from '../../model/types.js';
import type { ReportData } from '../model.js';

/** Positions inside one encoded finding (the dashboard script uses the same numbers). */
export const F = { project: 0, ecosystem: 1, package: 2, version: 3, group: 4, advisoryIds: 5, aliases: 6, severity: 7, cvss: 8, fixed: 9, upgrade: 10, status: 11, firstSeen: 12, lastSeen: 13, targets: 14, reason: 15, acceptance: 16, note: 17, kevAdded: 18, epss: 19 } as const;

/** The dashboard payload: small enough to embed 100k findings in one file. */
export interface DashboardData {
  generatedAt: string;
  defaultStatus: string;
  severities: readonly string[];
  projects: [name: string, url: string, maintainers: string[]][];
  advisories: Record<string, [summary: string, details: string, aliases: string[], references: [type: string, url: string][]]>;
  reasons: unknown[];
  findings: unknown[][];
}

/** Encodes the report data for the dashboard. */
export function dashboardData(data: ReportData): DashboardData {
  const projectIndex = new Map<string, number>();
  const projects: DashboardData['projects'] = [];
  const addProject = (name: string, url: string, maintainers: string[]): number => {
    let i = projectIndex.get(name);
    if (i === undefined) {
      i = projects.push([name, url, maintainers]) - 1;
      projectIndex.set(name, i);
    }
    return i;
  };
  for (const p of data.projects) addProject(p.name, p.url, p.maintainers.map((m) => m.email));
  const reasonIndex = new Map<string, number>();
  const reasons: unknown[] = [];
  const findings = data.findings.map((f) => {
    const key = JSON.stringify(f.reason);
    let ri = reasonIndex.get(key);
    if (ri === undefined) {
      ri = reasons.push(f.reason) - 1;
      reasonIndex.set(key, ri);
    }
    return [addProject(f.project, f.projectUrl, f.maintainers), f.ecosystem, f.package, f.version, f.groupId, f.advisoryIds, f.aliases, SEVERITIES.indexOf(f.severity), f.cvssScore, f.fixedVersion, f.upgrade, f.status, f.firstSeen, f.lastSeen, f.targets, ri, f.acceptance?.reason ?? null, f.statusNote, f.kev ? (f.kev.date_added ?? '?') : null, f.epss?.score ?? null];
  });
  const advisories: DashboardData['advisories'] = {};
  for (const [id, a] of Object.entries(data.advisories)) advisories[id] = [a.summary ?? '', a.details ?? '', a.aliases, a.references.map((r) => [r.type, r.url])];
  const defaultStatus = data.filters.status === 'all' || data.filters.status === 'open' ? 'active' : 'all';
  return { generatedAt: data.generatedAt, defaultStatus, severities: SEVERITIES, projects, advisories, reasons, findings };
}
