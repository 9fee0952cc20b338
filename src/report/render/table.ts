/** `--format table`: a terminal table fitted to the width, severities coloured on a TTY, and a totals line. */
import Table from 'cli-table3';
import { Chalk, type ChalkInstance } from 'chalk';
import type { Severity } from '../../model/types.js';
import type { ReportData } from '../model.js';
import { groupFindings, severityLine } from '../summary.js';
import { findingCells } from './cells.js';
import type { RenderOptions } from './types.js';

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
  for (const l of s.split('\n')) max = Math.max(max, [...l].length);
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

function draw(head: string[], rawRows: string[][], opts: RenderOptions, severityCol: number | undefined): string {
  const chalk = new Chalk({ level: opts.color ? 1 : 0 });
  const colWidths = fitWidths([head, ...rawRows], opts.columns);
  const rows = rawRows.map((r) => r.map((c, i) => breakLongWords(c, colWidths[i]! - 2)));
  const table = new Table({
    head,
    colWidths,
    wordWrap: true,
    // one line per row: no separator between rows, so long reports stay compact
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    wrapOnWordBoundary: true,
    style: { head: opts.color ? ['cyan'] : [], border: opts.color ? ['grey'] : [] },
  });
  for (const r of rows) table.push(severityCol === undefined ? r : r.map((c, i) => (i === severityCol ? paint(chalk, c as Severity) : c)));
  return table.toString();
}

/** `KEV 2021-12-10` and/or `EPSS 94.4%`. */
function exploitedCell(f: { kev: { date_added: string | null } | null; epss: { score: number } | null }): string {
  return [f.kev ? `KEV ${f.kev.date_added ?? ''}`.trim() : '', f.epss ? `EPSS ${(f.epss.score * 100).toFixed(1)}%` : ''].filter(Boolean).join(' ');
}

/** Renders the findings (or, with `by`, the groups) as a table followed by a totals line. */
export function renderTable(data: ReportData, opts: RenderOptions): string {
  const t = data.totals;
  const totals = `${t.findings} finding(s) (status ${data.filters.status}) in ${t.projects} project(s): ${severityLine(t.bySeverity)}`;
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
