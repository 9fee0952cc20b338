/** Temp directories removed when the test finishes (or, when made in beforeAll, when the test process exits). */
import { mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';

const leftovers: string[] = [];
process.once('exit', () => {
  for (const d of leftovers) rmSync(d, { recursive: true, force: true });
});

/** A fresh directory under the OS temp dir, removed after the current test (or the file's run). */
export async function tmpDir(prefix = 'icms-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  try {
    onTestFinished(async () => {
      await rm(dir, { recursive: true, force: true });
    });
  } catch {
    leftovers.push(dir); // called outside a test (beforeAll): clean up at exit
  }
  return dir;
}
