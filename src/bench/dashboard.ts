/**
 * Is the dashboard usable: opens a `report --format html` file in headless Chromium (Debian's /usr/bin/chromium
 * driven by playwright-core, a dev dependency loaded only here) and times the first rendered rows and a few
 * interactions, each until the next frame after the page's handler ran.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { round } from './measure.js';

/** Debian's Chromium, as the dashboard tests use it. */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags this machine needs (no sandbox in the container, no GPU, nothing on the network). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Times of one dashboard, ms. */
export interface DashboardRun {
  bytes: number;
  /** From `goto` until the first finding rows are in the table (wall clock, this process). */
  firstRowsMs: number;
  /** When the page's script finished its first draw, ms after navigation start (the page's own clock). */
  scriptDoneMs: number;
  /** The "1-200 of N findings" line after the first draw. */
  countText: string;
  /** Typing a package name into the search box (the first search also builds the search text of every row). */
  searchMs: number;
  /** A second search, another word. */
  searchAgainMs: number;
  /** Choosing a project in the project filter (search cleared first). */
  projectFilterMs: number;
  /** Sorting by package (clicking the column header). */
  sortMs: number;
  /** The next page of rows. */
  nextPageMs: number;
  /** JS heap used by the page after the interactions, MB (Chromium's performance.memory). */
  heapMb: number;
}

/** Opens `file` and measures it; throws (with the step) when a step takes longer than `timeoutMs`. */
export async function measureDashboard(file: string, timeoutMs = 120_000): Promise<DashboardRun> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'icms-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 1000 } });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(timeoutMs);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const t = performance.now();
    await page.goto(`file://${file}`, { waitUntil: 'commit' });
    await page.waitForSelector('#findings-body tr.finding');
    const firstRowsMs = performance.now() - t;
    await page.waitForSelector('body[data-ready="1"]');
    const scriptDoneMs = (await page.evaluate('window.__icmsFirstRenderMs')) as number;
    const countText = (await page.textContent('#count')) ?? '';
    // One interaction: set the control, fire its event, wait for the frame after the handler's redraw.
    const act = async (selector: string, value: string | null, event: string): Promise<number> =>
      (await page.evaluate(`(async (sel, val, ev) => {
        const el = document.querySelector(sel);
        const start = performance.now();
        if (val !== null) el.value = val;
        if (ev === 'click') el.click(); else el.dispatchEvent(new Event(ev, { bubbles: true }));
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        return performance.now() - start;
      })(${JSON.stringify(selector)}, ${JSON.stringify(value)}, ${JSON.stringify(event)})`)) as number;
    const firstPackage = (await page.textContent('#findings-body tr.finding td:nth-child(4)')) ?? 'a';
    const searchMs = await act('#f-q', firstPackage, 'input');
    const searchAgainMs = await act('#f-q', 'zzz-no-such-package', 'input');
    await act('#f-q', '', 'input');
    const project = (await page.evaluate("document.getElementById('f-project').options[1]?.value ?? ''")) as string;
    const projectFilterMs = await act('#f-project', project, 'change');
    await act('#f-project', '', 'change');
    const sortMs = await act('th[data-sort="pkg"]', null, 'click');
    const nextPageMs = await act('#next', null, 'click');
    const heapMb = (await page.evaluate('performance.memory ? performance.memory.usedJSHeapSize : 0')) as number;
    if (errors.length > 0) throw new Error(`dashboard script errors: ${errors.join('; ')}`);
    return {
      bytes: statSync(file).size, firstRowsMs: round(firstRowsMs), scriptDoneMs: round(scriptDoneMs), countText,
      searchMs: round(searchMs), searchAgainMs: round(searchAgainMs), projectFilterMs: round(projectFilterMs), sortMs: round(sortMs), nextPageMs: round(nextPageMs),
      heapMb: round(heapMb / 2 ** 20),
    };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
