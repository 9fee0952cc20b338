import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { projectNameCandidates, repoIdentity } from '../../src/model/repo-url.js';
import { mergeProjects } from '../../src/inventory/normalize.js';
import { openDb } from '../../src/db/open.js';
import { ensureProject, listProjects, replaceInventory } from '../../src/db/projects.js';
import { selectProjects } from '../../src/cli/findings-view.js';
import type { Project } from '../../src/model/types.js';
import { tmpDir } from '../helpers/tmp.js';

const repo = (url: string, email: string, branch = 'main'): Project => ({ kind: 'repo', url, branch, maintainers: [{ name: email, email }], labels: {} });
const FORMS = ['https://github.com/org/repo', 'git@github.com:org/repo.git', 'ssh://git@github.com/org/repo.git'];

describe('one repository, whatever its URL form (issue 15 item 11)', () => {
  it('https, scp-style ssh and ssh:// (with or without .git, with a port) have one identity', () => {
    for (const u of [...FORMS, 'https://GitHub.com/org/repo.git/', 'ssh://git@github.com:22/org/repo']) expect(repoIdentity(u), u).toBe('github.com/org/repo');
    expect(repoIdentity('https://github.com/org/other')).toBe('github.com/org/other');
    expect(repoIdentity('file:///srv/a/cli.git')).toBe('local:/srv/a/cli');
  });

  it('the inventory merges them into one project (first URL cloned, maintainers united) and --project picks it by any form', async () => {
    const merged = mergeProjects(FORMS.map((u, i) => repo(u, `m${i}@example.com`)));
    expect(merged).toHaveLength(1);
    expect(merged[0]!.url).toBe('https://github.com/org/repo');
    expect(merged[0]!.maintainers.map((m) => m.email)).toEqual(['m0@example.com', 'm1@example.com', 'm2@example.com']);
    const db = openDb(path.join(await tmpDir(), 'icms.db'));
    try {
      replaceInventory(db, merged, new Date(), 'file');
      for (const w of [...FORMS, 'https://github.com/org/repo.git', 'git@github.com:org/repo.git@main', 'github.com/org/repo@main']) {
        expect(selectProjects(db, [w]).map((p) => p.name), w).toEqual(['github.com/org/repo@main']);
      }
      expect(() => selectProjects(db, ['git@github.com:org/nope.git'])).toThrow(/no active project matches/);
      // an inventory that switches the project to its ssh URL keeps the same project (and its history)
      const before = listProjects(db)[0]!.id;
      replaceInventory(db, [repo(FORMS[1]!, 'm0@example.com')], new Date(), 'file');
      expect(listProjects(db).map((p) => [p.id, p.url])).toEqual([[before, 'git@github.com:org/repo.git']]);
    } finally {
      db.close();
    }
  });
});

describe('unique project names', () => {
  it('two file:// repositories with the same folder name get one more parent folder; --project picks each', async () => {
    const db = openDb(path.join(await tmpDir(), 'icms.db'));
    try {
      replaceInventory(db, [repo('file:///srv/a/cli.git', 'a@example.com'), repo('file:///srv/b/cli.git', 'b@example.com')], new Date(), 'file');
      expect(listProjects(db).map((p) => p.name).sort()).toEqual(['local/b/cli@main', 'local/cli@main']);
      expect(selectProjects(db, ['local/b/cli@main']).map((p) => p.url)).toEqual(['file:///srv/b/cli.git']);
      expect(selectProjects(db, ['local/cli@main']).map((p) => p.url)).toEqual(['file:///srv/a/cli.git']);
      expect(selectProjects(db, ['file:///srv/b/cli.git']).map((p) => p.name)).toEqual(['local/b/cli@main']);
      // a local scan wanting a name the inventory holds gets ` #2`
      const id = ensureProject(db, { kind: 'local', url: 'file:///srv/a/cli', branch: 'main', maintainers: [], labels: {} }, new Date(), 'scan', 'local/cli@main');
      expect(listProjects(db).find((p) => p.id === id)?.name).toBe('local/cli@main #2');
    } finally {
      db.close();
    }
  });

  it('candidates: the usual name, more folders for file:// ones, then #2, #3', () => {
    const gen = projectNameCandidates({ kind: 'repo', url: 'file:///x/y/cli', branch: 'dev' });
    expect(Array.from({ length: 5 }, () => gen.next().value)).toEqual(['local/cli@dev', 'local/y/cli@dev', 'local/x/y/cli@dev', 'local/cli@dev #2', 'local/cli@dev #3']);
  });
});
