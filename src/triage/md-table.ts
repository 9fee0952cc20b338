/**
 * The reviewers' Markdown table of accepted CVEs: found by its header (column names vary), read row by row
 * with line numbers, and rewritten with rows removed/appended while every other byte stays as it was.
 * Table syntax: GitHub Flavored Markdown, https://github.github.com/gfm/#tables-extension-
 */
import { usageError } from '../shared/errors.js';
import { isIsoDate, normalizeVulnId } from './acceptance.js';

export type ColumnRole = 'id' | 'package' | 'project' | 'justification' | 'envScore' | 'score' | 'expires';

// First matching role wins per header; the id column is recognised before anything else.
const ROLES: readonly [ColumnRole, RegExp][] = [
  ['id', /^(cves?|cve[ -_]?ids?|ids?|vuln(erability)?( ids?)?|vulnerabilit(y|ies)|advisory( ids?)?|ghsa)$|\bcve\b/],
  ['package', /package|component|library|dependency|module|artifact/],
  ['project', /project|image|repo(sitory)?|service|application|system/],
  ['justification', /justification|reason|rationale|comment|notes?|explanation/],
  ['envScore', /env(ironmental)?\b.*score|score.*env/],
  ['score', /score|cvss|severity/],
  ['expires', /expir|until|valid|review|deadline|date/],
];

/** One data row of the table. */
export interface TableRow {
  /** 1-based line number in the file. */
  line: number;
  cells: string[];
  /** Vulnerability ids named in the id cell (a cell may name the CVE and its GHSA). */
  ids: string[];
  package: string | undefined;
  project: string | undefined;
  justification: string | undefined;
  /** Expiry day (YYYY-MM-DD) when the table has such a column and the cell is filled. */
  expires: string | undefined;
}

export interface AcceptedTable {
  /** The file split into lines, each with its own line ending. */
  lines: string[];
  headerLine: number;
  columns: string[];
  roles: Partial<Record<ColumnRole, number>>;
  rows: TableRow[];
  /** Index (0-based) of the last line belonging to the table. */
  lastLineIndex: number;
  /** Whether rows are written with outer pipes. */
  outerPipes: boolean;
  eol: string;
}

const SEPARATOR = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
const ID_PATTERN = /\b(CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3}|[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d{4}-[A-Za-z0-9-]+|NSWG-ECO-\d+)\b/gi;
const NO_DATE = /^(|-|—|n\/?a|none|never|tbd|\?)$/i;

/** Splits a table line into trimmed cells (an escaped `\|` stays inside its cell). */
export function splitCells(line: string): string[] {
  let body = line.trim();
  if (body.startsWith('|')) body = body.slice(1);
  if (body.endsWith('|') && !body.endsWith('\\|')) body = body.slice(0, -1);
  return body.split(/(?<!\\)\|/).map((c) => c.trim());
}

/** Plain text of a cell: without Markdown emphasis, code ticks and link targets. */
function plain(cell: string): string {
  return cell.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*`_]/g, '').replace(/\\\|/g, '|').trim();
}

/** Finds the accepted-CVE table in Markdown text and reads its rows; malformed input is exit 2 with `file:line`. */
export function parseAcceptedTable(text: string, file: string): AcceptedTable {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const content = lines.map((l) => l.replace(/\r?\n$/, ''));
  let firstTable: number | undefined;
  for (let i = 0; i + 1 < content.length; i++) {
    if (!content[i]!.includes('|') || !SEPARATOR.test(content[i + 1]!) || !content[i + 1]!.includes('-')) continue;
    firstTable ??= i;
    const columns = splitCells(content[i]!).map(plain);
    const roles = assignRoles(columns);
    if (roles.id === undefined) continue;
    return readTable(lines, content, i, columns, roles, file);
  }
  if (firstTable !== undefined) {
    throw usageError(`${file}:${firstTable + 1}: the table has no CVE column`, 'name one column CVE, ID or Vulnerability');
  }
  throw usageError(`${file}:1: no Markdown table found`, 'the file needs a table with a header row, a |---| row and a CVE column');
}

function assignRoles(columns: readonly string[]): Partial<Record<ColumnRole, number>> {
  const roles: Partial<Record<ColumnRole, number>> = {};
  columns.forEach((name, i) => {
    const lower = name.toLowerCase();
    const role = ROLES.find(([r, re]) => roles[r] === undefined && re.test(lower))?.[0];
    if (role) roles[role] = i;
  });
  return roles;
}

function readTable(lines: string[], content: string[], header: number, columns: string[], roles: Partial<Record<ColumnRole, number>>, file: string): AcceptedTable {
  const rows: TableRow[] = [];
  let last = header + 1;
  for (let i = header + 2; i < content.length && content[i]!.includes('|') && content[i]!.trim() !== ''; i++) {
    last = i;
    const cells = splitCells(content[i]!);
    const cell = (r: ColumnRole): string | undefined => {
      const at = roles[r];
      const v = at === undefined ? undefined : plain(cells[at] ?? '');
      return v === '' ? undefined : v;
    };
    const idCell = cell('id') ?? '';
    const ids = [...new Set([...idCell.matchAll(ID_PATTERN)].map((m) => normalizeVulnId(m[1]!)))];
    if (ids.length === 0) throw usageError(`${file}:${i + 1}: no vulnerability id in column "${columns[roles.id!]}": ${JSON.stringify(idCell)}`, 'write the CVE (or GHSA/OSV id) in that column');
    rows.push({ line: i + 1, cells, ids, package: cell('package'), project: cell('project'), justification: cell('justification'), expires: readDate(cell('expires'), file, i + 1) });
  }
  const eol = /\r\n$/.test(lines[header + 1] ?? '') ? '\r\n' : '\n';
  return { lines, headerLine: header + 1, columns, roles, rows, lastLineIndex: last, outerPipes: content[header]!.trim().startsWith('|'), eol };
}

function readDate(cell: string | undefined, file: string, line: number): string | undefined {
  if (cell === undefined || NO_DATE.test(cell)) return undefined;
  const m = /\b\d{4}-\d{2}-\d{2}\b/.exec(cell);
  if (!m || !isIsoDate(m[0])) throw usageError(`${file}:${line}: not a date: ${JSON.stringify(cell)}`, 'write dates as YYYY-MM-DD (or leave the cell empty)');
  return m[0];
}

/** A row to append: values by role; other columns stay empty. */
export type NewTableRow = Partial<Record<ColumnRole, string>>;

/** The file with `remove` rows (by line number) dropped and `append` rows added after the table; all else byte-identical. */
export function rewriteTable(table: AcceptedTable, remove: ReadonlySet<number>, append: readonly NewTableRow[]): string {
  const out: string[] = [];
  table.lines.forEach((line, i) => {
    if (!remove.has(i + 1)) out.push(line);
    if (i !== table.lastLineIndex || append.length === 0) return;
    if (!/\n$/.test(out[out.length - 1] ?? '\n')) out[out.length - 1] += table.eol;
    for (const r of append) out.push(formatRow(table, r) + table.eol);
  });
  return out.join('');
}

function formatRow(table: AcceptedTable, r: NewTableRow): string {
  const cells = table.columns.map((_, i) => {
    const role = (Object.keys(table.roles) as ColumnRole[]).find((k) => table.roles[k] === i);
    return (role ? (r[role] ?? '') : '').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
  });
  return table.outerPipes ? `| ${cells.join(' | ')} |` : cells.join(' | ');
}
