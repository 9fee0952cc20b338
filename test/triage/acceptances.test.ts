/**
 * Acceptances in the finding lifecycle, on a real SQLite file: saveFindings (match runs) and applyAcceptances
 * (accept/revoke) with alias groups as sync-vulns stores them.
 */
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { openDb, type Db } from '../../src/db/open.js';
import { saveAliasGroups } from '../../src/db/advisories.js';
import { listFindings, findingStatesAt, type FindingRow } from '../../src/db/findings.js';
import { saveFindings } from '../../src/db/finding-writer.js';
import { startRun } from '../../src/db/runs.js';
import { accept, revoke } from '../../src/triage/store.js';
import type { NewAcceptance } from '../../src/db/acceptances.js';
import type { MatchedFinding } from '../../src/model/match.js';
import { tmpDir } from '../helpers/tmp.js';
import { DAY0, day } from './pipeline.js';

async function setup(): Promise<{ db: Db; web: number; api: number }> {
  const db = openDb(path.join(await tmpDir(), 'icms.db'));
  const add = (name: string) => Number(db.prepare("INSERT INTO projects (url, name, source, first_seen, last_seen) VALUES (?, ?, 'file', 't', 't')").run(`https://git.example.com/${name}`, name).lastInsertRowid);
  // the alias groups sync-vulns computes for the axios and follow-redirects advisories of fixtures/demo/osv/npm
  saveAliasGroups(db, new Map([
    ['GHSA-cph5-m8f7-6c5x', 'CVE-2021-3749'], ['CVE-2021-3749', 'CVE-2021-3749'],
    ['GHSA-74fj-2j2h-c42q', 'CVE-2022-0155'], ['CVE-2022-0155', 'CVE-2022-0155'],
  ]));
  return { db, web: add('web'), api: add('api') };
}

const finding = (projectId: number, groupId: string, ghsa: string, pkg: string, version: string): MatchedFinding => ({
  projectId, groupId, ecosystem: 'npm', package: pkg, version, aliases: [ghsa, groupId], severity: 'HIGH', cvssScore: 7.5,
  cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', fixedVersion: undefined, targets: ['yarn.lock'],
  advisories: [{ id: ghsa, source: 'osv-demo', severity: 'HIGH', baseScore: 7.5, fixed: undefined, reason: { kind: 'versions', scheme: 'npm' } }],
});

function matchRun(db: Db, now: Date, found: MatchedFinding[], projectIds: number[]) {
  const runId = startRun(db, { command: 'match', at: now });
  return { runId, counts: saveFindings(db, found, { now, runId, projectIds, envScore: () => ({ score: 4.7, severity: 'MEDIUM' }) }) };
}

const byKey = (rows: FindingRow[]) => Object.fromEntries(rows.map((f) => [`${f.project} ${f.package} ${f.groupId}`, { status: f.status, note: f.statusNote, acc: f.acceptanceId }]));

const acceptance = (over: Partial<NewAcceptance>): NewAcceptance => ({
  advisoryId: 'GHSA-cph5-m8f7-6c5x', kind: 'accepted', projectId: null, allProjects: false, package: null, packageVersion: null,
  reason: 'only admins reach it', expires: null, createdBy: 'alice', ...over,
});

describe('acceptances in the lifecycle', () => {
  it('accepting the GHSA covers the CVE finding of the same alias group, in its project only', async () => {
    const { db, web, api } = await setup();
    const all = [finding(web, 'CVE-2021-3749', 'GHSA-cph5-m8f7-6c5x', 'axios', '0.19.0'), finding(api, 'CVE-2021-3749', 'GHSA-cph5-m8f7-6c5x', 'axios', '0.19.0')];
    matchRun(db, DAY0, all, [web, api]);
    const r = accept(db, acceptance({ projectId: web }), { now: DAY0, runId: null });
    expect(r.covered).toBe(1);
    expect(byKey(listFindings(db))).toEqual({
      'api axios CVE-2021-3749': { status: 'new', note: null, acc: null },
      'web axios CVE-2021-3749': { status: 'accepted', note: 'only admins reach it', acc: r.id },
    });
    // the next match keeps it accepted and does not count it as open
    const { counts } = matchRun(db, day(1), all, [web, api]);
    expect(counts).toMatchObject({ open: 1, accepted: 1, new: 0 });
    expect(listFindings(db).find((f) => f.projectId === web)).toMatchObject({ status: 'accepted', envScore: 4.7, envSeverity: 'MEDIUM' });
  });

  it('a new finding already covered is stored accepted, never new', async () => {
    const { db, web } = await setup();
    accept(db, acceptance({ allProjects: true, advisoryId: 'CVE-2021-3749' }), { now: DAY0, runId: null });
    const { counts } = matchRun(db, DAY0, [finding(web, 'CVE-2021-3749', 'GHSA-cph5-m8f7-6c5x', 'axios', '0.19.0')], [web]);
    expect(counts).toMatchObject({ new: 0, accepted: 1 });
    expect(listFindings(db)[0]).toMatchObject({ status: 'accepted', statusNote: 'only admins reach it' });
  });

  it('accepted today, expired tomorrow: the next match opens it again as "acceptance expired"', async () => {
    const { db, web } = await setup();
    const axios = [finding(web, 'CVE-2021-3749', 'GHSA-cph5-m8f7-6c5x', 'axios', '0.19.0')];
    matchRun(db, DAY0, axios, [web]);
    accept(db, acceptance({ projectId: web, expires: '2024-06-01' }), { now: DAY0, runId: null }); // DAY0 is 2024-06-01
    // still the expiry day (late evening UTC): active
    matchRun(db, new Date('2024-06-01T23:59:00Z'), axios, [web]);
    expect(listFindings(db)[0]!.status).toBe('accepted');
    const { runId, counts } = matchRun(db, day(1), axios, [web]);
    expect(counts).toMatchObject({ open: 1, accepted: 0 });
    expect(listFindings(db)[0]).toMatchObject({ status: 'open', statusNote: 'acceptance expired', acceptanceId: null });
    const events = db.prepare('SELECT from_status, to_status, note FROM finding_events WHERE run_id = ?').all(runId);
    expect(events).toEqual([{ from_status: 'accepted', to_status: 'open', note: 'acceptance expired' }]);
    expect(findingStatesAt(db, runId).get(listFindings(db)[0]!.id)).toBe('open');
  });

  it('revoking re-opens at once with "acceptance revoked"; a narrower false positive wins over a project-wide acceptance', async () => {
    const { db, web } = await setup();
    const found = [finding(web, 'CVE-2021-3749', 'GHSA-cph5-m8f7-6c5x', 'axios', '0.19.0'), finding(web, 'CVE-2022-0155', 'GHSA-74fj-2j2h-c42q', 'follow-redirects', '1.5.10')];
    matchRun(db, DAY0, found, [web]);
    const wide = accept(db, acceptance({ projectId: web, advisoryId: 'CVE-2022-0155', reason: 'wide' }), { now: DAY0, runId: null });
    const fp = accept(db, acceptance({ projectId: web, advisoryId: 'GHSA-74fj-2j2h-c42q', kind: 'false_positive', package: 'follow-redirects', packageVersion: '1.5.10', reason: 'no cookies' }), { now: DAY0, runId: null });
    expect(byKey(listFindings(db))['web follow-redirects CVE-2022-0155']).toEqual({ status: 'false_positive', note: 'no cookies', acc: fp.id });
    expect(revoke(db, fp.id, { now: DAY0, runId: null, by: 'bob' })).toEqual({ reopened: 0 }); // the wide one takes over
    expect(byKey(listFindings(db))['web follow-redirects CVE-2022-0155']).toEqual({ status: 'accepted', note: 'wide', acc: wide.id });
    expect(revoke(db, wide.id, { now: DAY0, runId: null, by: 'bob' })).toEqual({ reopened: 1 });
    expect(byKey(listFindings(db))['web follow-redirects CVE-2022-0155']).toEqual({ status: 'open', note: 'acceptance revoked', acc: null });
    expect(() => revoke(db, wide.id, { now: DAY0, runId: null, by: 'bob' })).toThrow(/no active acceptance/);
  });

  it('a package or version scope that does not fit covers nothing; a hand-set triage state without acceptance is kept', async () => {
    const { db, web } = await setup();
    matchRun(db, DAY0, [finding(web, 'CVE-2021-3749', 'GHSA-cph5-m8f7-6c5x', 'axios', '0.19.0')], [web]);
    expect(accept(db, acceptance({ projectId: web, package: 'axios', packageVersion: '0.21.1' }), { now: DAY0, runId: null }).covered).toBe(0);
    expect(accept(db, acceptance({ projectId: web, package: 'got' }), { now: DAY0, runId: null }).covered).toBe(0);
    db.prepare("UPDATE findings SET status = 'accepted'").run();
    matchRun(db, day(1), [finding(web, 'CVE-2021-3749', 'GHSA-cph5-m8f7-6c5x', 'axios', '0.19.0')], [web]);
    expect(listFindings(db)[0]!.status).toBe('accepted');
  });

  it('an accepted finding that disappears is fixed, and comes back accepted while the acceptance holds', async () => {
    const { db, web } = await setup();
    const axios = [finding(web, 'CVE-2021-3749', 'GHSA-cph5-m8f7-6c5x', 'axios', '0.19.0')];
    matchRun(db, DAY0, axios, [web]);
    accept(db, acceptance({ projectId: web }), { now: DAY0, runId: null });
    expect(matchRun(db, day(1), [], [web]).counts.fixed).toBe(1);
    expect(listFindings(db)[0]!.status).toBe('fixed');
    expect(matchRun(db, day(2), axios, [web]).counts).toMatchObject({ accepted: 1, reopened: 0 });
    expect(listFindings(db)[0]!.status).toBe('accepted');
  });
});
