/** Headless Chromium for dashboard tests: the Debian `chromium` package driven by playwright-core, offline. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { onTestFinished } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';

/** A fresh browser (own profile dir, no network features) and page; closed after the test. Fails if chromium is missing. */
export async function openBrowserPage(): Promise<{ page: Page; context: BrowserContext; console: string[]; errors: string[] }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the dashboard test needs headless Chromium. Install it with: apt-get install -y chromium`);
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
