/** `icms triage` end to end on a real pipeline (git, trivy, OSV demo advisories, SQLite) with a fixed clock. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFile, writeFile, copyFile } from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { whoAmI } from '../../src/cli/commands/triage.js';
import { buildPipeline, copyPipeline, day, DAY0, FIXTURES, type Pipeline } from '../triage/pipeline.js';

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await buildPipeline();
}, 180_000);
afterAll(async () => pipeline?.dispose());

interface JsonFinding { package: string; advisory_id: string; status: string; status_note: string | null; severity: string; cvss_score: number; env_score: number | null; env_severity: string | null }

async function setup() {
  const c = await copyPipeline(pipeline);
  const findings = async (now = DAY0): Promise<JsonFinding[]> => {
    const r = await c.run(['match', '--format', 'json'], now);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
  };
  const project = (JSON.parse((await c.run(['projects', '--format', 'json'])).stdout) as { projects: { name: string }[] }).projects[0]!.name;
  return { ...c, findings, project };
}

const key = (f: JsonFinding) => `${f.package} ${f.advisory_id}`;

describe('icms triage accept / false-positive / revoke / list', () => {
  it('accepting the GHSA takes the CVE finding out of the action list; base and environmental scores side by side', async () => {
    const c = await setup();
    expect((await c.findings()).map(key).sort()).toEqual(['axios CVE-2020-28168', 'axios CVE-2021-3749', 'follow-redirects CVE-2022-0155']);
    const r = await c.run(['triage', 'accept', 'GHSA-cph5-m8f7-6c5x', '--project', 'web-frontend', '--reason', 'only admins send data to trim()', '--expires', '2024-12-31']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/acceptance #1: GHSA-cph5-m8f7-6c5x accepted .* until 2024-12-31; 1 finding covered/);
    expect((await c.findings()).map(key).sort()).toEqual(['axios CVE-2020-28168', 'follow-redirects CVE-2022-0155']);
    const list = JSON.parse((await c.run(['triage', 'list', '--format', 'json'])).stdout) as { acceptances: Record<string, unknown>[] };
    expect(list.acceptances).toEqual([expect.objectContaining({
      id: 1, kind: 'accepted', advisory_id: 'GHSA-cph5-m8f7-6c5x', state: 'active', reason: 'only admins send data to trim()', expires: '2024-12-31', by: 'tester',
      scope: { project: c.project, all_projects: false, package: null, version: null },
      // base 7.5 HIGH; internal profile 4.7 MEDIUM (computed by hand in test/triage/cvss.test.ts)
      findings: [{ project: c.project, package: 'axios', version: '0.19.0', advisory_id: 'CVE-2021-3749', status: 'accepted', severity: 'HIGH', cvss_score: 7.5, env_severity: 'MEDIUM', env_score: 4.7 }],
    })]);
    const table = (await c.run(['triage', 'list'])).stdout;
    expect(table).toMatch(/GHSA-cph5-m8f7-6c5x.*active.*HIGH 7\.5.*MEDIUM 4\.7/);
  });

  it.each([
    [['CVE-2021-3749', '--project', 'web-frontend'], /--reason is required/],
    [['CVE-2021-3749', '--project', 'web-frontend', '--reason', '  '], /--reason is required/],
    [['CVE-2021-3749', '--project', 'no-such-project', '--reason', 'x'], /no active project matches --project "no-such-project"/],
    [['CVE-2021-3749', '--reason', 'x'], /exactly one of --project/],
    [['CVE-2021-3749', '--all-projects', '--reason', 'x', '--expires', '31.12.2024'], /--expires must be a date/],
  ])('refuses %j (exit 2)', async (args, message) => {
    const c = await setup();
    const r = await c.run(['triage', 'accept', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(JSON.parse((await c.run(['triage', 'list', '--format', 'json'])).stdout).acceptances).toEqual([]);
  });

  it('accepted today, expired tomorrow: open again with "acceptance expired", listed by --expired', async () => {
    const c = await setup();
    expect((await c.run(['triage', 'accept', 'CVE-2021-3749', '--all-projects', '--reason', 'until the upgrade', '--expires', '2024-06-01'])).code).toBe(0);
    expect((await c.findings(DAY0)).map(key)).not.toContain('axios CVE-2021-3749');
    const tomorrow = await c.findings(day(1));
    expect(tomorrow.find((f) => f.advisory_id === 'CVE-2021-3749')).toMatchObject({ status: 'open', status_note: 'acceptance expired' });
    const expired = JSON.parse((await c.run(['triage', 'list', '--expired', '--format', 'json'], day(1))).stdout) as { acceptances: { id: number; state: string }[] };
    expect(expired.acceptances.map((a) => [a.id, a.state])).toEqual([[1, 'expired']]);
    expect(JSON.parse((await c.run(['triage', 'list', '--expired', '--format', 'json'], DAY0)).stdout).acceptances).toEqual([]);
  });

  it('revoke re-opens at once; an unknown id is exit 2', async () => {
    const c = await setup();
    await c.run(['triage', 'false-positive', 'CVE-2022-0155', '--project', 'web-frontend', '--package', 'follow-redirects@1.5.10', '--reason', 'no cookies cross hosts']);
    const r = await c.run(['triage', 'revoke', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 finding open again');
    const db = (await c.findings()).find((f) => f.advisory_id === 'CVE-2022-0155');
    expect(db).toMatchObject({ status: 'open', status_note: 'acceptance revoked' });
    expect((await c.run(['triage', 'revoke', '1'])).code).toBe(2);
    expect((await c.run(['triage', 'revoke', 'one'])).code).toBe(2);
  });
});

describe('gates: false positives never trip them; --severity-source environmental', () => {
  it('uses the base severity unless told otherwise', async () => {
    const c = await setup();
    // base: axios CVE-2021-3749 HIGH 7.5, follow-redirects HIGH 8.0, axios CVE-2020-28168 MEDIUM 5.9 (env 7.1 HIGH)
    expect((await c.run(['match', '--fail-on', 'high'])).code).toBe(1);
    await c.run(['triage', 'false-positive', 'GHSA-74fj-2j2h-c42q', '--all-projects', '--reason', 'no cookies cross hosts']);
    await c.run(['triage', 'accept', 'CVE-2021-3749', '--project', 'web-frontend', '--reason', 'admins only']);
    expect((await c.run(['match', '--fail-on', 'high'])).code).toBe(0);
    const env = await c.run(['match', '--fail-on', 'high', '--severity-source', 'environmental', '--format', 'json']);
    expect(env.code).toBe(1);
    expect(JSON.parse(env.stdout).summary.gate).toEqual({ level: 'HIGH', kev: false, epss: null, newOnly: false, severitySource: 'environmental', unknownAs: 'HIGH', tripped: true, count: 1 });
    // config key instead of the flag
    await writeFile(path.join(c.dir, 'icms.yaml'), `${await readFile(path.join(c.dir, 'icms.yaml'), 'utf8')}triage:\n  severity_source: environmental\n`);
    expect((await c.run(['match', '--fail-on', 'high'])).code).toBe(1);
    expect((await c.run(['match', '--fail-on', 'critical'])).code).toBe(0);
    expect((await c.run(['match', '--severity-source', 'vibes'])).code).toBe(2);
  });

  it('re-scores when the exposure label or the profiles change', async () => {
    const c = await setup();
    const inv = path.join(c.dir, 'inventory.yaml');
    await writeFile(inv, (await readFile(inv, 'utf8')).replace('labels: {team: web}', 'labels: {team: web, exposure: internet}'));
    expect((await c.run(['fetch-projects'])).code).toBe(0);
    expect((await c.run(['triage', 'rescore'])).stdout).toBe('3 findings re-scored\n');
    // internet keeps the base vector: environmental = base
    const list = await c.findings();
    expect(list.map((f) => [f.advisory_id, f.cvss_score, f.env_score])).toEqual(expect.arrayContaining([['CVE-2021-3749', 7.5, 7.5], ['CVE-2020-28168', 5.9, 5.9], ['CVE-2022-0155', 8, 8]]));
    await writeFile(path.join(c.dir, 'icms.yaml'), `${await readFile(path.join(c.dir, 'icms.yaml'), 'utf8')}triage:\n  profiles:\n    internet: {MAV: A, CR: H, IR: M, AR: L}\n`);
    expect((await c.run(['triage', 'rescore'])).code).toBe(0);
    expect((await c.findings()).find((f) => f.advisory_id === 'CVE-2021-3749')?.env_score).toBe(4.7);
  });
});

describe('register file: import / export', () => {
  async function withRegister(c: Awaited<ReturnType<typeof setup>>) {
    const text = (await readFile(path.join(FIXTURES, 'register.yaml'), 'utf8')).replace('PROJECT', c.project);
    await writeFile(path.join(c.dir, 'accepted.yaml'), text);
  }

  it('imports in one transaction, applies at once, and exports what it imported', async () => {
    const c = await setup();
    await withRegister(c);
    const r = await c.run(['triage', 'import', 'accepted.yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('2 added, 0 updated, 0 unchanged, 0 revoked');
    const statuses = Object.fromEntries((JSON.parse((await c.run(['match', '--format', 'json'])).stdout).findings as JsonFinding[]).map((f) => [f.advisory_id, f.status]));
    expect(statuses).toEqual({ 'CVE-2020-28168': 'open' });
    expect((await c.run(['triage', 'export', 'out.yaml'])).code).toBe(0);
    const exported = await readFile(path.join(c.dir, 'out.yaml'), 'utf8');
    // a second store fed the export exports the same bytes; importing it again changes nothing
    expect((await c.run(['triage', 'import', 'out.yaml'])).stdout).toContain('0 added, 0 updated, 2 unchanged');
    const fresh = await setup();
    await copyFile(path.join(c.dir, 'out.yaml'), path.join(fresh.dir, 'in.yaml'));
    expect((await fresh.run(['triage', 'import', 'in.yaml'])).code).toBe(0);
    expect((await fresh.run(['triage', 'export', 'again.yaml'])).code).toBe(0);
    expect(await readFile(path.join(fresh.dir, 'again.yaml'), 'utf8')).toBe(exported);
    expect(exported).toContain(`project: ${c.project}`);
    expect(exported).toContain('expires: 2024-06-01');
  });

  it('uses triage.register by default, updates changed reasons, revokes missing entries with --prune', async () => {
    const c = await setup();
    await withRegister(c);
    await writeFile(path.join(c.dir, 'icms.yaml'), `${await readFile(path.join(c.dir, 'icms.yaml'), 'utf8')}triage:\n  register: accepted.yaml\n`);
    expect((await c.run(['triage', 'import'])).code).toBe(0);
    const file = path.join(c.dir, 'accepted.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, text.indexOf('- id: CVE-2022-0155')).replace('trusted admin input', 'trusted admin input only'));
    expect((await c.run(['triage', 'import', '--prune'])).stdout).toContain('0 added, 1 updated, 0 unchanged, 1 revoked');
    expect((await c.findings()).find((f) => f.advisory_id === 'CVE-2022-0155')).toMatchObject({ status: 'open', status_note: 'acceptance revoked' });
  });

  it('rejects an invalid entry with its line and imports nothing', async () => {
    const c = await setup();
    await writeFile(path.join(c.dir, 'bad.yaml'), `- id: CVE-2021-3749\n  scope: {project: ${c.project}}\n  reason: fine\n- id: CVE-2022-0155\n  scope: {project: elsewhere}\n  reason: fine\n`);
    const r = await c.run(['triage', 'import', 'bad.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:4: unknown project "elsewhere"/);
    await writeFile(path.join(c.dir, 'bad2.yaml'), `- id: CVE-2021-3749\n  scope: {project: ${c.project}}\n  reason: fine\n  expires: 2024-02-30\n`);
    expect((await c.run(['triage', 'import', 'bad2.yaml'])).stderr).toMatch(/bad2\.yaml:4: entry 1 \(CVE-2021-3749\): expires must be a date/);
    expect(JSON.parse((await c.run(['triage', 'list', '--format', 'json'])).stdout).acceptances).toEqual([]);
  });
});

describe('triage: the smaller defects of issue 18', () => {
  it('the register takes the short project name `triage accept --project` takes', async () => {
    const c = await setup();
    const short = 'web-frontend'; // a unique part of the name, as --project accepts it
    expect(c.project).not.toBe(short);
    await writeFile(path.join(c.dir, 'short.yaml'), `- id: CVE-2021-3749\n  scope: {project: ${short}}\n  reason: fine\n`);
    const r = await c.run(['triage', 'import', 'short.yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse((await c.run(['triage', 'list', '--format', 'json'])).stdout).acceptances[0]).toMatchObject({ scope: { project: c.project } });
  });

  it('every bad register entry is reported at once, with its line', async () => {
    const c = await setup();
    const text = `- id: CVE-2021-3749\n  scope: {project: ${c.project}}\n  reason: fine\n  expires: 2024-02-30\n- id: CVE-2022-0155\n  kind: maybe\n  scope: {all_projects: true}\n  reason: fine\n- id: CVE-2020-28168\n  scope: {all_projects: true}\n`;
    await writeFile(path.join(c.dir, 'bad3.yaml'), text);
    const r = await c.run(['triage', 'import', 'bad3.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/3 bad register entries/);
    expect(r.stderr).toMatch(/bad3\.yaml:4: entry 1 \(CVE-2021-3749\): expires must be a date/);
    expect(r.stderr).toMatch(/bad3\.yaml:6: entry 2: kind must be accepted or false_positive/);
    expect(r.stderr).toMatch(/bad3\.yaml:9: entry 3 \(CVE-2020-28168\): reason is required/);
    await writeFile(path.join(c.dir, 'bad4.yaml'), `- id: CVE-2021-3749\n  scope: {project: nowhere}\n  reason: x\n- id: CVE-2022-0155\n  scope: {project: elsewhere}\n  reason: x\n`);
    const p = await c.run(['triage', 'import', 'bad4.yaml']);
    expect(p.stderr).toMatch(/2 register entries name no single project:\n {2}\S*bad4\.yaml:1: unknown project "nowhere"[^\n]*\n {2}\S*bad4\.yaml:4: unknown project "elsewhere"/);
  });

  it('--expires in the past is refused (exit 2); today is fine', async () => {
    const c = await setup(); // the clock says 2024-06-01
    const past = await c.run(['triage', 'accept', 'CVE-2021-3749', '--all-projects', '--reason', 'x', '--expires', '2024-05-31']);
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/--expires 2024-05-31 is in the past \(today is 2024-06-01\)/);
    expect((await c.run(['triage', 'accept', 'CVE-2021-3749', '--all-projects', '--reason', 'x', '--expires', '2024-06-01'])).code).toBe(0);
  });

  it('`by` without $USER: $LOGNAME, else the account running icms, never null', () => {
    expect(whoAmI({ USER: 'alice' })).toBe('alice');
    expect(whoAmI({ LOGNAME: 'bob' })).toBe('bob');
    expect(whoAmI({})).toBe(os.userInfo().username);
  });
});

describe('icms triage diff (the release check against the accepted-CVE table)', () => {
  interface TableJson { new: { id: string; package: string; versions: string[] }[]; resolved: { line: number }[]; out_of_scope: { line: number }[]; expired: { line: number }[]; still_accepted: { line: number }[] }

  it('lists new, resolved, expired and still accepted rows; exit 1 for new; --write-updated keeps the rest byte-identical', async () => {
    const c = await setup();
    await copyFile(path.join(FIXTURES, 'accepted-4.1.md'), path.join(c.dir, 'accepted.md'));
    const r = await c.run(['triage', 'diff', '--table', 'accepted.md', '--format', 'json', '--write-updated', 'updated.md']);
    expect(r.code, r.stderr).toBe(1);
    const d = JSON.parse(r.stdout) as TableJson;
    expect(d.new.map((n) => [n.id, n.package, n.versions])).toEqual([['CVE-2020-28168', 'axios', ['0.19.0']]]);
    expect(d.still_accepted.map((x) => x.line)).toEqual([13]); // the GHSA row covers the CVE-2021-3749 finding
    expect(d.expired.map((x) => x.line)).toEqual([15]); // 2024-01-31 < 2024-06-01
    expect(d.resolved.map((x) => x.line)).toEqual([14, 16]);
    const original = (await readFile(path.join(FIXTURES, 'accepted-4.1.md'), 'utf8')).split('\n');
    const expected = [...original.slice(0, 13), original[14], `| CVE-2020-28168 | axios | ${c.project} |  | 7.1 |  |`, ...original.slice(16)].join('\n');
    expect(await readFile(path.join(c.dir, 'updated.md'), 'utf8')).toBe(expected);
    // the updated table has nothing new any more
    expect((await c.run(['triage', 'diff', '--table', 'updated.md'])).code).toBe(0);
    const text = (await c.run(['triage', 'diff', '--table', 'accepted.md'])).stdout;
    expect(text).toContain('1 new, 2 resolved, 1 expired, 1 still accepted');
  });

  it('filters by project and label', async () => {
    const c = await setup();
    await copyFile(path.join(FIXTURES, 'accepted-4.1.md'), path.join(c.dir, 'accepted.md'));
    const other = JSON.parse((await c.run(['triage', 'diff', '--table', 'accepted.md', '--label', 'team=other', '--format', 'json'])).stdout) as TableJson;
    // no project has team=other: no row can be judged, none is called resolved
    expect([other.new.length, other.resolved.length, other.out_of_scope.length]).toEqual([0, 0, 4]);
    const web = await c.run(['triage', 'diff', '--table', 'accepted.md', '--label', 'team=web', '--project', 'web-frontend', '--format', 'json']);
    expect((JSON.parse(web.stdout) as TableJson).new).toHaveLength(1);
    expect((await c.run(['triage', 'diff', '--table', 'accepted.md', '--label', 'team'])).code).toBe(2);
  });

  it('--project judges and rewrites only its rows: another project\'s row is kept and listed out of scope', async () => {
    const c = await setup();
    const lines = (await readFile(path.join(FIXTURES, 'accepted-4.1.md'), 'utf8')).split('\n');
    // line 17: a row of another project (not in this check's scope), still needed there
    lines.splice(16, 0, '| CVE-2021-3749 | axios | billing-api | admin-only endpoint | 4.7 | 2099-12-31 |');
    await writeFile(path.join(c.dir, 'accepted.md'), lines.join('\n'));
    const r = await c.run(['triage', 'diff', '--table', 'accepted.md', '--project', c.project, '--format', 'json', '--write-updated', 'updated.md']);
    const d = JSON.parse(r.stdout) as TableJson;
    expect(d.out_of_scope.map((x) => x.line)).toEqual([17]);
    expect(d.resolved.map((x) => x.line)).toEqual([14, 16]);
    const updated = await readFile(path.join(c.dir, 'updated.md'), 'utf8');
    expect(updated).toContain('| CVE-2021-3749 | axios | billing-api | admin-only endpoint | 4.7 | 2099-12-31 |');
    expect(updated).not.toContain('left-pad');
    const text = (await c.run(['triage', 'diff', '--table', 'accepted.md', '--project', c.project])).stdout;
    expect(text).toContain('1 new, 2 resolved, 1 expired, 1 still accepted, 1 out of scope');
    expect(text).toMatch(/Out of scope: not judged by this --project\/--label check \(kept as they are\) \(1\):/);
  });

  it('checks a trivy report made elsewhere instead of the findings (aliases resolved through the store)', async () => {
    const c = await setup();
    await copyFile(path.join(FIXTURES, 'accepted-4.1.md'), path.join(c.dir, 'accepted.md'));
    const r = await c.run(['triage', 'diff', '--table', 'accepted.md', '--scan-report', path.join(FIXTURES, 'trivy-image-report.json'), '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const d = JSON.parse(r.stdout) as TableJson;
    expect(d.new.map((n) => [n.id, n.package, n.versions])).toEqual([['CVE-2020-28168', 'axios', ['0.19.0']], ['CVE-2023-5678', 'libssl3', ['3.0.11-1~deb12u2']]]);
    expect(d.still_accepted.map((x) => x.line)).toEqual([13]);
    expect(d.expired.map((x) => x.line)).toEqual([15]); // the report says GHSA-74fj-2j2h-c42q, the row CVE-2022-0155
    expect(d.resolved.map((x) => x.line)).toEqual([14, 16]);
  });

  it('a malformed table is exit 2 with the line number', async () => {
    const c = await setup();
    const text = (await readFile(path.join(FIXTURES, 'accepted-4.1.md'), 'utf8')).replace('| 2099-12-31 |\n| CVE-2015-8315', '| 2099-12-31 |\n| CVE-2015-8315').replace('| 3.1 | 2099-12-31 |', '| 3.1 | 31/12/2099 |');
    await writeFile(path.join(c.dir, 'bad.md'), text);
    const r = await c.run(['triage', 'diff', '--table', 'bad.md']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.md:14: not a date: "31\/12\/2099"/);
    await writeFile(path.join(c.dir, 'nocve.md'), '# notes\n\n| Package | Reason |\n|---|---|\n| axios | fine |\n');
    const n = await c.run(['triage', 'diff', '--table', 'nocve.md']);
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/nocve\.md:3: the table has no CVE column/);
  });
});
