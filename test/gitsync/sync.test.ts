import { readFile, readdir, mkdir, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/shared/errors.js';
import { silentLogger } from '../../src/shared/log.js';
import { headCommit, remoteHead, syncRepo, type SyncOptions } from '../../src/gitsync/sync.js';
import { git, makeGitRepo } from '../helpers/git.js';
import { tmpDir } from '../helpers/tmp.js';
import { rejectionOf as caught } from '../helpers/errors.js';

async function options(): Promise<SyncOptions> {
  return { workDir: await tmpDir(), timeoutMs: 30_000, logger: silentLogger, env: { PATH: process.env.PATH, HOME: process.env.HOME } };
}

describe('syncRepo against a file:// remote', () => {
  it('clones the branch shallowly into the work dir', async () => {
    const remote = await makeGitRepo({ 'package.json': '{"name":"a"}' });
    const opts = await options();
    const res = await syncRepo({ url: remote.url, branch: 'main' }, opts);
    expect(res.action).toBe('cloned');
    expect(res.head).toBe(await git(remote.workDir, 'rev-parse', 'HEAD'));
    expect(res.dir.startsWith(path.join(opts.workDir, 'repos', 'local') + path.sep)).toBe(true);
    expect(res.dir.endsWith(`${path.sep}remote@main`)).toBe(true);
    expect(await readFile(path.join(res.dir, 'package.json'), 'utf8')).toBe('{"name":"a"}');
    expect(await git(res.dir, 'rev-parse', '--is-shallow-repository')).toBe('true');
    expect(await headCommit(res.dir, opts)).toBe(res.head);
  });

  it('reports an unchanged head without fetching, and fast-forwards after a new commit', async () => {
    const remote = await makeGitRepo({ 'package.json': '{"name":"a"}' });
    const opts = await options();
    const project = { url: remote.url, branch: 'main' };
    const first = await syncRepo(project, opts);
    expect(await syncRepo(project, opts)).toEqual({ ...first, action: 'unchanged' });
    // Unchanged costs one ls-remote: no fetch ever ran in this checkout.
    await expect(stat(path.join(first.dir, '.git', 'FETCH_HEAD'))).rejects.toThrow();

    const head = await remote.commit({ 'package-lock.json': '{}' });
    const second = await syncRepo(project, opts);
    expect(second).toEqual({ dir: first.dir, head, action: 'updated' });
    expect(await readFile(path.join(second.dir, 'package-lock.json'), 'utf8')).toBe('{}');
    expect(await remoteHead(project, opts)).toBe(head);
  });

  it('follows a force-push (history rewrite) and drops stray files', async () => {
    const remote = await makeGitRepo({ 'old.txt': 'old' });
    const opts = await options();
    const project = { url: remote.url, branch: 'main' };
    const first = await syncRepo(project, opts);
    await writeFile(path.join(first.dir, 'stray.txt'), 'left by someone');
    const rewritten = await remote.forcePush({ 'new.txt': 'new' });
    const res = await syncRepo(project, opts);
    expect(res).toEqual({ dir: first.dir, head: rewritten, action: 'updated' });
    expect((await readdir(res.dir)).sort()).toEqual(['.git', 'new.txt']);
  });

  it('restores a tampered checkout even when the head is unchanged', async () => {
    const remote = await makeGitRepo({ 'a.txt': 'a' });
    const opts = await options();
    const project = { url: remote.url, branch: 'main' };
    const first = await syncRepo(project, opts);
    await writeFile(path.join(first.dir, 'a.txt'), 'modified');
    await writeFile(path.join(first.dir, 'untracked.txt'), 'x');
    expect((await syncRepo(project, opts)).action).toBe('unchanged');
    expect((await readdir(first.dir)).sort()).toEqual(['.git', 'a.txt']);
    expect(await readFile(path.join(first.dir, 'a.txt'), 'utf8')).toBe('a');
  });

  it('a deleted branch is a clear error and leaves the previous checkout untouched', async () => {
    const remote = await makeGitRepo({ 'a.txt': 'a' });
    await remote.commit({ 'b.txt': 'b' }, { branch: 'feature/x' });
    const opts = await options();
    const project = { url: remote.url, branch: 'feature/x' };
    const first = await syncRepo(project, opts);
    expect(first.dir.endsWith(`${path.sep}remote@feature%2Fx`)).toBe(true);
    await remote.deleteBranch('feature/x');

    const err = await caught(syncRepo(project, opts));
    expect(err.exitCode).toBe(ExitCode.External);
    expect(err.message).toBe(`branch "feature/x" not found on ${remote.url}`);
    expect(await git(first.dir, 'rev-parse', 'HEAD')).toBe(first.head);
    expect(await readFile(path.join(first.dir, 'b.txt'), 'utf8')).toBe('b');
    expect((await caught(remoteHead(project, opts))).message).toContain('not found');
  });

  it('a branch that never existed fails before anything is created', async () => {
    const remote = await makeGitRepo({ 'a.txt': 'a' });
    const opts = await options();
    const err = await caught(syncRepo({ url: remote.url, branch: 'nope' }, opts));
    expect(err.message).toBe(`branch "nope" not found on ${remote.url}`);
  });

  it('a deleted repository is a clear External error', async () => {
    const opts = await options();
    const url = `file://${path.join(opts.workDir, 'gone.git')}`;
    const err = await caught(syncRepo({ url, branch: 'main' }, opts));
    expect(err.exitCode).toBe(ExitCode.External);
    expect(err.message).toMatch(new RegExp(`^repository ${url} not found .*does not appear to be a git repository`));
  });

  it('replaces a cache dir that is broken or belongs to another remote', async () => {
    const remote = await makeGitRepo({ 'a.txt': 'a' });
    const other = await makeGitRepo({ 'other.txt': 'o' });
    const opts = await options();
    const project = { url: remote.url, branch: 'main' };
    const first = await syncRepo(project, opts);

    await git(first.dir, 'remote', 'set-url', 'origin', other.url);
    expect((await syncRepo(project, opts)).action).toBe('cloned');
    expect(await git(first.dir, 'config', '--get', 'remote.origin.url')).toBe(remote.url);

    await writeFile(path.join(first.dir, '.git', 'HEAD'), 'garbage\n');
    const res = await syncRepo(project, opts);
    expect(res.action).toBe('cloned');
    expect(res.head).toBe(first.head);
  });

  it('ignores a hostile inherited environment (GIT_DIR, GIT_CONFIG_*, EDITOR, PAGER)', async () => {
    const remote = await makeGitRepo({ 'a.txt': 'a' });
    const opts = await options();
    const decoy = await makeGitRepo({ 'decoy.txt': 'd' });
    const env = {
      ...opts.env,
      GIT_DIR: path.join(decoy.workDir, '.git'),
      GIT_WORK_TREE: decoy.workDir,
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'url.file:///nonexistent/.insteadOf',
      GIT_CONFIG_VALUE_0: 'file://',
      EDITOR: 'vim',
      PAGER: 'less',
    };
    const res = await syncRepo({ url: remote.url, branch: 'main' }, { ...opts, env });
    expect(res.head).toBe(await git(remote.workDir, 'rev-parse', 'HEAD'));
    expect(await readFile(path.join(res.dir, 'a.txt'), 'utf8')).toBe('a');
    expect(await git(decoy.workDir, 'status', '--porcelain')).toBe('');
  });

  it('never treats an enclosing repository as the checkout', async () => {
    // The work dir itself inside a git repository: an empty cache dir must not resolve to it.
    const opts = await options();
    await git(opts.workDir, 'init', '-q');
    const remote = await makeGitRepo({ 'a.txt': 'a' });
    const project = { url: remote.url, branch: 'main' };
    const first = await syncRepo(project, opts);
    await writeFile(path.join(opts.workDir, 'keep.txt'), 'precious');
    await import('node:fs/promises').then((fs) => fs.rm(path.join(first.dir, '.git'), { recursive: true }));
    await mkdir(path.join(first.dir, '.git'));
    const res = await syncRepo(project, opts);
    expect(res.action).toBe('cloned');
    expect((await stat(path.join(opts.workDir, 'keep.txt'))).isFile()).toBe(true);
  });
});
