/** Table helpers shared by the version scheme tests. */
import { expect } from 'vitest';
import type { VersionScheme } from '../../src/versions/scheme.js';

/** -1, 0 or 1 (never -0, which toBe tells apart from 0). */
export const signOf = (n: number): number => Math.sign(n) || 0;

/** Every earlier version sorts strictly below every later one, both ways round. */
export function expectStrictlyAscending(scheme: VersionScheme, versions: readonly string[]): void {
  for (let i = 0; i < versions.length; i++) {
    for (let j = i + 1; j < versions.length; j++) {
      const [lo, hi] = [versions[i] as string, versions[j] as string];
      expect(Math.sign(scheme.compare(lo, hi)), `${lo} < ${hi}`).toBe(-1);
      expect(Math.sign(scheme.compare(hi, lo)), `${hi} > ${lo}`).toBe(1);
    }
  }
}

/** Pairs from an upstream test as [a, b, expected sign]; checks both directions. */
export function expectComparison(scheme: VersionScheme, a: string, b: string, expected: number): void {
  expect(scheme.isValid(a), `${a} is valid`).toBe(true);
  expect(scheme.isValid(b), `${b} is valid`).toBe(true);
  expect(signOf(scheme.compare(a, b)), `${a} vs ${b}`).toBe(expected);
  expect(signOf(scheme.compare(b, a)), `${b} vs ${a}`).toBe(expected === 0 ? 0 : -expected);
}

/** Parses `a OP b` lines (`<`, `=`, `>`), ignoring `#` comments and blank lines. */
export function parseOpLines(text: string): [string, string, number][] {
  const rows: [string, string, number][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [a, op, b] = line.split(/\s+/);
    const sign = op === '<' ? -1 : op === '=' ? 0 : op === '>' ? 1 : undefined;
    if (a === undefined || b === undefined || sign === undefined) throw new Error(`bad line: ${raw}`);
    rows.push([a, b, sign]);
  }
  return rows;
}
