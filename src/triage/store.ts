/**
 * Triage operations on the store: accept/revoke with the findings updated in the same transaction, and the
 * register file synchronised both ways.
 */
import type { Db } from '../db/open.js';
import { inTransaction } from '../db/open.js';
import { applyAcceptances, insertAcceptance, listAcceptances, revokeAcceptance, updateAcceptance, type Acceptance, type NewAcceptance } from '../db/acceptances.js';
import { listProjects } from '../db/projects.js';
import { projectsNamed } from '../model/project-match.js';
import { usageError } from '../shared/errors.js';
import type { RegisterEntry } from './register.js';

/** Stores an acceptance and applies it at once; returns its id and how many findings it now covers. */
export function accept(db: Db, a: NewAcceptance, opts: { now: Date; runId: number | null }): { id: number; covered: number } {
  return inTransaction(db, () => {
    const id = insertAcceptance(db, a, opts.now);
    applyAcceptances(db, opts);
    const covered = (db.prepare('SELECT COUNT(*) AS n FROM findings WHERE acceptance_id = ?').get(id) as { n: number }).n;
    return { id, covered };
  });
}

/** Revokes an acceptance and re-opens what it covered ('acceptance revoked'); unknown or revoked id is exit 2. */
export function revoke(db: Db, id: number, opts: { now: Date; runId: number | null; by: string | null }): { reopened: number } {
  return inTransaction(db, () => {
    if (!revokeAcceptance(db, id, opts.now, opts.by)) throw usageError(`no active acceptance #${id}`, '`icms triage list` shows the ids');
    return { reopened: applyAcceptances(db, opts).reopened };
  });
}

const identity = (a: { advisoryId: string; kind: string; projectId: number | null; allProjects: boolean; package: string | null; packageVersion: string | null }): string =>
  [a.advisoryId.toUpperCase(), a.kind, a.allProjects ? '*' : a.projectId, a.package ?? '', a.packageVersion ?? ''].join('\0');

/** What an import changed. */
export interface ImportResult {
  added: number;
  updated: number;
  unchanged: number;
  revoked: number;
}

/**
 * Makes the store hold the register's entries (one transaction, all validated first): new ones added, changed
 * reasons/expiries updated; with `prune`, active acceptances missing from the file are revoked.
 */
export function importRegister(db: Db, entries: readonly RegisterEntry[], file: string, opts: { now: Date; runId: number | null; prune: boolean }): ImportResult {
  const projects = listProjects(db, { includeRemoved: true });
  const problems: string[] = [];
  const wanted = entries.map((e): NewAcceptance => {
    let projectId: number | null = null;
    if (!e.scope.allProjects) {
      // the same words `triage accept --project` takes; an active project wins over a removed one of that name
      const named = projectsNamed(projects, e.scope.project ?? '');
      const active = named.filter((p) => p.status === 'active');
      const pick = active.length > 0 ? active : named;
      if (pick.length === 1) projectId = pick[0]!.id;
      else if (pick.length === 0) problems.push(`${file}:${e.line}: unknown project ${JSON.stringify(e.scope.project)} (${e.id})`);
      else problems.push(`${file}:${e.line}: project ${JSON.stringify(e.scope.project)} (${e.id}) matches ${pick.length} projects: ${pick.map((p) => p.name).join(', ')}`);
    }
    return {
      advisoryId: e.id, kind: e.kind, projectId, allProjects: e.scope.allProjects, package: e.scope.package ?? null,
      packageVersion: e.scope.version ?? null, reason: e.reason, expires: e.expires ?? null, createdBy: e.by ?? null,
    };
  });
  if (problems.length > 0) {
    throw usageError(problems.length === 1 ? problems[0]! : `${problems.length} register entries name no single project:\n  ${problems.join('\n  ')}`, 'use a name `icms projects` shows (or its URL, or a unique part of it), or all_projects: true');
  }
  return inTransaction(db, () => {
    const current = new Map(listAcceptances(db).map((a) => [identity(a), a]));
    const out: ImportResult = { added: 0, updated: 0, unchanged: 0, revoked: 0 };
    const seen = new Set<string>();
    for (const w of wanted) {
      const key = identity(w);
      seen.add(key);
      const have = current.get(key);
      if (!have) {
        insertAcceptance(db, w, opts.now);
        out.added++;
      } else if (have.reason !== w.reason || have.expires !== w.expires || have.createdBy !== w.createdBy) {
        updateAcceptance(db, have.id, w);
        out.updated++;
      } else out.unchanged++;
    }
    if (opts.prune) {
      for (const [key, a] of current) {
        if (!seen.has(key) && revokeAcceptance(db, a.id, opts.now, `import ${file}`)) out.revoked++;
      }
    }
    applyAcceptances(db, opts);
    return out;
  });
}

/** The register entries of every acceptance not revoked (expired ones too: the review decides their fate). */
export function exportRegister(db: Db): Omit<RegisterEntry, 'line'>[] {
  return listAcceptances(db).map((a: Acceptance) => ({
    id: a.advisoryId,
    kind: a.kind,
    scope: { allProjects: a.allProjects, ...(a.allProjects ? {} : { project: a.project ?? String(a.projectId) }), ...(a.package ? { package: a.package } : {}), ...(a.packageVersion ? { version: a.packageVersion } : {}) },
    reason: a.reason,
    ...(a.expires ? { expires: a.expires } : {}),
    ...(a.createdBy ? { by: a.createdBy } : {}),
  }));
}
