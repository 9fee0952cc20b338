import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAcceptedTable, rewriteTable, splitCells } from '../../src/triage/md-table.js';
import { FIXTURES } from './pipeline.js';
import { icmsErrorOf as usageErrorOf } from '../helpers/errors.js';

const handbook = readFileSync(path.join(FIXTURES, 'accepted-4.1.md'), 'utf8');

describe('parseAcceptedTable', () => {
  it('skips the unrelated table and reads the accepted one with line numbers and column roles', () => {
    const t = parseAcceptedTable(handbook, 'accepted.md');
    expect(t.headerLine).toBe(11);
    expect(t.roles).toEqual({ id: 0, package: 1, project: 2, justification: 3, envScore: 4, expires: 5 });
    expect(t.rows.map((r) => [r.line, r.ids, r.package, r.project, r.expires])).toEqual([
      [13, ['GHSA-cph5-m8f7-6c5x'], 'axios', 'web-frontend', '2099-12-31'],
      [14, ['CVE-2015-8315'], 'ms', 'web-frontend', '2099-12-31'],
      [15, ['CVE-2022-0155'], 'follow-redirects', 'web-frontend', '2024-01-31'],
      [16, ['CVE-1999-0001'], 'left-pad', 'web-frontend', undefined],
    ]);
    // an escaped pipe stays inside its cell; Markdown code ticks are dropped
    expect(t.rows[1]!.justification).toBe('ms parses build-time constants only | no user input');
  });

  it.each([
    ['| Vulnerability | Library | Image | Reason | CVSS | Valid until |', { id: 0, package: 1, project: 2, justification: 3, score: 4, expires: 5 }],
    ['| **ID** | package | repository | rationale | env. score | review date |', { id: 0, package: 1, project: 2, justification: 3, envScore: 4, expires: 5 }],
    ['CVE ID | Component | Notes', { id: 0, package: 1, justification: 2 }],
  ])('recognises the columns of %j', (header, roles) => {
    const cols = splitCells(header).length;
    const t = parseAcceptedTable(`${header}\n${Array(cols).fill('---').join('|')}\n`, 't.md');
    expect(t.roles).toEqual(roles);
    expect(t.rows).toEqual([]);
  });

  it('reads several ids from one cell, in any case, and links', () => {
    const t = parseAcceptedTable('| CVE | Package |\n|---|---|\n| [cve-2014-1850](https://nvd.nist.gov) / CVE-2014-3743 | marked |\n', 't.md');
    expect(t.rows[0]!.ids).toEqual(['CVE-2014-1850', 'CVE-2014-3743']);
  });

  it.each([
    ['a table without a CVE column', '# x\n\n| Owner | Area |\n|---|---|\n| a | b |\n', 'accepted.md:3', /no CVE column/],
    ['no table at all', 'just prose\n', 'accepted.md:1', /no Markdown table/],
    ['a bad date', '| CVE | Expires |\n|---|---|\n| CVE-2021-3749 | 2024-01-31 |\n| CVE-2020-28168 | 2024-02-30 |\n', 'accepted.md:4', /not a date: "2024-02-30"/],
    ['a word for a date', '| CVE | Expires |\n|---|---|\n| CVE-2021-3749 | next spring |\n', 'accepted.md:3', /not a date/],
    ['a row without an id', '| CVE | Package |\n|---|---|\n| CVE-2021-3749 | axios |\n| | ms |\n', 'accepted.md:4', /no vulnerability id/],
  ])('rejects %s with the line number (exit 2)', (_what, text, where, message) => {
    const err = usageErrorOf(() => parseAcceptedTable(text, 'accepted.md'));
    expect(err.exitCode).toBe(2);
    expect(err.message.startsWith(`${where}: `)).toBe(true);
    expect(err.message).toMatch(message);
  });

  it('treats an empty, dash or n/a expiry cell as no expiry', () => {
    const t = parseAcceptedTable('| CVE | Expires |\n|---|---|\n| CVE-2021-3748 | |\n| CVE-2021-3749 | - |\n| CVE-2021-3750 | n/a |\n', 't.md');
    expect(t.rows.map((r) => r.expires)).toEqual([undefined, undefined, undefined]);
  });
});

describe('rewriteTable', () => {
  it('drops resolved rows and appends new ones; every other byte stays', () => {
    const t = parseAcceptedTable(handbook, 'accepted.md');
    const out = rewriteTable(t, new Set([14, 16]), [{ id: 'CVE-2020-28168', package: 'axios', project: 'web-frontend', envScore: '7.1', justification: '' }]);
    const lines = handbook.split('\n');
    const expected = [...lines.slice(0, 13), lines[14], '| CVE-2020-28168 | axios | web-frontend |  | 7.1 |  |', ...lines.slice(16)].join('\n');
    expect(out).toBe(expected);
    // the rewritten table reads back: the kept rows, then the new one
    expect(parseAcceptedTable(out, 'x.md').rows.map((r) => r.ids[0])).toEqual(['GHSA-cph5-m8f7-6c5x', 'CVE-2022-0155', 'CVE-2020-28168']);
  });

  it('changes nothing when nothing is resolved or new', () => {
    const t = parseAcceptedTable(handbook, 'accepted.md');
    expect(rewriteTable(t, new Set(), [])).toBe(handbook);
  });

  it('keeps CRLF line endings and escapes pipes in new cells', () => {
    const crlf = readFileSync(path.join(FIXTURES, 'accepted-crlf.md'), 'utf8');
    const t = parseAcceptedTable(crlf, 'crlf.md');
    const out = rewriteTable(t, new Set(), [{ id: 'CVE-2021-3749', package: 'axios', justification: 'a | b' }]);
    expect(out).toBe(`${crlf}| CVE-2021-3749 | axios | a \\| b |\r\n`);
  });

  it('ends the last row with a newline before appending when the file had none, without outer pipes if the table has none', () => {
    const text = 'CVE | Package\n--- | ---\nCVE-2021-3749 | axios';
    const out = rewriteTable(parseAcceptedTable(text, 't.md'), new Set(), [{ id: 'CVE-2020-28168', package: 'axios' }]);
    expect(out).toBe('CVE | Package\n--- | ---\nCVE-2021-3749 | axios\nCVE-2020-28168 | axios\n');
  });
});
