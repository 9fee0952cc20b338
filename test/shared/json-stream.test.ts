import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batched, jsonChunks } from '../../src/shared/json-stream.js';

const join = (it: Iterable<string>): string => [...it].join('');

describe('jsonChunks', () => {
  it('gives exactly what JSON.stringify gives, compact and indented, wherever the streamed key stands', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
        fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }),
        fc.string({ maxLength: 6 }),
        fc.constantFrom<0 | 2>(0, 2),
        (doc, items, key, indent) => {
          const whole = { ...doc, [key]: items };
          expect(join(jsonChunks(doc, key, items, indent))).toBe(JSON.stringify(whole, null, indent || undefined));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('leaves out undefined values as JSON.stringify does, and streams items from a generator', () => {
    function* gen() {
      yield { a: 1, skip: undefined };
      yield [1, 'two'];
    }
    const doc = { schema_version: 1, gone: undefined, findings: 'placeholder', after: { x: [] } };
    const expected = JSON.stringify({ ...doc, findings: [{ a: 1 }, [1, 'two']] }, null, 2);
    expect(join(jsonChunks(doc, 'findings', gen(), 2))).toBe(expected);
    expect(join(jsonChunks({}, 'findings', [], 2))).toBe(JSON.stringify({ findings: [] }, null, 2));
  });

  it('batched joins pieces into fewer strings without losing or reordering any', () => {
    const pieces = Array.from({ length: 1000 }, (_, i) => `piece-${i};`);
    const out = [...batched(pieces, 100)];
    expect(out.join('')).toBe(pieces.join(''));
    expect(out.length).toBeLessThan(pieces.length / 5);
  });
});
