/** `--format table`: a terminal table fitted to the width, severities coloured on a TTY, and a totals line. */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Severity } from '../../model/types.js';
import type { ReportData } from '../model.js';
import { groupFindings, severityLine } from '../summary.js';
import { findingCells } from './cells.js';
import type { RenderOptions } from './types.js';
import { plural } from '../../shared/plural.js';

const MAX_NATURAL = 60;
const MIN_COL = 6;

/** Column widths (padding included) that fit `columns` characters, shrinking the widest columns first. */
export function fitWidths(rows: readonly (readonly string[])[], columns: number | undefined): number[] {
  const n = rows[0]?.length ?? 0;
  const widths = new Array<number>(n).fill(0);
  for (const r of rows) for (let i = 0; i < n; i++) widths[i] = Math.max(widths[i]!, Math.min(MAX_NATURAL, longestLine(r[i] ?? '')) + 2);
  if (columns === undefined) return widths;
  const borders = n + 1;
  let excess = widths.reduce((a, b) => a + b, 0) + borders - columns;
  while (excess > 0) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= MIN_COL) break;
    widths[widest]!--;
    excess--;
  }
  return widths;
}

function longestLine(s: string): number {
  let max = 0;
  for (const l of s.split('\n')) max = Math.max(max, textWidth(l));
  return max;
}

function paint(chalk: ChalkInstance, sev: Severity): string {
  switch (sev) {
    case 'CRITICAL':
      return chalk.bgRed.white.bold(sev);
    case 'HIGH':
      return chalk.red.bold(sev);
    case 'MEDIUM':
      return chalk.yellow(sev);
    case 'LOW':
      return chalk.blue(sev);
    default:
      return chalk.gray(sev);
  }
}

/** Breaks words longer than `width` into pieces, so that cli-table3 wraps them instead of truncating. */
export function breakLongWords(text: string, width: number): string {
  if (width < 1) return text;
  return text
    .split('\n')
    .map((line) => line.split(' ').map((w) => ([...w].length <= width ? w : ([...w].join('').match(new RegExp(`.{1,${width}}`, 'gu')) ?? [w]).join('\n'))).join(' '))
    .join('\n');
}

/** Columns a character takes in a terminal: 2 for East Asian wide and emoji ranges, else 1. */
function charWidth(c: string): number {
  const cp = c.codePointAt(0) ?? 0;
  const wide =
    (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}

/** Terminal columns of a one-line text. */
function textWidth(s: string): number {
  let w = 0;
  for (const c of s) w += charWidth(c);
  return w;
}

/**
 * Wraps one cell to `width` columns: at spaces, words wider than the width broken. Linear in the text: the table is
 * drawn here from one-line cells, not by cli-table3, whose wrapping and per-line re-measuring of the whole cell
 * cost O(lines × length²) (a 4,000-character package name took 20 s, 40 rows of 6,000 characters never ended).
 */
export function wrapCell(text: string, width: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let cur = '';
    let curWidth = 0;
    for (const word of line.split(' ')) {
      const w = textWidth(word);
      if (cur !== '' || curWidth > 0) {
        if (curWidth + 1 + w <= width) {
          cur += ` ${word}`;
          curWidth += 1 + w;
          continue;
        }
        out.push(cur);
      }
      cur = '';
      curWidth = 0;
      for (const c of word) {
        const cw = charWidth(c);
        if (curWidth + cw > width && cur !== '') {
          out.push(cur);
          cur = '';
          curWidth = 0;
        }
        cur += c;
        curWidth += cw;
      }
    }
    out.push(cur);
  }
  return out;
}

function draw(head: string[], rawRows: string[][], opts: RenderOptions, severityCol: number | undefined): string {
  const chalk = new Chalk({ level: opts.color ? 1 : 0 });
  const colWidths = fitWidths([head, ...rawRows], opts.columns);
  const border = (s: string): string => (opts.color ? chalk.grey(s) : s);
  const rule = (left: string, mid: string, right: string): string => border(left + colWidths.map((w) => '─'.repeat(w)).join(mid) + right);
  const out: string[] = [rule('┌', '┬', '┐')];
  // one line per row, no separator between rows (long reports stay compact); a wrapped row takes several lines
  const drawRow = (cells: readonly string[], style: (text: string, col: number, line: number) => string): void => {
    const wrapped = cells.map((c, i) => wrapCell(c, Math.max(1, colWidths[i]! - 2)));
    const height = Math.max(1, ...wrapped.map((lines) => lines.length));
    for (let k = 0; k < height; k++) {
      const parts = wrapped.map((lines, i) => {
        const text = lines[k] ?? '';
        const pad = ' '.repeat(Math.max(0, colWidths[i]! - 2 - textWidth(text)));
        return ` ${style(text, i, k)}${pad} `;
      });
      out.push(border('│') + parts.join(border('│')) + border('│'));
    }
  };
  drawRow(head, (t) => (opts.color ? chalk.cyan(t) : t));
  for (const r of rawRows) drawRow(r, (t, i, k) => (k === 0 && i === severityCol ? paint(chalk, t as Severity) : t));
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}

/** `KEV 2021-12-10` and/or `EPSS 94.4%`. */
function exploitedCell(f: { kev: { date_added: string | null } | null; epss: { score: number } | null }): string {
  return [f.kev ? `KEV ${f.kev.date_added ?? ''}`.trim() : '', f.epss ? `EPSS ${(f.epss.score * 100).toFixed(1)}%` : ''].filter(Boolean).join(' ');
}

/** Renders the findings (or, with `by`, the groups) as a table followed by a totals line. */
export function renderTable(data: ReportData, opts: RenderOptions): string {
  const t = data.totals;
  const totals = `${plural(t.findings, 'finding')} (status ${data.filters.status}) in ${plural(t.projects, 'project')}: ${severityLine(t.bySeverity)}`;
  if (opts.by) {
    const rows = groupFindings(data.findings, opts.by).map((g) => [g.key, String(g.total), String(g.projects), g.worst, severityLine(g.bySeverity)]);
    if (rows.length === 0) return `${totals}\n`;
    return `${draw([opts.by, 'findings', 'projects', 'worst', 'by severity'], rows, opts, 3)}\n${totals}\n`;
  }
  if (data.findings.length === 0) return `No findings match.\n${totals}\n`;
  // the exploitation column only once a KEV or EPSS source gave something to show
  const signals = data.findings.some((f) => f.kev || f.epss);
  const rows = data.findings.map((f) => {
    const c = findingCells(f, data);
    return signals ? [c[0]!, exploitedCell(f), c[2]!, c[4]!, c[5]!, c[6]!, c[9]!, c[8]!] : [c[0]!, c[2]!, c[4]!, c[5]!, c[6]!, c[9]!, c[8]!];
  });
  const head = signals ? ['severity', 'exploited', 'project', 'package', 'version', 'advisory', 'fix', 'status'] : ['severity', 'project', 'package', 'version', 'advisory', 'fix', 'status'];
  const kev = data.findings.filter((f) => f.kev).length;
  return `${draw(head, rows, opts, 0)}\n${totals}${kev ? `; ${kev} in CISA KEV (known exploited)` : ''}\n`;
}
