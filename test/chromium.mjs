// Which Chromium the dashboard tests drive (shared by test/report/browser.ts and the `pretest` installer).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** ICMS_TEST_CHROMIUM, else Debian's or Ubuntu's package, else the one `playwright-core install` downloaded. */
export function findChromium(env = process.env) {
  const candidates = [env.ICMS_TEST_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  try {
    candidates.push(chromium.executablePath());
  } catch {
    // playwright-core knows no build for this platform
  }
  return candidates.find((c) => typeof c === 'string' && c !== '' && existsSync(c));
}
