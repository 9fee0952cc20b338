import { describe, expect, it } from 'vitest';
import { listNotifyFindings, listRecipients, notifyFindingReader } from '../../src/db/notify-findings.js';
import { ageDays, buildDigests, digestBuilder, digestSubject, isAcceptanceExpired, type Digest } from '../../src/notify/digest.js';
import { buildAlert, renderAlert } from '../../src/notify/alert.js';
import { findingsNewInRuns, projectOwners, latestMatchRunId } from '../../src/db/notify-findings.js';
import { DAY1, HOSTILE_NAME, seedDb } from './seed.js';

const ids = (rows: { id: number }[]) => rows.map((r) => r.id);

async function digests(previous = new Map<string, number[]>(), now = DAY1) {
  const s = await seedDb();
  const out = buildDigests({ recipients: listRecipients(s.db), findings: listNotifyFindings(s.db), previous, now });
  const by = (email: string): Digest => out.find((d) => d.recipient.email === email)!;
  return { s, out, by };
}

describe('buildDigests', () => {
  it('digestBuilder builds, one recipient at a time, the digests buildDigests gives (what notify sends one by one)', async () => {
    const { s, out } = await digests(new Map([['bob@example.com', [1, 2]]]));
    const build = digestBuilder(listNotifyFindings(s.db), DAY1);
    const previous = new Map([['bob@example.com', [1, 2]]]);
    expect(listRecipients(s.db).map((r) => build(r, previous.get(r.email.toLowerCase())))).toEqual(out);
  });

  it('the reader notify uses per recipient gives the same findings as the whole list, narrowed to projects or ids', async () => {
    const s = await seedDb();
    const all = listNotifyFindings(s.db);
    const read = notifyFindingReader(s.db);
    expect([...read()]).toEqual(all);
    for (const r of listRecipients(s.db)) {
      const projects = new Set(r.projects.map((p) => p.id));
      const mine = [...read({ projectIds: [...projects] })];
      expect(mine).toEqual(all.filter((f) => projects.has(f.projectId)));
      expect(mine.length).toBeGreaterThan(0);
    }
    const some = [s.f.axiosSsrf!, s.f.netCritical!];
    expect([...read({ ids: some })]).toEqual(all.filter((f) => some.includes(f.id)));
    expect([...read({ ids: [] })]).toEqual([]);
  });

  it('a project with thousands of findings: every one in its maintainer digest, grouped per package for the upgrades', () => {
    const finding = (i: number) => ({
      id: i + 1, projectId: 7, project: 'team/monorepo', branch: 'main', ecosystem: 'npm', package: `pkg-${i % 500}`, version: '1.0.0', groupId: `CVE-2024-${i}`,
      advisories: [{ id: `CVE-2024-${i}`, source: 'osv' }], aliases: [], severity: 'HIGH' as const, envSeverity: null, fixedVersion: `1.0.${1 + (i % 7)}`, status: 'new' as const,
      statusNote: null, acceptanceExpires: null, acceptanceReason: null, firstSeen: '2024-03-01T00:00:00Z', fixedAt: null, lastRunId: 1, title: null,
    });
    const findings = Array.from({ length: 5000 }, (_, i) => finding(i));
    const [d] = buildDigests({ recipients: [{ name: 'Ann', email: 'ann@example.com', projects: [{ id: 7, name: 'team/monorepo' }] }], findings, previous: new Map(), now: DAY1 });
    expect(d!.sections.new).toHaveLength(5000);
    expect(d!.findingIds).toEqual(findings.map((f) => f.id));
    expect(d!.items).toHaveLength(500);
    expect(d!.items.every((u) => u.findings.length === 10 && u.upgrade === '1.0.7')).toBe(true);
  });

  it('gives each maintainer of an active project one digest with only their projects', async () => {
    const { out, by } = await digests();
    expect(out.map((d) => d.recipient.email).sort()).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com', 'mallory@example.com']);
    // Alice also maintains the removed team/old-app: neither it nor its critical finding appears
    expect(by('alice@example.com').projects).toEqual(['team/web-frontend']);
    expect(by('bob@example.com').projects).toEqual(['team/issue-board', 'team/web-frontend']);
    expect(by('mallory@example.com').recipient.name).toBe(HOSTILE_NAME);
  });

  it('without a previous digest everything open is new; sections sorted by severity then age', async () => {
    const { s, by } = await digests();
    const bob = by('bob@example.com');
    // critical first; then the two axios findings (effective MEDIUM: the ReDoS one is HIGH with env MEDIUM), older first
    expect(ids(bob.sections.new)).toEqual([s.f.netCritical, s.f.axiosSsrf, s.f.axiosRedos]);
    expect(bob.sections.open).toEqual([]);
    expect(ids(bob.sections.expired)).toEqual([s.f.expired]);
    expect(ids(bob.sections.accepted)).toEqual([s.f.accepted]);
    expect(bob.sections.fixed).toEqual([]);
    expect(bob.counts).toMatchObject({ CRITICAL: 1, HIGH: 0, MEDIUM: 2, LOW: 1 });
    expect(bob.findingIds).toEqual([s.f.axiosSsrf, s.f.axiosRedos, s.f.netCritical, s.f.expired].map(Number).sort((a, b) => a - b));
    expect(digestSubject(bob)).toBe('[icms] 3 new, 4 open advisories in your projects (1 CRITICAL, 1 acceptance expired)');
  });

  it('splits new from still open by the previous digest, and lists what got fixed since', async () => {
    const { s, by } = await digests(new Map([['carol@example.com', [7]], ['alice@example.com', [1]]]));
    const alice = by('alice@example.com');
    expect(ids(alice.sections.new)).toEqual([s.f.axiosRedos]);
    expect(ids(alice.sections.open)).toEqual([s.f.axiosSsrf]);
    expect(digestSubject(alice)).toBe('[icms] 1 new, 3 open advisories in your projects (1 acceptance expired)');
    expect(alice.summary).toEqual({ open: 3, new: 1, fixed: 0, oldestDays: 69, exploited: 0, packages: 2, projects: 1 });
    const carol = by('carol@example.com');
    expect(ids(carol.sections.fixed)).toEqual([s.f.quietFixed]);
    expect(carol.isEmpty).toBe(true);
    expect(digestSubject(carol)).toBe('[icms] no open advisories in your projects');
  });

  it('names one upgrade per package that clears all its advisories (axios 0.21.1 and 0.21.2 -> 0.21.2)', async () => {
    const { s, by } = await digests();
    const items = by('alice@example.com').items;
    expect(items.map((i) => ({ project: i.project, package: i.package, version: i.version, upgrade: i.upgrade, advisories: i.findings.map((f) => f.id) }))).toEqual([
      { project: 'team/web-frontend @ main', package: 'axios', version: '0.21.0', upgrade: '0.21.2', advisories: [s.f.axiosSsrf, s.f.axiosRedos] },
      { project: 'team/web-frontend @ main', package: 'jest', version: '1.0.0', upgrade: '1.0.1', advisories: [s.f.expired] },
    ]);
    expect(items[0]).toMatchObject({ worst: 'MEDIUM', kev: 0, fresh: 2, counts: { MEDIUM: 2 } });
    expect(by('mallory@example.com').items[0]!.upgrade).toBeUndefined();
  });

  it('hashes what the recipient is told, not the day: same findings next day, same hash; a status change, another', async () => {
    const a = await digests();
    const b = await digests(new Map(), new Date(DAY1.getTime() + 86_400_000));
    expect(b.by('bob@example.com').contentHash).toBe(a.by('bob@example.com').contentHash);
    a.s.db.prepare("UPDATE findings SET status = 'open' WHERE id = ?").run(a.s.f.netCritical);
    const c = buildDigests({ recipients: listRecipients(a.s.db), findings: listNotifyFindings(a.s.db), previous: new Map(), now: DAY1 });
    expect(c.find((d) => d.recipient.email === 'bob@example.com')!.contentHash).not.toBe(a.by('bob@example.com').contentHash);
  });
});

describe('acceptance lapsed through triage', () => {
  it("a finding triage reopened ('acceptance expired', unlinked) is shown as expired with its old acceptance's reason and date", async () => {
    const s = await seedDb();
    // what triage's applyAcceptances does when acceptance #2 lapses
    s.db.prepare("INSERT INTO finding_events (finding_id, run_id, at, from_status, to_status, note) VALUES (?, 1, '2024-02-01T00:00:00Z', 'open', 'accepted', 'acceptance #2')").run(s.f.expired);
    s.db.prepare("UPDATE findings SET status = 'open', status_note = 'acceptance expired', acceptance_id = NULL WHERE id = ?").run(s.f.expired);
    const alice = buildDigests({ recipients: listRecipients(s.db), findings: listNotifyFindings(s.db), previous: new Map([['alice@example.com', [s.f.expired!]]]), now: DAY1 }).find((d) => d.recipient.email === 'alice@example.com')!;
    expect(ids(alice.sections.expired)).toEqual([s.f.expired]);
    expect(alice.sections.open).toEqual([]);
    expect(alice.sections.expired[0]).toMatchObject({ acceptanceReason: 'dev dependency only', acceptanceExpires: '2024-03-01', statusNote: 'acceptance expired' });
  });
});

describe('acceptance expiry and age', () => {
  const f = { acceptanceExpires: '2024-03-09', status: 'accepted', statusNote: null } as Parameters<typeof isAcceptanceExpired>[0];
  it.each([
    ['2024-03-09T23:00:00Z', false], // a date means the end of that day
    ['2024-03-10T00:00:01Z', true],
  ])('expires 2024-03-09, now %s -> %s', (now, expected) => {
    expect(isAcceptanceExpired(f, new Date(now))).toBe(expected);
  });
  it('a fixed finding is never "acceptance expired"', () => {
    expect(isAcceptanceExpired({ ...f, status: 'fixed' }, new Date('2025-01-01'))).toBe(false);
  });
  it.each([
    ['2024-03-01T00:00:00Z', 9],
    ['2024-03-10T05:59:59Z', 0],
    ['not a date', 0],
  ])('age of %s on DAY1 is %d days', (first, days) => {
    expect(ageDays(first, DAY1)).toBe(days);
  });
});

describe('buildAlert', () => {
  it('lists findings the latest match run made new, at or above the level (env severity counts), with owners', async () => {
    const s = await seedDb();
    const newIds = findingsNewInRuns(s.db, undefined, 2);
    expect([...newIds].sort()).toEqual([s.f.axiosRedos, s.f.netCritical, s.f.hostile, s.f.removedProject].sort());
    const alert = buildAlert({ findings: listNotifyFindings(s.db), runId: latestMatchRunId(s.db), newIds, minSeverity: 'HIGH', owners: projectOwners(s.db), now: DAY1 })!;
    expect(alert.period).toBe('match-run-2');
    // axiosRedos is HIGH but env MEDIUM; axiosSsrf is from run 1; the removed project's critical is out
    expect(ids(alert.rows)).toEqual([s.f.netCritical, s.f.hostile]);
    expect(alert.rows[0]!.owners).toBe('Bob Builder <bob@example.com>');
    expect(buildAlert({ findings: listNotifyFindings(s.db), runId: 2, newIds, minSeverity: 'CRITICAL', owners: new Map(), now: DAY1 })!.rows.map((r) => r.owners)).toEqual(['no maintainer']);
    // run 1 made only axiosSsrf (MEDIUM) and findings now accepted/fixed new
    expect(buildAlert({ findings: listNotifyFindings(s.db), runId: 1, newIds: findingsNewInRuns(s.db, undefined, 1), minSeverity: 'HIGH', owners: new Map(), now: DAY1 })).toBeUndefined();
    expect(buildAlert({ findings: listNotifyFindings(s.db), runId: 1, newIds: findingsNewInRuns(s.db, undefined, 1), minSeverity: 'MEDIUM', owners: new Map(), now: DAY1 })!.rows.map((r) => r.id)).toEqual([s.f.axiosSsrf]);
    expect(buildAlert({ findings: listNotifyFindings(s.db), runId: undefined, newIds, minSeverity: 'LOW', owners: new Map(), now: DAY1 })).toBeUndefined();
  });

  it('lists the most urgent maxRows, counts the rest, and covers them all in findingIds and the counts (read one at a time)', async () => {
    const s = await seedDb();
    const newIds = findingsNewInRuns(s.db, undefined, 2);
    const base = { runId: 2, newIds, minSeverity: 'HIGH' as const, owners: projectOwners(s.db), now: DAY1 };
    const full = buildAlert({ ...base, findings: listNotifyFindings(s.db) })!;
    // straight from the reader's iteration, capped at one row
    const capped = buildAlert({ ...base, findings: notifyFindingReader(s.db)({ ids: [...newIds] }), maxRows: 1 })!;
    expect(ids(capped.rows)).toEqual([s.f.netCritical]);
    expect(capped.more).toBe(1);
    expect(capped.findingIds).toEqual(full.findingIds);
    expect(capped.contentHash).toBe(full.contentHash);
    expect([capped.critical, capped.projects, capped.kev]).toEqual([full.critical, full.projects, full.kev]);
    const text = renderAlert(capped, { links: {}, minSeverity: 'HIGH', dashboardUrl: 'https://sec.example.com/icms.html' }).text;
    expect(text).toContain('2 new findings at or above HIGH');
    expect(text).toContain('And 1 more new finding at or above HIGH, not listed here (those above are the most urgent): see https://sec.example.com/icms.html');
    expect(renderAlert(full, { links: {}, minSeverity: 'HIGH' }).text).not.toContain('more new finding');
  });

  it('keeps the same most urgent rows as sorting every finding, however many pass through', async () => {
    const s = await seedDb();
    const seed = listNotifyFindings(s.db);
    // many findings of every seeded kind, ages and ids spread, all new
    const many = Array.from({ length: 600 }, (_, i) => {
      const f = seed[i % seed.length]!;
      return { ...f, id: 10_000 + i, status: 'new' as const, firstSeen: `2024-0${1 + (i % 9)}-1${i % 10}T00:00:00Z` };
    });
    const base = { runId: 3, newIds: new Set(many.map((f) => f.id)), minSeverity: 'LOW' as const, owners: new Map(), now: DAY1 };
    const all = buildAlert({ ...base, findings: many, maxRows: 10_000 })!;
    for (const max of [1, 7, 50]) {
      const top = buildAlert({ ...base, findings: many, maxRows: max })!;
      expect(ids(top.rows)).toEqual(ids(all.rows.slice(0, max)));
      expect(top.more).toBe(all.rows.length - max);
    }
  });
});
