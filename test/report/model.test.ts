import { describe, it, expect } from 'vitest';
import { buildReport, type ReportData } from '../../src/report/model.js';
import { groupFindings } from '../../src/report/summary.js';
import { trendPoints } from '../../src/report/trend.js';
import { DAY4, makeStore } from './store.js';

const q = { status: 'open' as const, trendDays: 5, now: DAY4 };

/** Findings of `severity` open at trend point `i`, from their spans (as the dashboard adds them up). */
function openAt(r: ReportData, i: number, severity: string): number {
  return r.findings.filter((f) => {
    if (f.severity !== severity) return false;
    const s = r.trend.spans.get(f.id) ?? [];
    return s.filter((p) => p <= i).length % 2 === 1;
  }).length;
}

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

  it('without a fix for every finding, no upgrade clears all, and the highest fix clears the fixable ones (upgradeTarget)', async () => {
    const { db } = await makeStore();
    db.prepare("UPDATE findings SET status = 'open', fixed_at = NULL, fixed_version = NULL WHERE group_id = 'CVE-2020-28168'").run();
    const axios = buildReport(db, q).findings.filter((f) => f.package === 'axios');
    expect(axios.map((f) => [f.groupId, f.fixedVersion, f.upgrade, f.upgradeTarget])).toEqual([
      ['CVE-2021-3749', '0.21.2', null, '0.21.2'],
      ['CVE-2020-28168', null, null, null],
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

  it('the trend counts open findings at the end of each day from their status changes, carried over days without a run', async () => {
    const { db } = await makeStore();
    const r = buildReport(db, { ...q, status: 'all' });
    // window: 2024-05-29 .. 2024-06-02; the first run is on 05-30; the last point is now (06-02 06:00, the last run)
    expect(r.trend.perRun).toBe(false);
    expect(r.trend.points.map((p) => p.label)).toEqual(['2024-05-30', '2024-05-31', '2024-06-01', '2024-06-02']);
    expect(r.trend.points.map((_, i) => [openAt(r, i, 'CRITICAL'), openAt(r, i, 'HIGH'), openAt(r, i, 'MEDIUM')])).toEqual([
      [1, 2, 1],
      [1, 1, 1], // lodash accepted
      [1, 1, 1], // no run: carried
      [1, 1, 0], // axios CVE-2020-28168 fixed
    ]);
  });

  it('a report of one project counts only its findings in the trend', async () => {
    const { db, search } = await makeStore();
    const r = buildReport(db, { ...q, status: 'all', projectIds: [search] });
    expect(r.trend.points.map((_, i) => openAt(r, i, 'CRITICAL') + openAt(r, i, 'HIGH'))).toEqual([1, 1, 1, 1]);
  });

  it.each([
    ['no runs: no points', [], { perRun: false, labels: [] }],
    ['runs on one day: a point per run', [{ runId: 1, at: '2024-01-03T08:00:00.000Z' }, { runId: 2, at: '2024-01-03T10:30:00.000Z' }], { perRun: true, labels: ['2024-01-03 08:00', '2024-01-03 10:30'] }],
    ['one run: one point', [{ runId: 1, at: '2024-01-03T08:00:00.000Z' }], { perRun: true, labels: ['2024-01-03 08:00'] }],
    ['a run before the window carries into its first day', [{ runId: 1, at: '2024-01-01T00:00:00.000Z' }], { perRun: false, labels: ['2024-01-02', '2024-01-03'] }],
    ['runs on two days: a point per day', [{ runId: 1, at: '2024-01-02T23:00:00.000Z' }, { runId: 2, at: '2024-01-03T01:00:00.000Z' }], { perRun: false, labels: ['2024-01-02', '2024-01-03'] }],
  ])('trend points: %s', (_, runs, want) => {
    const t = trendPoints(runs, new Date('2024-01-03T12:00:00Z'), 2);
    expect({ perRun: t.perRun, labels: t.points.map((p) => p.label) }).toEqual(want);
    if (!t.perRun && t.points.length > 0) expect(t.points.at(-1)!.at).toBe('2024-01-03T12:00:00.000Z'); // today: as of now
  });

  it('groups', async () => {
    const { db } = await makeStore();
    const r = buildReport(db, { ...q, status: 'all' });
    expect(groupFindings(r.findings, 'maintainer').map((g) => [g.key, g.total])).toEqual([
      ['web@acme.example', 4],
      ['search@acme.example', 1],
    ]);
  });
});
