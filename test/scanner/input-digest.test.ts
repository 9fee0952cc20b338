import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import { inputDigest } from '../../src/scanner/input-digest.js';
import type { Package } from '../../src/model/types.js';
import { tmpDir } from '../helpers/tmp.js';

const pkg = (target: string): Package => ({ ecosystem: 'npm', name: 'a', version: '1', pkgType: 'npm', target, indirect: false, matchName: 'a', matchVersion: '1' });

describe('inputDigest', () => {
  it('is equal for the same files and differs when a lockfile changes; images (no directory) have none', async () => {
    const dir = await tmpDir();
    await mkdir(path.join(dir, 'web'));
    await writeFile(path.join(dir, 'web', 'package-lock.json'), '{"lockfileVersion":2}');
    await writeFile(path.join(dir, 'go.mod'), 'module x');
    const pkgs = [pkg('web/package-lock.json'), pkg('go.mod'), pkg('go.mod')];
    const first = await inputDigest(dir, pkgs);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await inputDigest(dir, [...pkgs].reverse())).toBe(first);
    await writeFile(path.join(dir, 'web', 'package-lock.json'), '{"lockfileVersion":3}');
    expect(await inputDigest(dir, pkgs)).not.toBe(first);
    expect(await inputDigest(dir, [pkg('../outside')])).toBe(await inputDigest(dir, [pkg('../outside')]));
    expect(await inputDigest('alpine:3.19', pkgs)).toBeUndefined();
  });
});
