import { describe, it, expect } from 'vitest';
import { buildReport, trendFromStats } from '../../src/report/model.js';
import { groupFindings, topPackages } from '../../src/report/summary.js';
import { DAY4, makeStore } from './store.js';

const q = { status: 'open' as const, trendDays: 5, now: DAY4 };

describe('buildReport on a real store', () => {
  it('open findings, most severe first, with maintainers, the package upgrade and totals by status', async () => {
    const { db } = await makeStore();
    const r = buildReport(db, q);
    expect(r.findings.map((f) => [f.severity, f.package, f.groupId, f.status])).toEqual([
      ['CRITICAL', 'grep-cli', 'CVE-2021-3013', 'open'],
      ['HIGH', 'axios', 'CVE-2021-3749', 'open'],
    ]);
    expect(r.findings[1]).toMatchObject({ maintainers: ['web@acme.example'], upgrade: '0.21.2', fixedVersion: '0.21.2', projectUrl: 'https://github.com/acme/web' });
    expect(r.findings[0]!.maintainers).toEqual(['search@acme.example', 'web@acme.example']);
    expect(r.totals.byStatus).toEqual({ new: 0, open: 2, reopened: 0, fixed: 1, accepted: 1, false_positive: 0 });
    expect(r.totals).toMatchObject({ findings: 2, projects: 2 });
  });

  it('the upgrade clears every active finding of the package at once', async () => {
    const { db } = await makeStore();
    db.prepare("UPDATE findings SET status = 'open', fixed_at = NULL WHERE group_id = 'CVE-2020-28168'").run();
    const axios = buildReport(db, q).findings.filter((f) => f.package === 'axios');
    expect(axios.map((f) => [f.groupId, f.fixedVersion, f.upgrade])).toEqual([
      ['CVE-2021-3749', '0.21.2', '0.21.2'],
      ['CVE-2020-28168', '0.21.1', '0.21.2'],
    ]);
  });

  it.each([
    [{ status: 'accepted' as const }, ['lodash']],
    [{ status: 'fixed' as const }, ['axios']],
    [{ status: 'all' as const }, ['grep-cli', 'axios', 'lodash', 'axios']],
    [{ status: 'all' as const, severityMin: 'HIGH' as const }, ['grep-cli', 'axios', 'lodash']],
    [{ status: 'all' as const, maintainers: ['SEARCH@'] }, ['grep-cli']],
    [{ status: 'all' as const, maintainers: ['web dev'] }, ['grep-cli', 'axios', 'lodash', 'axios']],
  ])('filters %j', async (extra, packages) => {
    const { db } = await makeStore();
    expect(buildReport(db, { ...q, ...extra }).findings.map((f) => f.package)).toEqual(packages);
  });

  it('shows the acceptance reason of accepted findings', async () => {
    const { db } = await makeStore();
    const [lodash] = buildReport(db, { ...q, status: 'accepted' }).findings;
    expect(lodash!.acceptance).toMatchObject({ kind: 'accepted', reason: 'lodash.template is never called', createdBy: 'sec' });
    expect(lodash!.upgrade).toBeNull();
  });

  it('restricts to project ids and keeps the projects in scope with their latest scan (none here)', async () => {
    const { db, search } = await makeStore();
    const r = buildReport(db, { ...q, status: 'all', projectIds: [search] });
    expect(r.findings.map((f) => f.package)).toEqual(['grep-cli']);
    expect(r.projects.map((p) => [p.url, p.lastScan])).toEqual([['https://github.com/acme/search', null]]);
    expect(r.filters.projects).toEqual([r.findings[0]!.project]);
  });

  it('the trend counts open findings after each day’s last run, carried over days without one', async () => {
    const { db } = await makeStore();
    const t = buildReport(db, q).trend;
    // window: 2024-05-29 .. 2024-06-02; the first run is on 05-30
    expect(t.map((p) => [p.date, p.bySeverity.CRITICAL, p.bySeverity.HIGH, p.bySeverity.MEDIUM])).toEqual([
      ['2024-05-30', 1, 2, 1],
      ['2024-05-31', 1, 1, 1], // lodash accepted
      ['2024-06-01', 1, 1, 1], // no run: carried
      ['2024-06-02', 1, 1, 0], // axios CVE-2020-28168 fixed
    ]);
  });

  it('a run before the window carries into its first day', () => {
    const rows = [{ runId: 1, at: '2024-01-01T00:00:00Z', severity: 'HIGH', status: 'open', count: 3 }];
    expect(trendFromStats(rows, new Date('2024-01-03T12:00:00Z'), 2).map((p) => [p.date, p.bySeverity.HIGH])).toEqual([
      ['2024-01-02', 3],
      ['2024-01-03', 3],
    ]);
  });

  it('groups and top packages', async () => {
    const { db } = await makeStore();
    const r = buildReport(db, { ...q, status: 'all' });
    expect(groupFindings(r.findings, 'maintainer').map((g) => [g.key, g.total])).toEqual([
      ['web@acme.example', 4],
      ['search@acme.example', 1],
    ]);
    expect(topPackages(r, 5).map((p) => [p.package, p.projects, p.findings])).toEqual([
      ['grep-cli', 1, 1],
      ['axios', 1, 1],
    ]);
  });
});
