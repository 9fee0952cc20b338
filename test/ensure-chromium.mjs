// `npm test`'s pretest: the dashboard tests need a headless Chromium. When none is found it is installed —
// Debian's package when apt-get may be used (root, or sudo without a password), else playwright-core's own
// download into ~/.cache/ms-playwright. Without one the tests cannot run, so this fails loudly instead.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { findChromium } from './chromium.mjs';

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (!findChromium()) {
  console.log('pretest: no Chromium found for the dashboard tests; installing one');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = !root && has('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (has('apt-get') && (root || sudo)) {
    const apt = (args) => (root ? run('apt-get', args) : run('sudo', ['-n', 'apt-get', ...args]));
    if (!(apt(['update', '-qq']) && apt(['install', '-y', '-qq', 'chromium']))) console.log('pretest: apt-get could not install chromium');
  }
  if (!findChromium()) {
    const cli = createRequire(import.meta.url).resolve('playwright-core/cli.js');
    run(process.execPath, [cli, 'install', 'chromium']);
  }
  const found = findChromium();
  if (!found) {
    console.error('pretest: could not install Chromium. Install it (apt-get install -y chromium) or set ICMS_TEST_CHROMIUM to a Chromium binary.');
    process.exit(1);
  }
  console.log(`pretest: using ${found}`);
}
