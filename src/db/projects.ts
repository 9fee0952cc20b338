/** SQL for projects and maintainers: the inventory is replaced in one transaction. */
import type { Db } from './open.js';
import { inTransaction } from './open.js';
import type { Maintainer, Project, StoredProject } from '../model/types.js';
import { projectName, projectNameCandidates, repoIdentity } from '../model/repo-url.js';

export interface InventoryChange {
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: number;
  total: number;
}

interface ProjectRow {
  id: number;
  kind: Project['kind'];
  url: string;
  branch: string;
  name: string;
  labels: string;
  status: 'active' | 'removed';
  first_seen: string;
  last_seen: string;
}

/**
 * Replaces the repository inventory from `source` with `projects` (one transaction): new ones are added,
 * missing ones marked removed (kept for history), changed maintainers/labels updated.
 */
export function replaceInventory(db: Db, projects: readonly Project[], now: Date, source: string): InventoryChange {
  const at = now.toISOString();
  return inTransaction(db, () => {
    // repositories, images and SBOMs (those `scan` stored ad hoc are taken over when the inventory lists them)
    const existing = db.prepare("SELECT * FROM projects WHERE kind IN ('repo', 'image', 'local')").all() as (ProjectRow & { source: string })[];
    const byUrl = new Map(existing.map((r) => [`${r.kind}\0${r.url}\0${r.branch}`, r]));
    // the same repository written another way (https / scp-style ssh / ssh://) is the same project
    const byIdentity = new Map<string, ProjectRow>();
    for (const r of existing) {
      if (r.kind !== 'repo') continue;
      const k = `${repoIdentity(r.url) ?? r.url}\0${r.branch}`;
      if (!byIdentity.has(k) || r.status === 'active') byIdentity.set(k, r);
    }
    // names other projects keep: what `scan` stored ad hoc (an inventory row claims its own name again below)
    const names = nameRegistry(db, "kind != 'repo' AND source = 'scan' AND status = 'active'");
    const seen = new Set<number>();
    const change: InventoryChange = { added: [], removed: [], changed: [], unchanged: 0, total: projects.length };
    const insert = db.prepare(
      'INSERT INTO projects (kind, url, branch, name, labels, source, status, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, \'active\', ?, ?)',
    );
    const update = db.prepare("UPDATE projects SET url = ?, name = ?, labels = ?, source = ?, status = 'active', removed_at = NULL, last_seen = ? WHERE id = ?");
    for (const p of projects) {
      const found = byUrl.get(`${p.kind}\0${p.url}\0${p.branch}`) ?? (p.kind === 'repo' ? byIdentity.get(`${repoIdentity(p.url) ?? p.url}\0${p.branch}`) : undefined);
      const row = found && !seen.has(found.id) ? found : undefined;
      const labels = JSON.stringify(sortKeys(p.labels));
      const name = names.claim(p, row?.id);
      let id: number;
      if (!row) {
        id = Number(insert.run(p.kind, p.url, p.branch, name, labels, source, at, at).lastInsertRowid);
        change.added.push(name);
      } else {
        id = row.id;
        const before = maintainerEmails(db, id);
        const isChanged = row.status === 'removed' || row.labels !== labels || row.name !== name || before !== p.maintainers.map((m) => m.email.toLowerCase()).sort().join(',');
        update.run(p.url, name, labels, source, at, id);
        if (row.status === 'removed') change.added.push(name);
        else if (isChanged) change.changed.push(name);
        else change.unchanged++;
      }
      seen.add(id);
      setMaintainers(db, id, p.maintainers);
    }
    const remove = db.prepare("UPDATE projects SET status = 'removed', removed_at = ? WHERE id = ?");
    for (const r of existing) {
      if (r.status === 'active' && !seen.has(r.id) && !(r.kind !== 'repo' && r.source === 'scan')) {
        remove.run(at, r.id);
        change.removed.push(r.name);
      }
    }
    return change;
  });
}

/**
 * Hands out unique project names: the usual name unless another active project has it, else the next of
 * projectNameCandidates (more folders of a file:// path, then ` #2`, ` #3`, …).
 */
function nameRegistry(db: Db, takenWhere: string): { claim(p: Pick<Project, 'url' | 'branch' | 'kind'>, selfId: number | undefined, usual?: string): string } {
  const taken = new Map<string, number | null>();
  for (const r of db.prepare(`SELECT id, name FROM projects WHERE ${takenWhere}`).all() as { id: number; name: string }[]) taken.set(r.name, r.id);
  return {
    claim(p, selfId, usual) {
      for (const name of projectNameCandidates(p, usual)) {
        const holder = taken.get(name);
        if (holder === undefined || (selfId !== undefined && holder === selfId)) {
          taken.set(name, selfId ?? null);
          return name;
        }
      }
      throw new Error('unreachable: name candidates are endless');
    },
  };
}

function maintainerEmails(db: Db, projectId: number): string {
  return (
    db
      .prepare('SELECT lower(m.email) FROM maintainers m JOIN project_maintainers pm ON pm.maintainer_id = m.id WHERE pm.project_id = ?')
      .pluck()
      .all(projectId) as string[]
  )
    .sort()
    .join(',');
}

function setMaintainers(db: Db, projectId: number, maintainers: readonly Maintainer[]): void {
  db.prepare('DELETE FROM project_maintainers WHERE project_id = ?').run(projectId);
  const upsert = db.prepare('INSERT INTO maintainers (email, name) VALUES (?, ?) ON CONFLICT(email) DO UPDATE SET name = excluded.name RETURNING id');
  const link = db.prepare('INSERT OR IGNORE INTO project_maintainers (project_id, maintainer_id) VALUES (?, ?)');
  for (const m of maintainers) {
    const { id } = upsert.get(m.email, m.name) as { id: number };
    link.run(projectId, id);
  }
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/** Projects with their maintainers; by default only active ones. */
export function listProjects(db: Db, opts: { includeRemoved?: boolean; kind?: Project['kind'] } = {}): StoredProject[] {
  const rows = db
    .prepare(
      `SELECT * FROM projects WHERE (? OR status = 'active') AND (? IS NULL OR kind = ?) ORDER BY name`,
    )
    .all(opts.includeRemoved ? 1 : 0, opts.kind ?? null, opts.kind ?? null) as ProjectRow[];
  const maint = db.prepare(
    'SELECT m.name, m.email FROM maintainers m JOIN project_maintainers pm ON pm.maintainer_id = m.id WHERE pm.project_id = ? ORDER BY m.email',
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    url: r.url,
    branch: r.branch,
    name: r.name,
    labels: JSON.parse(r.labels) as Record<string, string>,
    status: r.status,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    maintainers: maint.all(r.id) as Maintainer[],
  }));
}

/** Active images and SBOMs from the inventory (not the ones `scan` stored ad hoc): `scan --all` scans them. */
export function listInventoryExtras(db: Db): StoredProject[] {
  const ids = new Set(db.prepare("SELECT id FROM projects WHERE kind IN ('image', 'local') AND source != 'scan' AND status = 'active'").pluck().all() as number[]);
  return listProjects(db).filter((p) => ids.has(p.id));
}

/** Number of active repository projects (an empty fetch must not wipe a non-empty inventory). */
export function countActiveRepos(db: Db): number {
  return (db.prepare("SELECT COUNT(*) AS n FROM projects WHERE kind = 'repo' AND status = 'active'").get() as { n: number }).n;
}

/**
 * Finds or creates a non-inventory project (a local directory, an SBOM or an image), returning its id. `name` is the
 * name asked for (--name); without it a stored project keeps its name, and a new one gets `fallback` (default
 * projectName). When another active project holds the name, the next unique candidate is used.
 */
export function ensureProject(db: Db, p: Project, now: Date, source: string, name?: string, fallback?: string): number {
  const at = now.toISOString();
  const row = db.prepare('SELECT id, name FROM projects WHERE kind = ? AND url = ? AND branch = ?').get(p.kind, p.url, p.branch) as { id: number; name: string } | undefined;
  const names = nameRegistry(db, "status = 'active'");
  // a project scanned again without --name keeps the name it has (e.g. one given by an earlier --name)
  const unique = names.claim(p, row?.id, name ?? row?.name ?? fallback ?? projectName(p));
  if (row) {
    db.prepare("UPDATE projects SET name = ?, last_seen = ?, status = 'active', removed_at = NULL WHERE id = ?").run(unique, at, row.id);
    return row.id;
  }
  return Number(
    db
      .prepare("INSERT INTO projects (kind, url, branch, name, labels, source, status, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)")
      .run(p.kind, p.url, p.branch, unique, JSON.stringify(p.labels), source, at, at).lastInsertRowid,
  );
}

/** Records an inventory fetch attempt (ok or failed) for `icms runs` and doctor. */
export function recordInventoryFetch(db: Db, entry: { source: string; at: Date; status: 'ok' | 'failed'; counts?: object; error?: string; runId?: number }): void {
  db.prepare('INSERT INTO inventory_fetches (run_id, source, fetched_at, status, counts, error) VALUES (?, ?, ?, ?, ?, ?)').run(
    entry.runId ?? null,
    entry.source,
    entry.at.toISOString(),
    entry.status,
    JSON.stringify(entry.counts ?? {}),
    entry.error ?? null,
  );
}

/** Gives a non-inventory project the name its user chose (an SBOM stored with `scan --save --name`). */
export function renameProject(db: Db, id: number, name: string): void {
  db.prepare('UPDATE projects SET name = ? WHERE id = ?').run(name, id);
}
