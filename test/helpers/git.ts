/** Real git repositories in temp dirs: a bare remote plus a work tree that commits and pushes to it. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { tmpDir } from './tmp.js';

const run = promisify(execFile);
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'icms test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'icms test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

/** Runs git with an argument array in `cwd`; returns trimmed stdout. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: GIT_ENV });
  return stdout.trim();
}

export interface GitRemote {
  /** file:// URL of the bare repository. */
  url: string;
  bareDir: string;
  workDir: string;
  /** Writes files (null deletes), commits, pushes to `branch`; returns the new head sha. */
  commit(files: Record<string, string | null>, opts?: { branch?: string; message?: string }): Promise<string>;
  /** Replaces the branch history with a single new commit (force-push). */
  forcePush(files: Record<string, string>, branch?: string): Promise<string>;
  deleteBranch(branch: string): Promise<void>;
}

/** Creates a bare remote `<name>.git` with an initial commit of `files` on `branch` (default main). */
export async function makeGitRepo(files: Record<string, string>, branch = 'main', name = 'remote'): Promise<GitRemote> {
  const root = await tmpDir('icms-git-');
  const bareDir = path.join(root, `${name}.git`);
  const workDir = path.join(root, 'work');
  await mkdir(workDir);
  await git(root, 'init', '--bare', '-q', '--initial-branch', branch, bareDir);
  await git(workDir, 'init', '-q', '--initial-branch', branch);
  await git(workDir, 'remote', 'add', 'origin', bareDir);
  const writeFiles = async (fs: Record<string, string | null>): Promise<void> => {
    for (const [rel, content] of Object.entries(fs)) {
      const p = path.join(workDir, rel);
      if (content === null) {
        await rm(p, { force: true });
      } else {
        await mkdir(path.dirname(p), { recursive: true });
        await writeFile(p, content);
      }
    }
  };
  const remote: GitRemote = {
    url: `file://${bareDir}`,
    bareDir,
    workDir,
    async commit(fs, opts = {}) {
      const b = opts.branch ?? branch;
      const current = await git(workDir, 'rev-parse', '--abbrev-ref', 'HEAD').catch(() => branch);
      if (current !== b) await git(workDir, 'checkout', '-q', '-B', b);
      await writeFiles(fs);
      await git(workDir, 'add', '-A');
      await git(workDir, 'commit', '-q', '--allow-empty', '-m', opts.message ?? 'change');
      await git(workDir, 'push', '-q', 'origin', b);
      return git(workDir, 'rev-parse', 'HEAD');
    },
    async forcePush(fs, b = branch) {
      await git(workDir, 'checkout', '-q', '--orphan', `rewrite-${Date.now()}`);
      // -f without --cached: the old files leave the work tree too, so the new commit holds only `files`.
      await git(workDir, 'rm', '-rqf', '.').catch(() => '');
      await writeFiles(fs);
      await git(workDir, 'add', '-A');
      await git(workDir, 'commit', '-q', '-m', 'rewritten history');
      await git(workDir, 'push', '-q', '--force', 'origin', `HEAD:${b}`);
      return git(workDir, 'rev-parse', 'HEAD');
    },
    async deleteBranch(b) {
      // a bare repository refuses to delete the branch its HEAD names: point HEAD elsewhere first
      await git(bareDir, 'symbolic-ref', 'HEAD', 'refs/heads/icms-test-no-such-branch');
      await git(workDir, 'push', '-q', 'origin', '--delete', b);
    },
  };
  await remote.commit(files, { message: 'initial' });
  return remote;
}
