/** `--format markdown`: a GitHub-flavoured table that pastes into an issue or a handbook page. */
import { stripControl } from '../../shared/text-safety.js';
import type { ReportData } from '../model.js';
import { groupFindings, severityLine } from '../summary.js';
import { findingCells } from './cells.js';
import type { RenderOptions } from './types.js';
import { plural } from '../../shared/plural.js';

/**
 * Text for one table cell: HTML-significant characters as entities (no raw HTML from advisories), markdown
 * punctuation backslash-escaped (no links or emphasis smuggled in), `|` escaped, line breaks as `<br>`.
 */
export function markdownCell(value: string | number): string {
  return stripControl(String(value))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|#~!]/g, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, '<br>');
}

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]): string => `| ${cells.map(markdownCell).join(' | ')} |`;
  return [line(head), `|${head.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

/** Renders a heading, the totals, and a findings (or groups) table. */
export function renderMarkdown(data: ReportData, opts: RenderOptions): string {
  const t = data.totals;
  const out = [
    '## icms report',
    '',
    `Generated ${markdownCell(data.generatedAt)}: ${plural(t.findings, 'finding')} (status ${data.filters.status}) in ${plural(t.projects, 'project')}: ${severityLine(t.bySeverity)}.`,
    '',
  ];
  if (opts.by) {
    // `unknown` counts unrated findings (UNKNOWN, and NONE): Go's vulndb rates nothing, and they must not vanish from the sum
    const rows = groupFindings(data.findings, opts.by).map((g) => [g.key, g.total, g.projects, g.worst, g.bySeverity.CRITICAL, g.bySeverity.HIGH, g.bySeverity.MEDIUM, g.bySeverity.LOW, g.bySeverity.UNKNOWN + g.bySeverity.NONE]);
    out.push(table([opts.by, 'findings', 'projects', 'worst', 'critical', 'high', 'medium', 'low', 'unknown'], rows));
  } else if (data.findings.length > 0) {
    const rows = data.findings.map((f) => {
      const c = findingCells(f, data);
      return [c[0]!, c[2]!, `${c[4]} ${c[5]}`, c[6]!, c[9]!, c[8]!, c[12]!];
    });
    out.push(table(['severity', 'project', 'package', 'advisory', 'fix', 'status', 'summary'], rows));
  } else {
    out.push('No findings.');
  }
  return `${out.join('\n')}\n`;
}
