import { describe, it, expect, beforeAll } from 'vitest';
import { copyFile, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { makePortfolio, type Portfolio } from '../helpers/demo.js';
import { tmpDir } from '../helpers/tmp.js';

// One real portfolio (git remotes, real trivy, the demo OSV slice) matched once; each test works on a copy of its DB.
let pf: Portfolio;
const NOW = () => new Date('2030-01-15T08:00:00Z');

beforeAll(async () => {
  pf = await makePortfolio(['web-frontend', 'search-tool']);
  for (const argv of [['fetch-projects'], ['scan', '--all'], ['sync-vulns'], ['match']]) {
    const r = await runCli(argv, { cwd: pf.dir });
    expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
  }
  // fold the WAL into the main file so that copying icms.db alone copies everything
  const db = new Database(path.join(pf.dir, 'icms.db'));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}, 180_000);

async function workspace(): Promise<{ dir: string; cli: (...argv: string[]) => ReturnType<typeof runCli>; tty: (...argv: string[]) => ReturnType<typeof runCli> }> {
  const dir = await tmpDir('icms-report-cli-');
  await copyFile(path.join(pf.dir, 'icms.db'), path.join(dir, 'icms.db'));
  await writeFile(path.join(dir, 'icms.yaml'), 'report:\n  trend_days: 7\n');
  return {
    dir,
    cli: (...argv) => runCli(argv, { cwd: dir, now: NOW }),
    tty: (...argv) => runCli(argv, { cwd: dir, now: NOW, tty: true }),
  };
}

describe('icms report on a real matched portfolio', () => {
  it('prints a plain table of open findings with a totals line', async () => {
    const { cli } = await workspace();
    const r = await cli('report');
    expect(r.code, r.stderr).toBe(0);
    if (process.env.DEBUG_REPORT) console.log(r.stdout);
    expect(r.stdout).not.toContain('\x1b[');
    expect(r.stdout).toMatch(/│ CRITICAL │ .*search-tool.* │ grep-cli +│ 0\.1\.4 +│ CVE-2021-3013 +│ upgrade grep-cli to 0\.1\.6 +│ new/);
    expect(r.stdout).toMatch(/│ HIGH +│ .*web-frontend.* │ axios +│ 0\.19\.0 +│ CVE-2021-3749 +│ upgrade axios to 0\.21\.2 /);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^\d+ findings \(status open\) in 2 projects: 1 critical, 3 high, 1 medium/);
  });

  it('colours on a terminal and fits its width; NO_COLOR turns colour off', async () => {
    const { dir, tty } = await workspace();
    const r = await tty('report', '--severity-min', 'high');
    if (process.env.DEBUG_REPORT) console.log(JSON.stringify(r.stdout));
    expect(r.stdout).toContain('\x1b[');
    const widths = r.stdout.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => [...l].length); // eslint-disable-line no-control-regex
    expect(Math.max(...widths)).toBeLessThanOrEqual(120);
    const plain = await runCli(['report'], { cwd: dir, now: NOW, tty: true, env: { NO_COLOR: '1' } });
    expect(plain.stdout).not.toContain('\x1b[');
  });

  it('--format json: versioned findings with upgrades and maintainers', async () => {
    const { cli } = await workspace();
    const j = await cli('report', '--format', 'json', '--project', 'web-frontend');
    expect(j.code, j.stderr).toBe(0);
    const doc = JSON.parse(j.stdout);
    expect(doc.schema_version).toBe(2);
    const axios = doc.findings.filter((f: { package: string }) => f.package === 'axios');
    expect(axios.map((f: { advisory_id: string; fixed_version: string; upgrade: string }) => [f.advisory_id, f.fixed_version, f.upgrade])).toEqual([
      ['CVE-2021-3749', '0.21.2', '0.21.2'],
      ['CVE-2020-28168', '0.21.1', '0.21.2'],
    ]);
    expect(axios[0].maintainers).toEqual(['web-frontend@example.com']);
    expect(doc.findings.every((f: { project: string }) => f.project.includes('web-frontend'))).toBe(true);
  });

  it('--by package summarises; --format sarif locates results at the lockfiles', async () => {
    const { cli } = await workspace();
    const by = await cli('report', '--by', 'package', '--format', 'csv');
    expect(by.stdout.split('\r\n')[0]).toBe('package,findings,projects,worst,critical,high,medium,low,unknown');
    expect(by.stdout).toContain('npm:axios,2,1,HIGH,0,1,1,0,0\r\n');
    const sarif = JSON.parse((await cli('report', '--format', 'sarif')).stdout);
    const web = sarif.runs.find((r: { automationDetails: { id: string } }) => r.automationDetails.id.includes('web-frontend'));
    const result = web.results.find((r: { ruleId: string }) => r.ruleId === 'CVE-2021-3749');
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe('yarn.lock');
    expect(result.level).toBe('error');
  });

  it('sarif by default carries accepted findings as suppressed results (GitHub shows them dismissed, not fixed)', async () => {
    const { cli } = await workspace();
    expect((await cli('triage', 'accept', 'CVE-2021-3749', '--all-projects', '--reason', 'admins only')).code).toBe(0);
    const sarif = JSON.parse((await cli('report', '--format', 'sarif')).stdout);
    const results = sarif.runs.flatMap((r: { results: unknown[] }) => r.results) as { ruleId: string; suppressions?: { kind: string; status: string; justification: string }[] }[];
    const accepted = results.filter((r) => r.ruleId === 'CVE-2021-3749');
    expect(accepted.length).toBeGreaterThan(0);
    for (const r of accepted) expect(r.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'admins only' }]);
    expect(results.some((r) => r.suppressions === undefined)).toBe(true); // open ones stay unsuppressed
    // asked for explicitly, open only still means open only
    const openOnly = JSON.parse((await cli('report', '--format', 'sarif', '--status', 'open')).stdout);
    expect(openOnly.runs.flatMap((r: { results: { ruleId: string }[] }) => r.results).some((r: { ruleId: string }) => r.ruleId === 'CVE-2021-3749')).toBe(false);
  });

  it('markdown --by package counts unrated findings in an `unknown` column, as csv does', async () => {
    const { cli } = await workspace();
    const md = (await cli('report', '--by', 'package', '--format', 'markdown')).stdout;
    expect(md).toContain('| package | findings | projects | worst | critical | high | medium | low | unknown |');
    const csv = (await cli('report', '--by', 'package', '--format', 'csv')).stdout.split('\r\n').slice(1).filter(Boolean);
    // the same groups in the same order: the body rows of the markdown table, one per csv line
    const mdRows = md.split('\n').filter((l) => l.startsWith('|')).slice(2);
    expect(mdRows).toHaveLength(csv.length);
    csv.forEach((line, i) => {
      const [key, total, , , ...counts] = line.split(',');
      const cells = mdRows[i]!.split('|').map((c) => c.trim()).slice(1, -1);
      expect(cells.slice(4).map(Number), key).toEqual(counts.map(Number));
      expect(cells.slice(4).map(Number).reduce((a, b) => a + b, 0)).toBe(Number(total));
    });
    expect(csv.some((l) => !l.endsWith(',0'))).toBe(true); // the portfolio has unrated findings (Go's vulndb)
  });

  it('--format html --output writes the dashboard file atomically', async () => {
    const { dir, cli } = await workspace();
    const r = await cli('report', '--format', 'html', '--output', 'site/index.html');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/written to .*site\/index\.html \(html, \d+ bytes\)/);
    const html = await readFile(path.join(dir, 'site/index.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('grep-cli');
    expect(await readdir(path.join(dir, 'site'))).toEqual(['index.html']);
  });

  it('--archive writes a dated snapshot, refuses a second one the same day (exit 2), --force replaces it', async () => {
    const { dir, cli } = await workspace();
    const first = await cli('report', '--archive', 'archive');
    expect(first.code, first.stderr).toBe(0);
    const file = path.join(dir, 'archive/2030-01-15.json.gz');
    const doc = JSON.parse(gunzipSync(await readFile(file)).toString('utf8'));
    expect(doc.findings.length).toBeGreaterThan(5);
    const again = await cli('report', '--archive', 'archive');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists[\s\S]*hint: pass --force/);
    expect((await cli('report', '--archive', 'archive', '--force')).code).toBe(0);
  });

  it('usage errors exit 2: unknown format, unknown project, --archive without a directory', async () => {
    const { cli } = await workspace();
    expect((await cli('report', '--format', 'pdf')).code).toBe(2);
    const p = await cli('report', '--project', 'no-such-project');
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('no active project matches');
    const a = await cli('report', '--archive');
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('report.archive_dir');
  });

  it('an unwritable --output is an external failure (exit 4), not a crash', async () => {
    const { dir, cli } = await workspace();
    await writeFile(path.join(dir, 'not-a-dir'), 'x');
    const r = await cli('report', '--output', 'not-a-dir/report.txt');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/cannot write .*not-a-dir\/report\.txt/);
  });
});
