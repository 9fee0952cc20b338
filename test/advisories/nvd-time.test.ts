import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { nvdTime } from '../../src/advisories/nvd-record.js';

/** What nvdTime means: the UTC instant of NVD's zoneless text (or of a zoned one), as ISO text; undefined if none. */
function byParsing(v: string): string | undefined {
  const ms = Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

describe('nvdTime', () => {
  it('gives the parsed instant for every timestamp of NVD form, valid or not (its quick path included)', () => {
    const stamp = fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 999 }))
      .map(([y, mo, d, h, mi, s, ms]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}`);
    fc.assert(
      fc.property(stamp, (v) => {
        expect(nvdTime(v)).toBe(byParsing(v));
      }),
      { numRuns: 20_000 },
    );
  });

  it('rolls over or rejects what only looks like a date, as the parse does', () => {
    expect(nvdTime('2024-02-30T00:00:00.000')).toBe('2024-03-01T00:00:00.000Z');
    expect(nvdTime('2023-02-29T10:00:00.000')).toBe('2023-03-01T10:00:00.000Z');
    expect(nvdTime('2024-02-29T10:00:00.000')).toBe('2024-02-29T10:00:00.000Z');
    expect(nvdTime('2024-01-31T24:00:00.000')).toBe('2024-02-01T00:00:00.000Z');
    expect(nvdTime('2024-13-01T00:00:00.000')).toBeUndefined();
    expect(nvdTime('2024-01-01T23:59:60.000')).toBeUndefined();
    expect(nvdTime('2024-12-12T02:02:07.970')).toBe('2024-12-12T02:02:07.970Z');
  });

  it('reads zoned and shorter forms, and nothing else', () => {
    expect(nvdTime('2024-12-12T02:02:07Z')).toBe('2024-12-12T02:02:07.000Z');
    expect(nvdTime('2024-12-12T02:02:07.970+02:00')).toBe('2024-12-12T00:02:07.970Z');
    expect(nvdTime('2024-12-12T02:02:07.97')).toBe('2024-12-12T02:02:07.970Z');
    for (const bad of ['', 'yesterday', ' 2024-12-12T02:02:07.970', 7, null, undefined]) expect(nvdTime(bad)).toBeUndefined();
  });
});
