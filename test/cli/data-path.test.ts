import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import { writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { fixtureFiles, makePortfolio, type Portfolio } from '../helpers/demo.js';
import { tmpDir } from '../helpers/tmp.js';

// One real portfolio for the whole file (tests run in order): git remotes, real trivy, the demo OSV slice.
let pf: Portfolio;
const cli = (...argv: string[]) => runCli(argv, { cwd: pf.dir });
const rows = (sql: string, ...args: unknown[]) => {
  const db = new Database(path.join(pf.dir, 'icms.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...args) as Record<string, unknown>[];
  } finally {
    db.close();
  }
};
const finding = (pkg: string, id: string) => rows("SELECT status, severity, fixed_version, cvss_score FROM findings WHERE package = ? AND group_id = ?", pkg, id)[0];

beforeAll(async () => {
  pf = await makePortfolio(['web-frontend', 'issue-board']);
  // the remotes live in per-test temp dirs; keep them for the whole file
  expect((await cli('fetch-projects')).code).toBe(0);
}, 120_000);

describe('scan -> sync-vulns -> match on real git repos, real trivy and real advisories', () => {
  it('scan --all clones each repository and stores every package per ecosystem', async () => {
    const r = await cli('scan', '--all', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ scanned: 2, skipped: 0, failed: 0, perEcosystem: { npm: 12, Go: 25 } });
    expect(rows("SELECT name, version FROM packages WHERE name IN ('axios', 'golang.org/x/crypto') ORDER BY name")).toEqual([
      { name: 'axios', version: '0.19.0' },
      { name: 'golang.org/x/crypto', version: '0.0.0-20200622213623-75b288015ac9' }, // trivy 0.44 drops gomod's v
    ]);
  });

  it('an unchanged portfolio skips trivy; --force rescans', async () => {
    const again = JSON.parse((await cli('scan', '--all', '--format', 'json')).stdout);
    expect(again).toMatchObject({ scanned: 0, skipped: 2 });
    expect(rows("SELECT status, COUNT(*) AS n FROM scans GROUP BY status ORDER BY status")).toEqual([
      { status: 'ok', n: 2 },
      { status: 'skipped', n: 2 },
    ]);
    const forced = JSON.parse((await cli('scan', '--all', '--force', '--format', 'json')).stdout);
    expect(forced).toMatchObject({ scanned: 2, skipped: 0 });
  });

  it('match before any sync says to run sync-vulns (exit 4)', async () => {
    const r = await cli('match');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/no advisories in the store[\s\S]*icms sync-vulns/);
  });

  it('sync-vulns loads the OSV directory', async () => {
    const r = await cli('sync-vulns', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).sources[0]).toMatchObject({ source: 'osv-demo', added: 121, skipped: 0 });
  });

  it('match finds the hand-checked vulnerabilities and not the fixed ones', async () => {
    const r = await cli('match', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const ids = (pkg: string) => out.findings.filter((f: { package: string }) => f.package === pkg).map((f: { advisory_id: string }) => f.advisory_id).sort();
    // axios 0.19.0: GHSA-4w2v-q235-vp99 (CVE-2020-28168, fixed 0.21.1) and GHSA-cph5-m8f7-6c5x (CVE-2021-3749, fixed 0.21.2)
    expect(ids('axios')).toEqual(['CVE-2020-28168', 'CVE-2021-3749']);
    // follow-redirects 1.5.10: GHSA-74fj-2j2h-c42q (CVE-2022-0155, fixed 1.14.7)
    expect(ids('follow-redirects')).toEqual(['CVE-2022-0155']);
    // marked 0.7.0 is above every NSWG last_affected (0.3.0 .. 0.3.5): no finding
    expect(ids('marked')).toEqual([]);
    const axios = out.findings.find((f: { advisory_id: string }) => f.advisory_id === 'CVE-2021-3749');
    expect(axios).toMatchObject({
      project: 'local/web-frontend@main',
      ecosystem: 'npm',
      version: '0.19.0',
      aliases: expect.arrayContaining(['GHSA-cph5-m8f7-6c5x', 'CVE-2021-3749']),
      severity: 'HIGH',
      cvss_score: 7.5,
      fixed_version: '0.21.2',
      fix_bump: 'minor',
      status: 'new',
      targets: ['yarn.lock'],
    });
    expect(axios.reason[0].reason).toMatchObject({ kind: 'range', rangeType: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.21.2' }] });
    // Go pseudo-version golang.org/x/crypto 2020-06-22 is below the 2020-12-16 fix of CVE-2020-29652
    expect(out.findings.find((f: { advisory_id: string }) => f.advisory_id === 'CVE-2020-29652')).toMatchObject({ package: 'golang.org/x/crypto', fixed_version: '0.0.0-20201216223049-8b5274cf687f' });
    expect(out.schema_version).toBe(1);
  });

  it('a finding matched through an unrated advisory takes the rating of its alias group', async () => {
    // Go's vulndb rates nothing: the x/crypto finding of CVE-2020-29652 starts UNKNOWN
    expect(finding('golang.org/x/crypto', 'CVE-2020-29652')).toMatchObject({ severity: 'UNKNOWN', cvss_score: null });
    // a second source rates the same CVE but lists no package (as NVD does)
    const db = new Database(path.join(pf.dir, 'icms.db'));
    db.prepare(
      `INSERT INTO advisories (source, advisory_id, modified, severity, base_score, cvss, aliases, group_id)
       VALUES ('nvd-test', 'CVE-2020-29652', '2021-01-01T00:00:00Z', 'HIGH', 7.5, ?, '[]', 'CVE-2020-29652')`,
    ).run(JSON.stringify([{ type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', baseScore: 7.5 }]));
    db.close();
    await cli('match');
    expect(finding('golang.org/x/crypto', 'CVE-2020-29652')).toMatchObject({ severity: 'HIGH', cvss_score: 7.5 });
  });

  it('explain answers by any alias: the advisory, the deciding range and the fix', async () => {
    const r = await cli('explain', 'GHSA-cph5-m8f7-6c5x');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/affects npm axios: SEMVER introduced 0, fixed 0\.21\.2/);
    expect(r.stdout).toMatch(/npm axios 0\.19\.0 — CVE-2021-3749 HIGH/);
    expect(r.stdout).toMatch(/because GHSA-cph5-m8f7-6c5x \(osv-demo\): SEMVER range \[introduced 0, fixed 0\.21\.2\] ordered by npm; fixed in 0\.21\.2/);
    const json = JSON.parse((await cli('explain', 'CVE-2021-3749', '--format', 'json')).stdout);
    expect(json.findings).toHaveLength(1);
    const byNumber = await cli('explain', String(json.findings[0].id));
    expect(byNumber.stdout).toMatch(/upgrade to 0\.21\.2/);
    expect((await cli('explain', 'CVE-1999-0000')).code).toBe(2);
  });

  it('--fail-on gates: high trips (exit 1), --new-only on an unchanged rerun does not', async () => {
    const high = await cli('match', '--fail-on', 'high');
    expect(high.code).toBe(1);
    // the gate says what tripped it: the rule, the count and the first findings with why
    expect(high.stderr).toMatch(/gate \(--fail-on high\) tripped by \d+ finding\(s\): .*CVE-2021-3749 \(severity HIGH\)/);
    expect(finding('axios', 'CVE-2021-3749')!.status).toBe('open');
    const seen = () => rows("SELECT first_seen, last_seen, last_run_id FROM findings WHERE group_id = 'CVE-2021-3749'")[0]!;
    const before = seen();
    expect((await cli('match', '--fail-on', 'high', '--new-only')).code).toBe(0);
    // unchanged findings are not rewritten, but the run that saw them is recorded
    const after = seen();
    expect(after.first_seen).toBe(before.first_seen);
    expect(String(after.last_seen) > String(before.last_seen)).toBe(true);
    expect(Number(after.last_run_id)).toBeGreaterThan(Number(before.last_run_id));
    expect((await cli('match', '--fail-on', 'banana')).code).toBe(2);
  });

  it('an upgrade fixes findings; a downgrade reopens them', async () => {
    const web = pf.remotes['web-frontend']!;
    const lock = (await fixtureFiles('web-frontend'))['yarn.lock']!;
    await web.commit({ 'yarn.lock': lock.replace('version "0.19.0"', 'version "0.21.2"') }, { message: 'bump axios' });
    expect((await cli('scan', '--all')).code).toBe(0);
    expect((await cli('match')).code).toBe(0);
    expect(finding('axios', 'CVE-2021-3749')).toMatchObject({ status: 'fixed' });
    expect(rows("SELECT fixed_at IS NOT NULL AS f FROM findings WHERE package = 'axios'")).toEqual([{ f: 1 }, { f: 1 }]);
    await web.commit({ 'yarn.lock': lock }, { message: 'revert' });
    await cli('scan', '--all');
    const r = await cli('match', '--format', 'json', '--fail-on', 'high', '--new-only');
    expect(r.code).toBe(1);
    expect(finding('axios', 'CVE-2021-3749')).toMatchObject({ status: 'reopened' });
    const events = rows("SELECT e.to_status FROM finding_events e JOIN findings f ON f.id = e.finding_id WHERE f.group_id = 'CVE-2021-3749' ORDER BY e.id").map((e) => e.to_status);
    expect(events).toEqual(['new', 'open', 'fixed', 'reopened']);
  });

  it('a withdrawn advisory stops matching and its finding is closed', async () => {
    const db = new Database(path.join(pf.dir, 'icms.db'));
    db.prepare("UPDATE advisories SET withdrawn = '2026-01-01T00:00:00Z' WHERE advisory_id = 'GHSA-74fj-2j2h-c42q'").run();
    db.close();
    await cli('match');
    expect(finding('follow-redirects', 'CVE-2022-0155')!.status).toBe('fixed');
  });

  it('one failing project is reported (exit 3) and the others are scanned; its packages are kept', async () => {
    await pf.remotes['issue-board']!.deleteBranch('main');
    await pf.remotes['web-frontend']!.commit({ 'README.md': 'x' });
    const before = rows("SELECT COUNT(*) AS n FROM packages WHERE ecosystem = 'Go'");
    const r = await cli('scan', '--all', '--format', 'json');
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ scanned: 1, failed: 1 });
    expect(out.failures[0].error).toMatch(/branch "main" not found/);
    expect(rows("SELECT COUNT(*) AS n FROM packages WHERE ecosystem = 'Go'")).toEqual(before);
    expect(rows("SELECT error FROM scans WHERE status = 'failed'")[0]!.error).toMatch(/not found/);
  });

  it('scan of a local directory lists packages and matches in memory without storing anything', async () => {
    const work = await tmpDir();
    await mkdir(path.join(work, 'app'));
    for (const [f, c] of Object.entries(await fixtureFiles('web-frontend'))) await writeFile(path.join(work, 'app', f), c);
    const r = await runCli(['--db', path.join(pf.dir, 'icms.db'), 'scan', 'app', '--fail-on', 'high'], { cwd: work });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/npm\s+│ 12/);
    expect(r.stdout).toMatch(/CVE-2021-3749/);
    const projects = rows("SELECT kind FROM projects WHERE kind = 'local'");
    expect(projects).toEqual([]);
    const noDb = await runCli(['scan', 'app'], { cwd: work });
    expect(noDb.code).toBe(0);
    expect(noDb.stderr).toMatch(/listing packages only/);
    expect(existsSync(path.join(work, 'icms.db'))).toBe(false);
  });

  it('a missing trivy is exit 4 with an install hint', async () => {
    const r = await runCli(['scan', '--all', '--trivy', '/nonexistent/trivy'], { cwd: pf.dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/trivy/);
    expect(r.stderr).toMatch(/hint:/);
  });
});

