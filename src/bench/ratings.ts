/**
 * The ratings census (issue 16): the shared repositories' recorded trivy reports stored as one project each, the
 * shared OSV corpus, NVD records and KEV catalog synced with the real sync, one real match, then per ecosystem how
 * many findings carry a severity, a KEV listing, and why the rest stay UNKNOWN.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { syncAdvisories } from '../advisories/sync.js';
import type { AdvisorySourceConfig } from '../advisories/config.js';
import { matchProjects } from '../matcher/match-projects.js';
import { listFindings } from '../db/findings.js';
import { openDb } from '../db/open.js';
import { replaceInventory } from '../db/projects.js';
import { startRun } from '../db/runs.js';
import { completeScan, startScan } from '../db/scans.js';
import { parseTrivyReport } from '../scanner/trivy-report.js';
import { silentLogger } from '../shared/log.js';
import type { BenchData } from './data.js';

/** Per ecosystem: findings, rated, KEV-listed, and the unrated ones by reason. */
export interface RatingsCensus {
  projects: number;
  byEcosystem: Record<string, { findings: number; rated: number; kev: number; unknown: Record<string, number> }>;
  /** A few unrated findings per reason, for the write-up. */
  samples: Record<string, string[]>;
  bySource: Record<string, number>;
}

/** Runs the census on the shared data (needs `<root>/nvd` and `<root>/kev`). */
export async function ratingsCensus(data: BenchData, dbFile: string, tmpDir: string, sources: { nvd: boolean; kev: boolean } = { nvd: true, kev: true }): Promise<RatingsCensus> {
  const db = openDb(dbFile);
  try {
    const now = new Date();
    const withReports = data.repos.filter((r) => data.trivyReports.includes(path.join(r.dir, 'trivy.json')));
    replaceInventory(db, withReports.map((r) => ({ kind: 'repo' as const, url: `https://github.com/${r.name.replace('__', '/').replace(/@.*$/, '')}`, branch: 'main', maintainers: [], labels: {} })), now, 'census');
    const ids = db.prepare("SELECT id FROM projects WHERE status = 'active' ORDER BY url").pluck().all() as number[];
    const byUrl = new Map((db.prepare('SELECT url, id FROM projects').all() as { url: string; id: number }[]).map((r) => [r.url, r.id]));
    for (const r of withReports) {
      const id = byUrl.get(`https://github.com/${r.name.replace('__', '/').replace(/@.*$/, '')}`)!;
      const file = path.join(r.dir, 'trivy.json');
      const report = parseTrivyReport(JSON.parse(readFileSync(file, 'utf8')) as unknown, { where: file });
      completeScan(db, id, startScan(db, { projectId: id, startedAt: now }), report.packages, { finishedAt: now, commitSha: 'census', durationMs: 0 });
    }
    const http = { timeoutMs: 30_000, retries: 0, backoffMs: 0 };
    const cfg: AdvisorySourceConfig[] = [{ name: 'osv', type: 'osv', path: data.osvDir, ...http }];
    if (sources.nvd) cfg.push({ name: 'nvd', type: 'nvd', path: path.join(data.root, 'nvd'), pageSize: 2000, rateWindowMs: 30_000, ...http });
    if (sources.kev) cfg.push({ name: 'kev', type: 'kev', path: path.join(data.root, 'kev', 'known_exploited_vulnerabilities.json'), ...http });
    await syncAdvisories(db, cfg, { logger: silentLogger, now: () => now, tmpDir });
    await matchProjects(db, ids, { now, runId: startRun(db, { command: 'match', at: now }), logger: silentLogger, mode: 'inline' });
    const nvd = db.prepare("SELECT cvss, (SELECT json_extract(raw, '$.vulnStatus') FROM advisory_raw WHERE advisory_rowid = a.id) AS status FROM advisories a WHERE source = 'nvd' AND advisory_id = ?");
    const census: RatingsCensus = { projects: ids.length, byEcosystem: {}, samples: {}, bySource: {} };
    for (const f of listFindings(db)) {
      const eco = f.ecosystem.split(':')[0]!;
      const e = (census.byEcosystem[eco] ??= { findings: 0, rated: 0, kev: 0, unknown: {} });
      e.findings++;
      if (f.kev) e.kev++;
      if (f.severity !== 'UNKNOWN') {
        e.rated++;
        const src = f.severitySource?.replace(/:.*/, '') ?? '?';
        const kind = f.severitySource?.includes('GHSA-') ? `${src} (GHSA)` : src;
        census.bySource[kind] = (census.bySource[kind] ?? 0) + 1;
        continue;
      }
      const cves = [...new Set([f.groupId, ...f.aliases])].filter((a) => /^CVE-\d+-\d+$/.test(a));
      const records = cves.map((c) => nvd.get(c) as { cvss: string; status: string | null } | undefined);
      const present = records.filter((r): r is { cvss: string; status: string | null } => r !== undefined);
      const reason =
        cves.length === 0 ? `no CVE alias, its ${[...new Set([f.groupId, ...f.aliases].map((a) => a.replace(/-.*/, '')))].sort().join('/')} records rate nothing`
        : present.length === 0 ? 'CVE not in the NVD data'
        : present.some((r) => r.cvss !== '[]') ? 'NVD rates it, yet unrated (a bug)'
        : `NVD has not rated it yet (${[...new Set(present.map((r) => r.status ?? '?'))].join(', ')})`;
      e.unknown[reason] = (e.unknown[reason] ?? 0) + 1;
      const list = (census.samples[reason] ??= []);
      const label = `${f.groupId} (${eco} ${f.package})`;
      if (list.length < 6 && !list.includes(label)) list.push(label);
    }
    return census;
  } finally {
    db.close();
  }
}
