/** Headless Chromium for dashboard tests: the Debian `chromium` package (or playwright's) driven by playwright-core, offline. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { onTestFinished } from 'vitest';

// @ts-expect-error -- a plain ES module shared with the pretest installer (test/ensure-chromium.mjs)
import { findChromium } from '../chromium.mjs';

/** The Chromium binary used, if any (`npm test` installs one first when there is none). */
export const CHROMIUM: string | undefined = (findChromium as (env?: NodeJS.ProcessEnv) => string | undefined)();

/** A fresh browser (own profile dir, no network features) and page; closed after the test. Fails if chromium is missing. */
export async function openBrowserPage(): Promise<{ page: Page; context: BrowserContext; console: string[]; errors: string[] }> {
  if (CHROMIUM === undefined || !existsSync(CHROMIUM)) {
    throw new Error('no Chromium found: the dashboard test needs headless Chromium. `npm test` installs one; or apt-get install -y chromium, or set ICMS_TEST_CHROMIUM');
  }
  const profile = await mkdtemp(path.join(os.tmpdir(), 'icms-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    viewport: { width: 1400, height: 1000 },
  });
  onTestFinished(async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const console: string[] = [];
  const errors: string[] = [];
  page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, context, console, errors };
}
