/**
 * The dashboard's overview follows the view, on a real portfolio (git remotes, real trivy, the demo OSV slice)
 * run through fetch-projects, scan, sync-vulns, match, triage and match again on one day: the cards, the top
 * upgrades and the trend of `#maintainer=` and `#project=` views against counts taken straight from the database.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { runCli } from '../helpers/cli.js';
import { makePortfolio, type Portfolio } from '../helpers/demo.js';
import { openBrowserPage } from './browser.js';

const REPOS = ['web-frontend', 'search-tool', 'rails-shop'];
const at = (hhmm: string) => () => new Date(`2030-01-15T${hhmm}:00Z`);
const ACTIVE = "('new', 'open', 'reopened')";
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

let pf: Portfolio;
let oneRun: string;
let twoRuns: string;
let accepted: { project: string; groupId: string; severity: string };

async function cli(argv: string[], now: () => Date): Promise<string> {
  const r = await runCli(argv, { cwd: pf.dir, now });
  expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  pf = await makePortfolio(REPOS);
  // the web-frontend maintainer also looks after rails-shop: a maintainer's view spans two projects
  const inventory = path.join(pf.dir, 'inventory.yaml');
  await writeFile(inventory, (await readFile(inventory, 'utf8')).replace('{name: Dev rails-shop, email: rails-shop@example.com}', '$&, {name: Dev web-frontend, email: web-frontend@example.com}'));
  for (const argv of [['fetch-projects'], ['scan', '--all'], ['sync-vulns'], ['match']]) await cli(argv, at('08:00'));
  oneRun = path.join(pf.dir, 'one-run.html');
  await cli(['report', '--format', 'html', '--output', oneRun], at('08:30'));
  // between two match runs of the same day, one finding of web-frontend is accepted: the trend drops by one
  const open = JSON.parse(await cli(['report', '--format', 'json', '--project', 'web-frontend'], at('09:00'))) as { findings: { project: string; advisory_id: string; severity: string }[] };
  const f = open.findings[0]!;
  accepted = { project: f.project, groupId: f.advisory_id, severity: f.severity };
  await cli(['triage', 'accept', f.advisory_id, '--project', f.project, '--reason', 'not reachable', '--by', 'sec'], at('09:00'));
  await cli(['match'], at('10:00'));
  twoRuns = path.join(pf.dir, 'two-runs.html');
  await cli(['report', '--format', 'html', '--output', twoRuns], at('10:30'));
}, 240_000);

/** What the database says about the projects a view selects (by SQL, not through icms' report code). */
function fromDb(where: string, ...args: string[]) {
  const db = new Database(path.join(pf.dir, 'icms.db'), { readonly: true });
  try {
    const scope = `FROM findings f JOIN projects p ON p.id = f.project_id WHERE p.id IN (${where})`;
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
    for (const r of db.prepare(`SELECT f.severity AS s, COUNT(*) AS n ${scope} AND f.status IN ${ACTIVE} GROUP BY f.severity`).all(...args) as { s: string; n: number }[]) bySeverity[r.s] = r.n;
    const byStatus = Object.fromEntries(db.prepare(`SELECT f.status AS s, COUNT(*) AS n ${scope} GROUP BY f.status`).all(...args).map((r) => [(r as { s: string }).s, (r as { n: number }).n]));
    const packages = new Set((db.prepare(`SELECT DISTINCT f.package AS p ${scope} AND f.status IN ${ACTIVE}`).all(...args) as { p: string }[]).map((r) => r.p));
    const projects = (db.prepare(`SELECT p.name AS n FROM projects p WHERE p.id IN (${where})`).all(...args) as { n: string }[]).map((r) => r.n);
    return { bySeverity, byStatus, packages, projects, active: Object.values(bySeverity).reduce((a, b) => a + b, 0) };
  } finally {
    db.close();
  }
}
const ofMaintainer = "SELECT pm.project_id FROM project_maintainers pm JOIN maintainers m ON m.id = pm.maintainer_id WHERE m.email = ? COLLATE NOCASE";
const ofProject = 'SELECT id FROM projects WHERE name = ?';

/** The upgrades of the projects' open findings ranked as README says, from the JSON report. */
async function rankedUpgrades(projects: string[]): Promise<string[]> {
  const weight: Record<string, number> = { CRITICAL: 10, HIGH: 5, MEDIUM: 2, LOW: 1, NONE: 0, UNKNOWN: 5 };
  const json = JSON.parse(await cli(['report', '--format', 'json'], at('11:00'))) as { findings: { project: string; package: string; upgrade: string | null; severity: string; kev: unknown; epss: { score: number } | null }[] };
  const groups = new Map<string, { pkg: string; kev: number; risk: number; n: number }>();
  for (const f of json.findings) {
    if (!projects.includes(f.project) || !f.upgrade) continue;
    const g = groups.get(`${f.package}@${f.upgrade}`) ?? { pkg: f.package, kev: 0, risk: 0, n: 0 };
    g.kev += f.kev ? 1 : 0;
    g.risk += weight[f.severity]! + 10 * (f.epss?.score ?? 0);
    g.n++;
    groups.set(`${f.package}@${f.upgrade}`, g);
  }
  return [...groups.values()].sort((a, b) => b.kev - a.kev || b.risk - a.risk || b.n - a.n || (a.pkg < b.pkg ? -1 : 1)).slice(0, 10).map((g) => g.pkg);
}

async function open(file: string, hash: string): Promise<Page> {
  const { page, errors } = await openBrowserPage();
  await page.goto(`file://${file}${hash}`);
  await page.waitForSelector('body[data-ready="1"]');
  expect(errors).toEqual([]);
  return page;
}

async function cards(page: Page, id: string): Promise<Record<string, number>> {
  const pairs = await page.locator(`#${id} .card`).evaluateAll((as) => as.map((a) => [a.querySelector('span')!.textContent, Number(a.querySelector('b')!.textContent)]));
  return Object.fromEntries(pairs) as Record<string, number>;
}

/** The trend's values per series, read from the chart (`data-counts` of each line). */
async function trend(page: Page): Promise<Record<string, number[]>> {
  const pairs = await page.locator('svg.trend polyline').evaluateAll((ls) => ls.map((l) => [l.getAttribute('data-severity'), l.getAttribute('data-counts')!.split(',').map(Number)]));
  return Object.fromEntries(pairs) as Record<string, number[]>;
}

describe('dashboard overview of a view, on a real portfolio', () => {
  it.each([
    ['#maintainer= (the email in another case, encoded as the digest links it)', () => `#maintainer=${encodeURIComponent('Web-Frontend@Example.COM')}`, () => fromDb(ofMaintainer, 'web-frontend@example.com')],
    ['#project=', () => `#project=${encodeURIComponent(fromDb(ofProject, accepted.project).projects[0]!)}`, () => fromDb(ofProject, accepted.project)],
  ])('%s filters the cards, the top upgrades and the trend', async (_, hash, expected) => {
    const want = expected();
    const all = fromDb('SELECT id FROM projects');
    expect(want.active).toBeGreaterThan(0);
    expect(want.active).toBeLessThan(all.active); // the view is a real subset
    const page = await open(twoRuns, hash());
    // cards: open findings by severity, findings by status
    const sev = await cards(page, 'sev-cards');
    expect(sev).toEqual(want.bySeverity);
    const status = await cards(page, 'status-cards');
    for (const [s, n] of Object.entries(status)) expect(n, s).toBe(want.byStatus[s.replace(' ', '_')] ?? 0);
    // top upgrades: the packages of the view, by weighted risk (README: critical 10, high 5, medium 2, low 1, + 10 × EPSS; KEV first)
    const tops = await page.locator('#top-upgrades li a').allTextContents();
    expect(tops.length).toBeGreaterThan(0);
    for (const p of tops) expect(want.packages.has(p), p).toBe(true);
    expect(tops).toEqual(await rankedUpgrades(want.projects));
    // the trend: a point per run (both runs on one day); the last is today's count, the first has the accepted finding too
    expect(await page.locator('#trend-title').textContent()).toContain('per match run');
    const series = await trend(page);
    expect(Object.keys(series)).toEqual(SEVERITIES);
    for (const s of SEVERITIES) {
      expect(series[s]!.at(-1), s).toBe(want.bySeverity[s]);
      const before = want.bySeverity[s]! + (s === accepted.severity && want.projects.includes(accepted.project) ? 1 : 0);
      expect(series[s]![0], s).toBe(before);
    }
    // the table shows the same view
    expect(await page.locator('#count').textContent()).toMatch(new RegExp(`of ${want.active} findings$|^no findings match$`));
    expect(await page.locator('main').innerText()).not.toMatch(/\bother\b/i);
  });

  it('the whole portfolio: UNKNOWN named as such, never "other", in the cards and the chart legend', async () => {
    const page = await open(twoRuns, '');
    const all = fromDb('SELECT id FROM projects');
    expect(await cards(page, 'sev-cards')).toEqual(all.bySeverity);
    expect(await page.locator('svg.trend .legend').allTextContents()).toContain('UNKNOWN');
    expect(await page.locator('#f-severity option').allTextContents()).toContain('UNKNOWN');
    expect(await page.locator('main').innerText()).not.toMatch(/\bother\b/i);
  });

  it('"Why it matched" is the sentence icms explain prints', async () => {
    const page = await open(twoRuns, `#q=${encodeURIComponent(accepted.groupId)}&status=all`);
    await page.locator('#findings-body tr.finding').first().click();
    const shown = await page.locator('#findings-body tr.detail-row ul.reason li').allTextContents();
    expect(shown.length).toBeGreaterThan(0);
    const explained = (await cli(['explain', accepted.groupId, '--project', accepted.project], at('11:00'))).split('\n').map((l) => l.trim()).filter((l) => l.startsWith('because '));
    for (const s of shown) expect(explained).toContain(s);
    expect(await page.locator('#findings-body tr.detail-row').innerText()).not.toContain('"kind"'); // no raw JSON
  });

  it('after the first match run only: a message with the counts instead of an empty chart', async () => {
    const page = await open(oneRun, '');
    expect(await page.locator('svg.trend').count()).toBe(0);
    const note = await page.locator('#trend .trend-note').textContent();
    expect(note).toMatch(/^One match run so far \(2030-01-15 08:00\): \d+ open \(.+\)\. The trend draws a line from the second run on\.$/);
  });
});
