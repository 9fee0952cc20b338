/**
 * The release check: current findings (or a trivy report) against the reviewers' accepted-CVE table.
 * Four disjoint lists: new (found, no row), resolved (row, nothing found: the row can go), expired (row still
 * matching but its date has passed), still accepted (row still matching, in date).
 */
import { splitPackageSpec } from './acceptance.js';
import type { AcceptedTable, NewTableRow, TableRow } from './md-table.js';

/** One vulnerable package occurrence to check against the table. */
export interface DiffItem {
  /** Every id the occurrence is known by. */
  ids: string[];
  /** Its alias group (the CVE when there is one). */
  groupId: string;
  package: string;
  version: string;
  project: string;
  projectUrl?: string;
  severity?: string;
  score?: number | null;
  envScore?: number | null;
  status?: string;
}

/** A finding without a table row, grouped by vulnerability, package and project. */
export interface NewEntry {
  id: string;
  package: string;
  project: string;
  versions: string[];
  items: DiffItem[];
}

export interface TableDiff {
  new: NewEntry[];
  resolved: TableRow[];
  /**
   * Rows a scoped check (--project/--label) cannot judge: their project is outside the scope, or they name no
   * project and nothing in scope matches them (another project may still need them). Kept as they are.
   */
  outOfScope: TableRow[];
  expired: { row: TableRow; items: DiffItem[] }[];
  stillAccepted: { row: TableRow; items: DiffItem[] }[];
}

/**
 * Compares `items` with the table rows; `groupOf` maps any id to its alias group, `today` is YYYY-MM-DD. With
 * `scope` (the projects a --project/--label check covers), only rows of those projects are judged.
 */
export function diffAcceptedTable(
  table: AcceptedTable,
  items: readonly DiffItem[],
  opts: { groupOf: (id: string) => string; today: string; scope?: readonly Pick<DiffItem, 'project' | 'projectUrl'>[] | undefined },
): TableDiff {
  const covered = new Set<DiffItem>();
  const out: TableDiff = { new: [], resolved: [], outOfScope: [], expired: [], stillAccepted: [] };
  const { scope } = opts;
  for (const row of table.rows) {
    const groups = new Set(row.ids.map((id) => opts.groupOf(id).toUpperCase()));
    const ids = new Set(row.ids.map((id) => id.toUpperCase()));
    const hits = items.filter(
      (it) => (groups.has(it.groupId.toUpperCase()) || it.ids.some((id) => ids.has(id.toUpperCase()))) && packageMatches(row.package, it) && projectMatches(row.project, it),
    );
    for (const h of hits) covered.add(h);
    const outside = scope !== undefined && (row.project !== undefined ? !scope.some((p) => projectMatches(row.project, p)) : hits.length === 0);
    if (outside) out.outOfScope.push(row);
    else if (hits.length === 0) out.resolved.push(row);
    else if (row.expires !== undefined && row.expires < opts.today) out.expired.push({ row, items: hits });
    else out.stillAccepted.push({ row, items: hits });
  }
  const byKey = new Map<string, NewEntry>();
  for (const it of items) {
    if (covered.has(it)) continue;
    const id = displayId(it);
    const key = `${id}\0${it.package}\0${it.project}`;
    const entry = byKey.get(key) ?? { id, package: it.package, project: it.project, versions: [], items: [] };
    if (!entry.versions.includes(it.version)) entry.versions.push(it.version);
    entry.items.push(it);
    byKey.set(key, entry);
  }
  out.new = [...byKey.values()].sort((a, b) => a.id.localeCompare(b.id) || a.package.localeCompare(b.package) || a.project.localeCompare(b.project));
  return out;
}

/** The id a new row shows: the CVE when the occurrence has one, else its group id. */
function displayId(it: DiffItem): string {
  return [it.groupId, ...it.ids].find((id) => /^CVE-/i.test(id)) ?? it.groupId;
}

function packageMatches(cell: string | undefined, it: DiffItem): boolean {
  if (cell === undefined) return true;
  const name = splitPackageSpec(cell.split(/\s+/)[0]!).name.toLowerCase();
  return name === it.package.toLowerCase();
}

/** A project cell names a project by its full name, URL, or last path segment (image names without tag). */
export function projectMatches(cell: string | undefined, it: Pick<DiffItem, 'project' | 'projectUrl'>): boolean {
  if (cell === undefined) return true;
  const want = cell.toLowerCase();
  const names = [it.project, it.projectUrl ?? ''].map((n) => n.toLowerCase()).filter(Boolean);
  return names.some((n) => {
    const noBranch = n.replace(/@[^/@]*$/, '');
    const noTag = noBranch.replace(/:[^/:]*$/, '');
    const last = noTag.split('/').pop() ?? noTag;
    return [n, noBranch, noTag, last].includes(want) || noBranch.endsWith(`/${want}`);
  });
}

/** Rows to append for new entries: id, package, project and score filled; the justification left for a reviewer. */
export function newRowsFor(table: AcceptedTable, entries: readonly NewEntry[]): NewTableRow[] {
  return entries.map((e) => {
    const env = maxOf(e.items.map((i) => i.envScore));
    const base = maxOf(e.items.map((i) => i.score));
    const row: NewTableRow = { id: e.id, package: table.roles.package !== undefined ? e.package : undefined, project: e.project, justification: '' };
    if (table.roles.envScore !== undefined && env !== undefined) row.envScore = String(env);
    if (table.roles.score !== undefined && base !== undefined) row.score = String(base);
    if (table.roles.package === undefined) row.id = `${e.id} (${e.package})`;
    return row;
  });
}

function maxOf(xs: readonly (number | null | undefined)[]): number | undefined {
  const nums = xs.filter((x): x is number => typeof x === 'number');
  return nums.length ? Math.max(...nums) : undefined;
}
