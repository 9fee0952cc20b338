import { describe, it, expect } from 'vitest';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderHtml } from '../../src/report/render/html.js';
import { tmpDir } from '../helpers/tmp.js';
import { openBrowserPage } from './browser.js';
import { HOSTILE, sampleReport } from './report-data.js';

const opts = { color: false, toolVersion: '0.1.0' };

async function openDashboard(html = renderHtml(sampleReport(), opts)) {
  const dir = await tmpDir('icms-dash-');
  const file = path.join(dir, 'index.html');
  await writeFile(file, html);
  const b = await openBrowserPage();
  await b.page.goto(`file://${file}`);
  await b.page.waitForSelector('body[data-ready="1"]');
  return { ...b, dir, file };
}

const cells = (page: import('playwright-core').Page, col: number) => page.$$eval(`#findings-body tr.finding td:nth-child(${col})`, (tds) => tds.map((td) => td.textContent));

describe('HTML dashboard in headless Chromium', () => {
  it('runs no script from a hostile advisory and shows its text as text', async () => {
    const { page, console, errors } = await openDashboard();
    await page.selectOption('#f-status', 'all');
    await page.click('#findings-body tr.finding >> text=GHSA-evil-0000-0000');
    const detail = page.locator('#findings-body tr.detail-row');
    await expect.poll(() => detail.count()).toBe(1);
    expect(await detail.locator('.summary').textContent()).toBe(HOSTILE.summary);
    expect(await detail.locator('.details').textContent()).toContain('line one | with a pipe');
    // the javascript: reference is shown as text, the https one is a link
    expect(await detail.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['https://example.com/advisory?a=1&b=%3Cx%3E']);
    expect(await detail.locator('.unsafe-url').textContent()).toBe(HOSTILE.jsRef);
    await detail.locator('.unsafe-url').click(); // clicking the text must not navigate or run anything
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2); // the JSON block and the dashboard script, nothing injected
    expect(console.filter((c) => c.includes('PWNED'))).toEqual([]);
    expect(errors).toEqual([]);
    // the maintainer name "<script>alert(1)</script>" in the server-rendered projects table is text too
    expect(await page.locator('#projects').textContent()).toContain('<script>alert(1)</script>');
  });

  it('shows every finding with its own aliases, files and dates (stored once in the page, shared by index); an alias finds it', async () => {
    const data = sampleReport();
    const html = renderHtml(data, opts);
    // the repeated lists and timestamps are in the page once
    expect(html.split('"2024-06-01T06:00:00.000Z"').length - 1).toBe(1);
    const { page, errors } = await openDashboard(html);
    await page.selectOption('#f-status', 'all');
    for (const f of data.findings) {
      await page.fill('#f-q', f.package);
      await page.dispatchEvent('#f-q', 'input');
      const row = page.locator('#findings-body tr.finding', { hasText: f.groupId }).filter({ hasText: f.version }).first();
      await row.click();
      const detail = page.locator('#findings-body tr.detail-row');
      await expect.poll(() => detail.count()).toBe(1);
      const text = (await detail.textContent()) ?? '';
      expect(text).toContain(`Aliases: ${f.aliases.join(', ')}`);
      expect(text).toContain(`Found in: ${f.targets.join(', ')} (`);
      expect(text).toContain(`First seen / last seen: ${f.firstSeen} / ${f.lastSeen}`);
      for (const id of f.advisoryIds) expect(text).toContain(id);
      await row.click(); // closes the detail
    }
    // an alias only the finding's alias list names (not its group id or package)
    await page.fill('#f-q', 'GHSA-g4xg-fxmg-vcg5');
    await page.dispatchEvent('#f-q', 'input');
    expect(await cells(page, 5)).toEqual(['grep-cli']);
    expect(errors).toEqual([]);
  });

  it('puts KEV-listed findings first, shows KEV and EPSS, and filters on them', async () => {
    const data = sampleReport();
    const axios = data.findings.find((f) => f.package === 'axios' && f.status !== 'fixed')!;
    axios.kev = { date_added: '2024-01-02', due_date: '2024-01-23', ransomware: false, cve: axios.groupId };
    axios.epss = { score: 0.42, percentile: 0.97, date: '2026-12-05', cve: axios.groupId };
    const redirects = data.findings.find((f) => f.package === 'follow-redirects')!;
    redirects.epss = { score: 0.02, percentile: 0.5, date: '2026-12-05', cve: redirects.groupId };
    const { page } = await openDashboard(renderHtml(data, opts));
    expect((await cells(page, 5))[0]).toBe('axios'); // KEV before the more severe grep-cli
    expect((await cells(page, 2))[0]).toBe('KEV 2024-01-02 EPSS 42.0%');
    await page.selectOption('#f-exploited', 'kev');
    expect(await cells(page, 5)).toEqual(['axios']);
    await page.selectOption('#f-exploited', '');
    await page.selectOption('#f-epss', '0.01');
    expect(await cells(page, 5)).toEqual(['axios', 'follow-redirects']);
  });

  it('filters by status, severity, project, maintainer, ecosystem and free text; the hash selects a view', async () => {
    const { page, file } = await openDashboard();
    expect(await cells(page, 5)).toEqual(['grep-cli', 'follow-redirects', 'axios']); // default: active findings, most severe (then highest CVSS) first
    expect(await page.locator('#count').textContent()).toBe('1-3 of 3 findings');
    await page.selectOption('#f-status', 'all');
    expect(await cells(page, 5)).toHaveLength(5);
    await page.selectOption('#f-severity', 'HIGH');
    expect(await cells(page, 5)).toEqual(['follow-redirects', 'axios']);
    await page.selectOption('#f-severity', '');
    await page.selectOption('#f-ecosystem', 'crates.io');
    expect(await cells(page, 5)).toEqual(['grep-cli']);
    await page.selectOption('#f-ecosystem', '');
    await page.selectOption('#f-maintainer', 'dev@acme.example');
    expect(await cells(page, 5)).toEqual(['follow-redirects', 'axios', 'axios']);
    await page.selectOption('#f-maintainer', '');
    await page.fill('#f-q', 'redirects');
    expect(await cells(page, 5)).toEqual(['follow-redirects']);
    await page.fill('#f-q', 'regular expression'); // words of the advisory summary
    expect(await cells(page, 7)).toEqual(['CVE-2021-3749']);
    await page.fill('#f-q', 'no-such-thing');
    expect(await page.locator('#count').textContent()).toBe('no findings match');
    // a per-project view by anchor, as the overview links make them
    await page.goto(`file://${file}#project=${encodeURIComponent('github.com/acme/web-frontend@main')}&status=all`);
    await page.waitForSelector('body[data-ready="1"]');
    await expect.poll(() => cells(page, 4)).toEqual(['github.com/acme/web-frontend@main', 'github.com/acme/web-frontend@main', 'github.com/acme/web-frontend@main']);
    expect(await page.inputValue('#f-project')).toBe('github.com/acme/web-frontend@main');
  });

  it('sorts by a column, toggling the direction', async () => {
    const { page } = await openDashboard();
    await page.selectOption('#f-status', 'all');
    await page.click('th[data-sort="pkg"]');
    expect(await cells(page, 5)).toEqual([HOSTILE.package, 'axios', 'axios', 'follow-redirects', 'grep-cli']);
    await page.click('th[data-sort="pkg"]');
    expect(await cells(page, 5)).toEqual(['grep-cli', 'follow-redirects', 'axios', 'axios', HOSTILE.package]);
    expect(await page.getAttribute('th[data-sort="pkg"]', 'aria-sort')).toBe('descending');
    await page.click('th[data-sort="cvss"]');
    expect(await cells(page, 3)).toEqual(['9.8', '8.0', '7.5', '5.9', '']);
  });

  it('renders the overview (cards, trend chart, top upgrades) and takes a screenshot', async () => {
    const { page, dir } = await openDashboard();
    expect(await page.locator('#sev-cards .card').allTextContents()).toEqual(['1CRITICAL', '2HIGH', '0MEDIUM', '0LOW', '0UNKNOWN']);
    expect(await page.locator('svg.trend polyline').count()).toBe(5);
    expect(await page.locator('svg.trend .legend').allTextContents()).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']);
    // highest weighted risk first (critical 10, high 5), ties by name
    expect(await page.locator('#top-upgrades li').allTextContents()).toEqual([
      'CRITICAL upgrade grep-cli 0.1.4 → 0.1.6 clears 1 advisory (1 CRITICAL) in 1 project',
      'HIGH upgrade axios 0.19.0 → 0.21.2 clears 1 advisory (1 HIGH) in 1 project',
      'HIGH upgrade follow-redirects 1.5.10 → 1.14.7 clears 1 advisory (1 HIGH) in 1 project',
    ]);
    expect(await page.locator('main').textContent()).not.toMatch(/\bother\b/i);
    const shot = path.join(dir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.KEEP_SCREENSHOT) await page.screenshot({ path: process.env.KEEP_SCREENSHOT, fullPage: true });
  });
});

describe('HTML dashboard: top upgrades', () => {
  it('ranks KEV-listed first, clears what has a fix, and lists the findings without a fixed version apart', async () => {
    const data = sampleReport();
    const redirects = data.findings.find((f) => f.package === 'follow-redirects')!;
    Object.assign(redirects, { fixedVersion: null, upgrade: null, upgradeTarget: null });
    const axios = data.findings.find((f) => f.package === 'axios' && f.status !== 'fixed')!;
    axios.kev = { date_added: '2024-01-02', due_date: '2024-01-23', ransomware: false, cve: axios.groupId };
    const { page } = await openDashboard(renderHtml(data, opts));
    expect(await page.locator('#top-upgrades li').allTextContents()).toEqual([
      'HIGH upgrade axios 0.19.0 → 0.21.2 clears 1 advisory (1 exploited, 1 HIGH) in 1 project', // KEV before the critical
      'CRITICAL upgrade grep-cli 0.1.4 → 0.1.6 clears 1 advisory (1 CRITICAL) in 1 project',
    ]);
    expect(await page.locator('#no-upgrade li').allTextContents()).toEqual(['HIGH follow-redirects 1.5.10: no fixed version known for 1 advisory (1 HIGH) in 1 project']);
    // a package link keeps the view and searches for the package
    expect(await page.locator('#top-upgrades li a').first().getAttribute('href')).toBe('#ecosystem=npm&q=axios');
  });
});

describe('HTML dashboard at 100k findings', () => {
  it('shows the first page of 200 rows, pages, filters; file size and time to first render are reported', async () => {
    const base = sampleReport();
    const sevs = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
    const projects = Array.from({ length: 2000 }, (_, i) => ({ ...base.projects[2]!, name: `github.com/acme/service-${i}@main`, url: `https://github.com/acme/service-${i}` }));
    const findings = Array.from({ length: 100_000 }, (_, i) => {
      const t = base.findings[i % 4]!;
      return { ...t, id: i, project: projects[i % 2000]!.name, package: `${t.package}-${i % 500}`, severity: sevs[i % 4]!, status: 'open' as const };
    });
    const data = { ...base, findings, projects };
    const started = performance.now();
    const html = renderHtml(data, opts);
    const renderMs = performance.now() - started;
    const { page } = await openDashboard(html);
    const firstRenderMs = (await page.evaluate('window.__icmsFirstRenderMs')) as number;
    expect(await page.locator('#findings-body tr.finding').count()).toBe(200);
    expect(await page.locator('#count').textContent()).toBe('1-200 of 100000 findings');
    await page.click('#next');
    expect(await page.locator('#count').textContent()).toBe('201-400 of 100000 findings');
    await page.selectOption('#f-project', 'github.com/acme/service-7@main');
    expect(await page.locator('#count').textContent()).toBe('1-50 of 50 findings');
    // figures for BENCHMARKS.md (not asserted: no timing assertions)
    console.log(`dashboard 100k findings: ${(Buffer.byteLength(html) / 1e6).toFixed(1)} MB, renderHtml ${renderMs.toFixed(0)} ms, first render in Chromium ${firstRenderMs.toFixed(0)} ms after navigation start`);
  }, 120_000);
});
