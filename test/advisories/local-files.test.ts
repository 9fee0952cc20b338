/**
 * The listing fingerprint of a local source (issue 16): the quick walk a no-change re-sync does gives exactly the
 * fingerprint the file-by-file walk of a sync stores, and any name, size or mtime change changes it. Real files.
 */
import { describe, it, expect } from 'vitest';
import { mkdirSync, renameSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jsonTreeFiles, jsonTreeFingerprint, listingFingerprint } from '../../src/advisories/local-files.js';
import { tmpDir } from '../helpers/tmp.js';

async function tree(): Promise<string> {
  const root = await tmpDir();
  mkdirSync(path.join(root, 'CVE-2019/CVE-2019-54xx'), { recursive: true });
  mkdirSync(path.join(root, 'CVE-2021/CVE-2021-44xx'), { recursive: true });
  mkdirSync(path.join(root, 'empty'));
  writeFileSync(path.join(root, 'nvdcve-2.0-modified.json'), '{}');
  writeFileSync(path.join(root, 'CVE-2019/CVE-2019-54xx/CVE-2019-5418.json'), '{"id":"CVE-2019-5418"}');
  writeFileSync(path.join(root, 'CVE-2019/CVE-2019-54xx/CVE-2019-5419.json'), '{"id":"CVE-2019-5419"}');
  writeFileSync(path.join(root, 'CVE-2019/README.md'), 'not a record');
  writeFileSync(path.join(root, 'CVE-2021/CVE-2021-44xx/CVE-2021-44228.json'), '{"id":"CVE-2021-44228"}');
  symlinkSync(path.join(root, 'CVE-2019'), path.join(root, 'CVE-2019-link'));
  return root;
}

const walked = (root: string): string => listingFingerprint(jsonTreeFiles(root));

describe('listing fingerprint of a mirror directory', () => {
  it('is the same from the quick walk and from the file-by-file walk, over every *.json at any depth', async () => {
    const root = await tree();
    expect([...jsonTreeFiles(root)].map((f) => f.rel)).toEqual([
      'CVE-2019/CVE-2019-54xx/CVE-2019-5418.json',
      'CVE-2019/CVE-2019-54xx/CVE-2019-5419.json',
      'CVE-2021/CVE-2021-44xx/CVE-2021-44228.json',
      'nvdcve-2.0-modified.json',
    ]);
    expect(jsonTreeFingerprint(root)).toBe(walked(root));
    expect(jsonTreeFingerprint(root)).toMatch(/^tree:4:[\w-]{43}$/);
  });

  it('changes with a touch (even by a few milliseconds), an edit of the same size, a rename, an added file', async () => {
    const root = await tree();
    const seen = new Set([jsonTreeFingerprint(root)]);
    const expectNew = (): void => {
      const fp = jsonTreeFingerprint(root);
      expect(fp).toBe(walked(root));
      expect(seen.has(fp)).toBe(false);
      seen.add(fp);
    };
    const file = path.join(root, 'CVE-2019/CVE-2019-54xx/CVE-2019-5418.json');
    // 2 ms past the truncated mtime: utimes takes seconds as a double, so "+1 ms" can land at +0.999999 ms and truncate
    // back to the same millisecond (the fingerprint's resolution)
    const later = new Date(Math.trunc(statSync(file).mtimeMs) + 2);
    utimesSync(file, later, later);
    expectNew();
    writeFileSync(file, '{"id":"CVE-2019-5417"}');
    utimesSync(file, new Date(later.getTime() + 5000), new Date(later.getTime() + 5000));
    expectNew();
    // the same names moved to another directory: only the directory differs
    renameSync(path.join(root, 'CVE-2021/CVE-2021-44xx'), path.join(root, 'CVE-2021/CVE-2021-45xx'));
    expectNew();
    writeFileSync(path.join(root, 'empty/CVE-2026-1.json'), '{}');
    expectNew();
  });
});
