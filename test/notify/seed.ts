/**
 * A small portfolio in a real SQLite file: projects, maintainers, advisories and findings inserted with SQL.
 * The two axios advisories are real OSV records (fixtures/notify/osv); the others are synthetic, among them
 * a hostile advisory title and a maintainer/project name carrying a header-injection attempt.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openDb, type Db } from '../../src/db/open.js';
import { insertFindingDetails } from '../../src/db/finding-writer.js';
import { tmpDir } from '../helpers/tmp.js';

export const HOSTILE_TITLE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"';
export const HOSTILE_NAME = 'Mallory\r\nBcc: victim@evil.test';
export const HOSTILE_PROJECT = 'evil\r\nBcc: victim2@evil.test';
/** The clock of the seeded day (findings first seen days before). */
export const DAY1 = new Date('2024-03-10T06:00:00Z');

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/notify/osv');

interface OsvRecord {
  id: string;
  aliases: string[];
  summary: string;
  affected: { ranges: { events: Record<string, string>[] }[] }[];
}

function osv(id: string): OsvRecord {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${id}.json`), 'utf8')) as OsvRecord;
}

function fixedOf(r: OsvRecord): string {
  return r.affected[0]!.ranges[0]!.events.find((e) => e.fixed)!.fixed!;
}

export interface Seeded {
  file: string;
  dir: string;
  db: Db;
  /** Finding ids by label. */
  f: Record<string, number>;
}

/** Creates the portfolio in a temp dir (the DB stays open; close it or let the test end). */
export async function seedDb(): Promise<Seeded> {
  const dir = await tmpDir('icms-notify-');
  const file = path.join(dir, 'icms.db');
  const db = openDb(file);
  const at = '2024-03-01T00:00:00Z';
  db.prepare("INSERT INTO runs (id, command, started_at, status) VALUES (1, 'match', '2024-03-01T00:00:00Z', 'ok'), (2, 'match', '2024-03-09T00:00:00Z', 'ok')").run();
  db.prepare("INSERT INTO match_stats (run_id, at, severity, status, count) VALUES (1, ?, 'HIGH', 'new', 1), (2, ?, 'HIGH', 'new', 1)").run(at, at);
  const project = db.prepare("INSERT INTO projects (id, url, branch, name, source, status, first_seen, last_seen) VALUES (?, ?, ?, ?, 'file', ?, ?, ?)");
  project.run(1, 'https://git.example.com/team/web-frontend', 'main', 'team/web-frontend', 'active', at, at);
  project.run(2, 'https://git.example.com/team/issue-board', 'release/2.x', 'team/issue-board', 'active', at, at);
  project.run(3, 'https://git.example.com/evil/evil', 'main', HOSTILE_PROJECT, 'active', at, at);
  project.run(4, 'https://git.example.com/team/quiet-lib', 'main', 'team/quiet-lib', 'active', at, at);
  project.run(5, 'https://git.example.com/team/old-app', 'main', 'team/old-app', 'removed', at, at);
  const maint = db.prepare('INSERT INTO maintainers (id, email, name) VALUES (?, ?, ?)');
  maint.run(1, 'alice@example.com', 'Alice Liddell');
  maint.run(2, 'bob@example.com', 'Bob Builder');
  maint.run(3, 'mallory@example.com', HOSTILE_NAME);
  maint.run(4, 'carol@example.com', 'Carol Quiet');
  const link = db.prepare('INSERT INTO project_maintainers (project_id, maintainer_id) VALUES (?, ?)');
  for (const [p, m] of [[1, 1], [1, 2], [2, 2], [3, 3], [4, 4], [5, 1]] as const) link.run(p, m);

  const adv = db.prepare("INSERT INTO advisories (source, advisory_id, modified, summary, severity, aliases) VALUES (?, ?, '2024-01-01T00:00:00Z', ?, ?, ?)");
  const ssrf = osv('GHSA-4w2v-q235-vp99'); // CVSS 3.1 AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N = 5.9 MEDIUM
  const redos = osv('GHSA-cph5-m8f7-6c5x'); // CVSS 3.1 AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H = 7.5 HIGH
  adv.run('osv-npm', ssrf.id, ssrf.summary, 'MEDIUM', JSON.stringify(ssrf.aliases));
  adv.run('osv-npm', redos.id, redos.summary, 'HIGH', JSON.stringify(redos.aliases));
  adv.run('osv-go', 'GO-2099-0001', 'x/net: synthetic critical for tests', 'CRITICAL', '["CVE-2099-0001"]');
  adv.run('evil-src', 'EVIL-2099-0001', HOSTILE_TITLE, 'HIGH', '[]');

  db.prepare("INSERT INTO acceptances (id, advisory_id, kind, project_id, reason, expires, created_at) VALUES (1, 'CVE-2099-0002', 'accepted', 2, 'parser not reachable from user input', '2099-01-01', ?), (2, 'CVE-2099-0003', 'accepted', 1, 'dev dependency only', '2024-03-01', ?)").run(at, at);
  const finding = db.prepare(`INSERT INTO findings (id, project_id, group_id, ecosystem, package, version, details_id, severity, env_severity, fixed_version, status, status_note, acceptance_id, first_seen, last_seen, fixed_at, last_run_id)
    VALUES (@id, @p, @group, @eco, @pkg, @ver, @details, @sev, @env, @fix, @status, @note, @acc, @first, @last, @fixedAt, @run)`);
  const base = { env: null, note: null, acc: null, fixedAt: null, last: '2024-03-09T00:00:00Z', run: 2 };
  const refs = (id: string, source: string) => JSON.stringify([{ id, source }]);
  const rows = {
    axiosSsrf: { ...base, id: 1, p: 1, group: 'CVE-2020-28168', eco: 'npm', pkg: 'axios', ver: '0.21.0', ids: `["${ssrf.id}"]`, aliases: JSON.stringify([ssrf.id, ...ssrf.aliases]), sev: 'MEDIUM', fix: fixedOf(ssrf), reason: refs(ssrf.id, 'osv-npm'), status: 'open', first: '2024-03-01T00:00:00Z', run: 1 },
    axiosRedos: { ...base, id: 2, p: 1, group: 'CVE-2021-3749', eco: 'npm', pkg: 'axios', ver: '0.21.0', ids: `["${redos.id}"]`, aliases: JSON.stringify([redos.id, ...redos.aliases]), sev: 'HIGH', env: 'MEDIUM', fix: fixedOf(redos), reason: refs(redos.id, 'osv-npm'), status: 'new', first: '2024-03-09T00:00:00Z' },
    netCritical: { ...base, id: 3, p: 2, group: 'CVE-2099-0001', eco: 'Go', pkg: 'golang.org/x/net', ver: '0.1.0', ids: '["GO-2099-0001"]', aliases: '["GO-2099-0001","CVE-2099-0001"]', sev: 'CRITICAL', fix: '0.7.0', reason: refs('GO-2099-0001', 'osv-go'), status: 'new', first: '2024-03-09T00:00:00Z' },
    accepted: { ...base, id: 4, p: 2, group: 'CVE-2099-0002', eco: 'Go', pkg: 'golang.org/x/text', ver: '0.3.0', ids: '["CVE-2099-0002"]', aliases: '["CVE-2099-0002"]', sev: 'HIGH', fix: '0.3.8', reason: refs('CVE-2099-0002', 'osv-go'), status: 'accepted', note: 'parser not reachable from user input', acc: 1, first: '2024-02-01T00:00:00Z', run: 1 },
    expired: { ...base, id: 5, p: 1, group: 'CVE-2099-0003', eco: 'npm', pkg: 'jest', ver: '1.0.0', ids: '["CVE-2099-0003"]', aliases: '["CVE-2099-0003"]', sev: 'LOW', fix: '1.0.1', reason: refs('CVE-2099-0003', 'osv-npm'), status: 'accepted', note: 'dev dependency only', acc: 2, first: '2024-01-01T00:00:00Z', run: 1 },
    hostile: { ...base, id: 6, p: 3, group: 'EVIL-2099-0001', eco: 'npm', pkg: 'evil-pkg', ver: '1.0.0', ids: '["EVIL-2099-0001"]', aliases: '["EVIL-2099-0001"]', sev: 'HIGH', fix: null, reason: refs('EVIL-2099-0001', 'evil-src'), status: 'new', first: '2024-03-09T00:00:00Z' },
    quietFixed: { ...base, id: 7, p: 4, group: 'CVE-2099-0004', eco: 'npm', pkg: 'lodash', ver: '4.17.20', ids: '["CVE-2099-0004"]', aliases: '["CVE-2099-0004"]', sev: 'HIGH', fix: '4.17.21', reason: refs('CVE-2099-0004', 'osv-npm'), status: 'fixed', first: '2024-01-01T00:00:00Z', fixedAt: '2024-03-09T00:00:00Z' },
    removedProject: { ...base, id: 8, p: 5, group: 'CVE-2099-0005', eco: 'npm', pkg: 'left-pad', ver: '1.0.0', ids: '["CVE-2099-0005"]', aliases: '["CVE-2099-0005"]', sev: 'CRITICAL', fix: '1.0.1', reason: refs('CVE-2099-0005', 'osv-npm'), status: 'new', first: '2024-03-09T00:00:00Z' },
  };
  const event = db.prepare("INSERT INTO finding_events (finding_id, run_id, at, from_status, to_status) VALUES (?, ?, ?, NULL, 'new')");
  for (const r of Object.values(rows)) {
    const { ids, aliases, reason, ...row } = r;
    finding.run({ ...row, details: insertFindingDetails(db, { advisoryIds: ids, aliases, cvssVector: null, reason }) });
    event.run(r.id, r.status === 'new' ? r.run : 1, r.first);
  }
  return { file, dir, db, f: Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, v.id])) };
}
