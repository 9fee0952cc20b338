/** `--format csv`: RFC 4180 with CRLF line ends, safe to open in a spreadsheet. */
import type { ReportData } from '../model.js';
import { groupFindings } from '../summary.js';
import { FINDING_COLUMNS, findingCells } from './cells.js';
import type { RenderOptions } from './types.js';

/**
 * One CSV field: a leading = + - @ tab or CR would make a spreadsheet evaluate the cell as a formula
 * (OWASP "CSV injection"), so such cells get a leading `'`; fields with quotes, commas or line breaks are quoted.
 */
export function csvField(value: string | number): string {
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Renders findings (or, with `by`, the groups) as CSV with a header row. */
export function renderCsv(data: ReportData, opts: RenderOptions): string {
  const lines: string[] = [];
  const row = (cells: (string | number)[]): void => {
    lines.push(cells.map(csvField).join(','));
  };
  if (opts.by) {
    row([opts.by, 'findings', 'projects', 'worst', 'critical', 'high', 'medium', 'low', 'unknown']);
    for (const g of groupFindings(data.findings, opts.by)) {
      const s = g.bySeverity;
      row([g.key, g.total, g.projects, g.worst, s.CRITICAL, s.HIGH, s.MEDIUM, s.LOW, s.UNKNOWN + s.NONE]);
    }
  } else {
    row([...FINDING_COLUMNS, 'maintainers', 'acceptance_reason']);
    for (const f of data.findings) row([...findingCells(f, data), f.maintainers.join(' '), f.acceptance?.reason ?? f.statusNote ?? '']);
  }
  return lines.map((l) => `${l}\r\n`).join('');
}
