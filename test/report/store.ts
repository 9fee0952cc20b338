/** A real SQLite store with two projects and three match runs on three days, for model and archive tests. */
import path from 'node:path';
import { openDb, type Db } from '../../src/db/open.js';
import { replaceInventory, listProjects } from '../../src/db/projects.js';
import { startRun } from '../../src/db/runs.js';
import { saveFindings } from '../../src/db/finding-writer.js';
import { insertAcceptance } from '../../src/db/acceptances.js';
import type { MatchedFinding } from '../../src/model/match.js';
import { tmpDir } from '../helpers/tmp.js';

export const DAY1 = new Date('2024-05-30T06:00:00Z');
export const DAY2 = new Date('2024-05-31T06:00:00Z');
export const DAY4 = new Date('2024-06-02T06:00:00Z');

function matched(projectId: number, pkg: string, version: string, groupId: string, severity: MatchedFinding['severity'], fixed: string | undefined, ecosystem = 'npm'): MatchedFinding {
  return {
    projectId, groupId, ecosystem, package: pkg, version, severity, cvssScore: undefined, cvssVector: undefined, fixedVersion: fixed, targets: ['yarn.lock'], aliases: [groupId],
    advisories: [{ id: groupId, source: 'osv-demo', severity, baseScore: undefined, fixed, reason: { kind: 'range', rangeType: 'SEMVER', events: [{ introduced: '0' }, ...(fixed ? [{ fixed }] : [])], scheme: ecosystem } }],
  };
}

/**
 * Day 1: web has axios (two advisories, fixed 0.21.1 and 0.21.2) and lodash (no fix); search has grep-cli.
 * Day 2: an acceptance covers lodash. Day 4: axios CVE-2020-28168 is gone (fixed). Day 3 has no run.
 */
export async function makeStore(): Promise<{ db: Db; file: string; web: number; search: number }> {
  const file = path.join(await tmpDir('icms-report-db-'), 'icms.db');
  const db = openDb(file);
  replaceInventory(db, [
    { kind: 'repo', url: 'https://github.com/acme/web', branch: 'main', maintainers: [{ name: 'Web Dev', email: 'web@acme.example' }], labels: {} },
    { kind: 'repo', url: 'https://github.com/acme/search', branch: 'main', maintainers: [{ name: 'Search Dev', email: 'search@acme.example' }, { name: 'Web Dev', email: 'web@acme.example' }], labels: {} },
  ], DAY1, 'test');
  const ps = listProjects(db);
  const web = ps.find((p) => p.url.endsWith('/web'))!.id;
  const search = ps.find((p) => p.url.endsWith('/search'))!.id;
  const all = [
    matched(web, 'axios', '0.19.0', 'CVE-2020-28168', 'MEDIUM', '0.21.1'),
    matched(web, 'axios', '0.19.0', 'CVE-2021-3749', 'HIGH', '0.21.2'),
    matched(web, 'lodash', '4.17.20', 'CVE-2021-23337', 'HIGH', undefined),
    matched(search, 'grep-cli', '0.1.4', 'CVE-2021-3013', 'CRITICAL', '0.1.6', 'crates.io'),
  ];
  const run = (at: Date, fs: MatchedFinding[]) => saveFindings(db, fs, { now: at, runId: startRun(db, { command: 'match', at }), projectIds: [web, search] });
  run(DAY1, all);
  insertAcceptance(db, { advisoryId: 'CVE-2021-23337', kind: 'accepted', projectId: web, allProjects: false, package: null, packageVersion: null, reason: 'lodash.template is never called', expires: null, createdBy: 'sec' }, DAY2);
  run(DAY2, all);
  run(DAY4, all.slice(1));
  return { db, file, web, search };
}
