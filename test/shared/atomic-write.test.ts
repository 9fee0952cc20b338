import { readFileSync, readdirSync, writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/shared/atomic-write.js';
import { tmpDir } from '../helpers/tmp.js';

describe('writeFileAtomic', () => {
  it('writes a string, pieces from a generator and buffers from an async generator, with the mode asked for', async () => {
    const dir = await tmpDir();
    const a = path.join(dir, 'a.txt');
    await writeFileAtomic(a, 'whole');
    expect(readFileSync(a, 'utf8')).toBe('whole');
    const pieces = Array.from({ length: 50_000 }, (_, i) => `line ${i} é\n`); // more than one batch, multi-byte text
    function* gen() {
      yield* pieces;
    }
    await writeFileAtomic(a, gen(), { mode: 0o640 });
    expect(readFileSync(a, 'utf8')).toBe(pieces.join(''));
    expect(statSync(a).mode & 0o777).toBe(0o640);
    async function* bufs() {
      yield Buffer.from('one,');
      yield 'two';
    }
    await writeFileAtomic(a, bufs());
    expect(readFileSync(a, 'utf8')).toBe('one,two');
    expect(readdirSync(dir)).toEqual(['a.txt']);
  });

  it('a source that fails half way leaves the old file as it was and no temp file behind', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'report.json');
    writeFileSync(file, 'previous report');
    function* failing() {
      yield 'x'.repeat(3 << 20); // a full batch is written before the failure
      throw new Error('renderer broke');
    }
    await expect(writeFileAtomic(file, failing())).rejects.toThrow('renderer broke');
    expect(readFileSync(file, 'utf8')).toBe('previous report');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });
});
