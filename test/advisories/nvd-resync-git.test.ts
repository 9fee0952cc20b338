/**
 * A local NVD source that is a git checkout (as the public mirror is): a clean checkout is named by its git tree id, so
 * a re-sync of the same tree reads nothing; anything git cannot vouch for (changes on disk, staged, untracked or
 * ignored records, files on trust, a sparse checkout) falls back to the listing walk and is still seen. Real git, real
 * files, real SQLite.
 */
import { describe, it, expect } from 'vitest';
import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb, type Db } from '../../src/db/open.js';
import { syncAdvisories, type SyncOptions } from '../../src/advisories/sync.js';
import type { AdvisorySourceConfig } from '../../src/advisories/config.js';
import { getAdvisory, getSourceRow } from '../../src/db/advisories.js';
import { cleanGitTree } from '../../src/advisories/git-tree.js';
import type { Logger } from '../../src/shared/log.js';
import { git } from '../helpers/git.js';
import { tmpDir } from '../helpers/tmp.js';

const RECORDS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/nvd/records');
const COUNT = 8; // records in fixtures/nvd/records
const RAILS = 'CVE-2019/CVE-2019-54xx/CVE-2019-5418.json';
const cfg = (p: string): AdvisorySourceConfig[] => [{ name: 'nvd', type: 'nvd', path: p, pageSize: 2000, rateWindowMs: 0, timeoutMs: 5000, retries: 0, backoffMs: 0 }];

interface Checkout {
  db: Db;
  /** The repository's work tree. */
  repo: string;
  /** The mirror directory inside it (a subdirectory, as a mirror kept in a larger repository would be). */
  dir: string;
  env: Record<string, string>;
  debug: string[];
  sync: () => Promise<Awaited<ReturnType<typeof syncAdvisories>>['sources'][number]>;
  commitAll: (message: string) => Promise<void>;
}

async function checkout(): Promise<Checkout> {
  const work = await tmpDir();
  const repo = path.join(work, 'mirror');
  const dir = path.join(repo, 'cves');
  cpSync(RECORDS, dir, { recursive: true });
  writeFileSync(path.join(repo, 'README.md'), 'a mirror\n');
  await git(repo, 'init', '-q', '--initial-branch', 'main');
  const commitAll = async (message: string): Promise<void> => {
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-q', '-m', message);
  };
  await commitAll('records');
  // git as icms runs it: PATH to find it, a HOME of its own (no user configuration)
  const env = { PATH: process.env.PATH ?? '', HOME: work };
  const db = openDb(path.join(work, 'icms.db'));
  const debug: string[] = [];
  const logger: Logger = { debug: (m) => debug.push(m), info: () => undefined, warn: () => undefined, error: () => undefined, progress: () => undefined };
  const opts: SyncOptions = { logger, now: () => new Date('2026-12-06T00:00:00Z'), tmpDir: work, env };
  return { db, repo, dir, env, debug, commitAll, sync: async () => (await syncAdvisories(db, cfg(dir), opts)).sources[0]! };
}

/** Rewrites a record as NVD would on a change: another score, a newer lastModified each time. */
let changes = 0;
function rescore(file: string, score: number): void {
  const rec = JSON.parse(readFileSync(file, 'utf8')) as { lastModified: string; metrics: { cvssMetricV31: { cvssData: { baseScore: number } }[] } };
  rec.metrics.cvssMetricV31[0]!.cvssData.baseScore = score;
  rec.lastModified = `2026-12-06T10:00:${String(++changes).padStart(2, '0')}.000`;
  writeFileSync(file, JSON.stringify(rec, null, 2));
}

const storedEtag = (db: Db): string | null | undefined => getSourceRow(db, 'nvd')?.etag;
const railsScore = (db: Db): number | undefined => getAdvisory(db, 'nvd', 'CVE-2019-5418')?.baseScore;

describe('re-sync of an NVD mirror that is a git checkout', () => {
  it('names a clean checkout by its tree id and answers the same tree without reading; a pulled change is read', async () => {
    const c = await checkout();
    try {
      expect(await c.sync()).toMatchObject({ added: COUNT, notModified: false });
      const tree = await git(c.repo, 'rev-parse', 'HEAD:cves');
      expect(storedEtag(c.db)).toBe(`git:${tree}`);
      expect(await c.sync()).toMatchObject({ unchanged: COUNT, notModified: true });
      // a commit outside the mirror directory leaves its tree, and the answer, as they were
      writeFileSync(path.join(c.repo, 'README.md'), 'a mirror, updated\n');
      await c.commitAll('readme');
      expect(await c.sync()).toMatchObject({ unchanged: COUNT, notModified: true });
      // a new commit of a record (what `git pull` brings): another tree, the record is read
      rescore(path.join(c.dir, RAILS), 9.1);
      await c.commitAll('rescore');
      expect(await c.sync()).toMatchObject({ updated: 1, unchanged: COUNT - 1, notModified: false });
      expect(railsScore(c.db)).toBe(9.1);
      expect(storedEtag(c.db)).toBe(`git:${await git(c.repo, 'rev-parse', 'HEAD:cves')}`);
      expect(await c.sync()).toMatchObject({ notModified: true });
    } finally {
      c.db.close();
    }
  });

  it('sees a record changed on disk but not committed, and one staged, through the listing walk', async () => {
    const c = await checkout();
    try {
      await c.sync();
      rescore(path.join(c.dir, RAILS), 8.2);
      expect(await c.sync()).toMatchObject({ updated: 1, notModified: false });
      expect(railsScore(c.db)).toBe(8.2);
      expect(c.debug.join('\n')).toMatch(/no git tree id for .*cves \(files changed since HEAD\)/);
      // the listing fingerprint answers while the change stays uncommitted
      expect(storedEtag(c.db)).toMatch(/^tree:/);
      expect(await c.sync()).toMatchObject({ notModified: true });
      await git(c.repo, 'add', '-A');
      rescore(path.join(c.dir, RAILS), 3.3);
      expect(await c.sync()).toMatchObject({ updated: 1 });
      expect(railsScore(c.db)).toBe(3.3);
      await c.commitAll('now committed');
      // committed, no file changed: the listing that named it last still answers
      expect(await c.sync()).toMatchObject({ notModified: true });
      expect(storedEtag(c.db)).toMatch(/^tree:/);
      // the next change (pulled) is compared file by file, and from then on the tree id names it
      rescore(path.join(c.dir, RAILS), 4.4);
      await c.commitAll('pulled');
      expect(await c.sync()).toMatchObject({ updated: 1, notModified: false });
      expect(railsScore(c.db)).toBe(4.4);
      expect(storedEtag(c.db)).toMatch(/^git:/);
      expect(await c.sync()).toMatchObject({ notModified: true });
    } finally {
      c.db.close();
    }
  });

  it('sees a record file git does not track, ignored or not; other untracked files do not matter', async () => {
    const c = await checkout();
    try {
      await c.sync();
      const rails = readFileSync(path.join(c.dir, RAILS), 'utf8');
      writeFileSync(path.join(c.dir, 'notes.txt'), 'mine\n');
      expect(await cleanGitTree(c.dir, { env: c.env })).toEqual({ tree: await git(c.repo, 'rev-parse', 'HEAD:cves') });
      expect(await c.sync()).toMatchObject({ notModified: true });
      writeFileSync(path.join(c.dir, 'CVE-2019/extra.json'), rails.replace(/CVE-2019-5418/g, 'CVE-2019-99999'));
      expect(await c.sync()).toMatchObject({ added: 1, notModified: false });
      // committed, and a record in a directory git ignores: still a file git does not track
      writeFileSync(path.join(c.repo, '.gitignore'), 'hidden/\n');
      await c.commitAll('extra committed, hidden/ ignored');
      expect((await cleanGitTree(c.dir, { env: c.env })).tree).toBe(await git(c.repo, 'rev-parse', 'HEAD:cves'));
      mkdirSync(path.join(c.dir, 'hidden'));
      writeFileSync(path.join(c.dir, 'hidden/CVE-2019-88888.json'), rails.replace(/CVE-2019-5418/g, 'CVE-2019-88888'));
      expect(await cleanGitTree(c.dir, { env: c.env })).toMatchObject({ why: '1 .json files git does not track' });
      expect(await c.sync()).toMatchObject({ added: 1, notModified: false });
      expect(getAdvisory(c.db, 'nvd', 'CVE-2019-88888')).toBeDefined();
    } finally {
      c.db.close();
    }
  });

  it('does not take a file on trust: assume-unchanged and skip-worktree (sparse) files mean no tree id', async () => {
    const c = await checkout();
    try {
      await c.sync();
      await git(c.repo, 'update-index', '--assume-unchanged', `cves/${RAILS}`);
      rescore(path.join(c.dir, RAILS), 5.5);
      expect(await cleanGitTree(c.dir, { env: c.env })).toMatchObject({ why: expect.stringMatching(/assume-unchanged/) });
      expect(await c.sync()).toMatchObject({ updated: 1 });
      expect(railsScore(c.db)).toBe(5.5);
      await git(c.repo, 'update-index', '--no-assume-unchanged', `cves/${RAILS}`);
      await git(c.repo, 'update-index', '--skip-worktree', `cves/${RAILS}`);
      expect((await cleanGitTree(c.dir, { env: c.env })).tree).toBeUndefined();
    } finally {
      c.db.close();
    }
  });

  it('gives no tree id outside a git checkout or without git, and the listing walk answers as before', async () => {
    const work = await tmpDir();
    cpSync(RECORDS, path.join(work, 'nvd'), { recursive: true });
    const env = { PATH: process.env.PATH ?? '', HOME: work };
    expect(await cleanGitTree(path.join(work, 'nvd'), { env })).toMatchObject({ why: expect.stringMatching(/not a git repository/) });
    // no git on PATH (a directory without it)
    const noGit = { PATH: path.join(work, 'nvd'), HOME: work };
    const c = await checkout();
    try {
      expect(await cleanGitTree(c.dir, { env: noGit })).toMatchObject({ why: expect.stringMatching(/ENOENT/) });
      const opts: SyncOptions = { logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, progress: () => undefined }, now: () => new Date(), tmpDir: work, env: noGit };
      expect((await syncAdvisories(c.db, cfg(c.dir), opts)).sources[0]).toMatchObject({ added: COUNT });
      expect(storedEtag(c.db)).toMatch(/^tree:/);
      expect((await syncAdvisories(c.db, cfg(c.dir), opts)).sources[0]).toMatchObject({ notModified: true });
      // with git: the listing that named it last still answers, and no git process is started for that
      expect(await c.sync()).toMatchObject({ notModified: true });
      expect(storedEtag(c.db)).toMatch(/^tree:/);
      expect(c.debug).toEqual([]);
      // once something changes (here a commit touching a record), it is compared file by file and named by its tree
      rescore(path.join(c.dir, RAILS), 6.6);
      await c.commitAll('rescored');
      expect(await c.sync()).toMatchObject({ updated: 1, notModified: false });
      expect(storedEtag(c.db)).toBe(`git:${await git(c.repo, 'rev-parse', 'HEAD:cves')}`);
      expect(await c.sync()).toMatchObject({ notModified: true });
      appendFileSync(path.join(c.dir, RAILS), ' ');
      expect(await c.sync()).toMatchObject({ notModified: false });
    } finally {
      c.db.close();
    }
  });
});
