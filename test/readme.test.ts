import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { runCli } from './helpers/cli.js';
import { tmpDir } from './helpers/tmp.js';

describe('README', () => {
  it('documents every configuration key exactly as `icms config keys --format markdown` prints it', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('\n', readme.indexOf('<!-- config-keys:start')) + 1;
    const section = readme.slice(start, readme.indexOf('<!-- config-keys:end -->'));
    const r = await runCli(['config', 'keys', '--format', 'markdown'], { cwd: await tmpDir() });
    expect(section).toBe(r.stdout);
  });

  it('documents every subcommand that --help lists', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const help = (await runCli(['--help'], { cwd: await tmpDir() })).stdout;
    const commands = [...help.slice(help.indexOf('Commands:')).matchAll(/^ {2}([a-z][a-z-]+)/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(commands.length).toBeGreaterThan(3);
    for (const c of commands) expect(readme).toContain(`icms ${c}`);
  });
});
