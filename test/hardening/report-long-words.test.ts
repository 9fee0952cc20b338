/**
 * `icms report` (table) with a package name of 8,000 characters and 40 findings whose version line is 6,000
 * characters of short words: it used to take minutes (cli-table3 re-measures the whole cell text per drawn line);
 * now the table is drawn from cells wrapped beforehand, every line within the width, nothing of the text lost.
 * (The suite's test timeout is what a hang runs into; nothing here measures time.)
 */
import { describe, expect, it } from 'vitest';
import { renderers } from '../../src/report/render/index.js';
import { sampleReport } from '../report/report-data.js';

/** The text of one column of a drawn table, its wrapped pieces joined back. */
function columnText(table: string, col: number): string {
  return table
    .split('\n')
    .filter((l) => l.startsWith('│'))
    .map((l) => l.split('│')[col + 1]!.trim())
    .join('');
}

describe('report table with very long words and lines', () => {
  it('an 8,000-character package name is wrapped within the width, all of it shown', () => {
    const data = sampleReport();
    const name = Array.from({ length: 8000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    data.findings = [{ ...data.findings[0]!, package: name }];
    const out = renderers.table(data, { color: false, columns: 120, toolVersion: '0' });
    const lines = out.trimEnd().split('\n');
    for (const l of lines.slice(0, -1)) expect([...l].length).toBeLessThanOrEqual(120);
    expect(columnText(out, 2)).toBe(`package${name}`);
  });

  it('40 findings with a 6,000-character version line of short words', () => {
    const data = sampleReport();
    const version = Array.from({ length: 1500 }, (_, i) => `v${i % 100}`).join(' ');
    data.findings = Array.from({ length: 40 }, (_, i) => ({ ...data.findings[1]!, id: i + 1, version }));
    const out = renderers.table(data, { color: false, toolVersion: '0' }); // not a TTY: natural widths
    for (const l of out.split('\n')) expect([...l].length).toBeLessThan(300);
    expect(out.split('\n').filter((l) => l.includes('v99')).length).toBeGreaterThanOrEqual(40);
  });
});
