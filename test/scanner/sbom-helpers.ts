/** Real SBOMs for tests: the bundled trivy writes CycloneDX / SPDX JSON of a directory or an image tar. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { bundledTrivy, runOptions } from './trivy-helpers.js';

/** Runs the real trivy with `--format cyclonedx|spdx-json` over `target` (`fs` dir or `image` tar); returns the file path. */
export async function trivySbom(kind: 'fs' | 'image', target: string, format: 'cyclonedx' | 'spdx-json'): Promise<string> {
  const opts = await runOptions();
  const out = path.join(opts.tmpDir, `sbom-${format}.json`);
  const input = kind === 'fs' ? [target] : [`--input=${target}`];
  await execa(bundledTrivy(), [kind, ...input, '--format', format, '--scanners', 'license', '--offline-scan', '--quiet', '--cache-dir', opts.cacheDir, '--output', out], {
    cwd: opts.tmpDir, env: { PATH: '/usr/bin:/bin' }, extendEnv: false, stdin: 'ignore',
  });
  await readFile(out); // fails loudly when trivy wrote nothing
  return out;
}
