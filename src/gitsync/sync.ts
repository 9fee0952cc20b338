/**
 * The git edge of `icms scan`: keep a shallow checkout of each project's branch under the work dir.
 * Every git command runs through `runGit`: argument arrays, `--` before URLs and paths, a hard timeout,
 * no prompts, the auth header only in the child's environment, and errors redacted.
 */
import { mkdir, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { simpleGit, GitPluginError } from 'simple-git';
import type { Logger } from '../shared/log.js';
import { gitEnv, GIT_ENV_UNSAFE_FLAGS } from './git-env.js';
import { branchNotFound, gitFailure, redactGitText, type GitErrorContext } from './git-errors.js';
import { checkBranchName, repoDir } from './repo-path.js';
import { recoverStaleLocks } from './stale-lock.js';
import { ExitCode, IcmsError } from '../shared/errors.js';

/** What git needs to know about a project. */
export interface SyncProject {
  url: string;
  branch: string;
}

/** How to reach remotes; `auth` is a full header line from `authHeaderFor`. */
export interface GitOptions {
  /** `Authorization: ...` header line for this project's host, if any. */
  auth?: string | undefined;
  /** Hard limit for each single git command, in milliseconds. */
  timeoutMs: number;
  env: Record<string, string | undefined>;
  logger: Logger;
}

export interface SyncOptions extends GitOptions {
  /** icms work dir; checkouts live under `<workDir>/repos`. */
  workDir: string;
}

/** The checkout after a sync: where it is, its commit, and what had to be done. */
export interface SyncResult {
  dir: string;
  head: string;
  action: 'cloned' | 'updated' | 'unchanged';
}

interface RunContext extends GitOptions {
  url: string;
  branch: string;
}

async function runGit(cwd: string, args: string[], ctx: RunContext): Promise<string> {
  const errCtx: GitErrorContext = { url: ctx.url, branch: ctx.branch, command: args[0] ?? 'git', timeoutMs: ctx.timeoutMs, authHeader: ctx.auth };
  ctx.logger.debug(redactGitText(`git ${args.join(' ')} (in ${cwd})`, ctx.auth));
  const git = simpleGit({
    baseDir: cwd,
    maxConcurrentProcesses: 1,
    // stdOut/stdErr false: a hard limit per command, not one that any trickle of output keeps resetting.
    timeout: { block: ctx.timeoutMs, stdOut: false, stdErr: false },
    unsafe: GIT_ENV_UNSAFE_FLAGS,
  }).env(gitEnv(ctx.env, { authHeader: ctx.auth, ceiling: path.dirname(cwd), timeoutMs: ctx.timeoutMs }));
  try {
    return await git.raw(args);
  } catch (err) {
    // Never rethrow simple-git's error: its `task` holds the command line; keep only redacted text.
    const isTimeout = err instanceof GitPluginError && err.plugin === 'timeout';
    throw gitFailure(errCtx, err instanceof Error ? err.message : String(err), isTimeout);
  }
}

function remoteHeadIn(cwd: string, ctx: RunContext): Promise<string | undefined> {
  const ref = `refs/heads/${ctx.branch}`;
  return runGit(cwd, ['ls-remote', '--', ctx.url, ref], ctx).then((out) => {
    for (const line of out.split('\n')) {
      const [sha, name] = line.trim().split(/\s+/);
      if (name === ref && sha && /^[0-9a-f]{40,64}$/.test(sha)) return sha;
    }
    return undefined;
  });
}

/**
 * The commit `branch` points to on the remote, by `git ls-remote` (one ref advertisement, no objects):
 * the cheap way to tell a project is unchanged since its last scan. Branch missing -> IcmsError.
 */
export async function remoteHead(project: SyncProject, opts: SyncOptions): Promise<string> {
  const dir = repoDir(opts.workDir, project.url, project.branch); // validates URL and branch
  const ctx: RunContext = { ...opts, url: project.url, branch: project.branch };
  await mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
  const sha = await remoteHeadIn(path.dirname(dir), ctx);
  if (!sha) throw branchNotFound({ ...ctx, command: 'ls-remote' });
  return sha;
}

/**
 * The remote's default branch: the branch its HEAD points to (`git ls-remote --symref -- <url> HEAD`, one ref
 * advertisement). An empty repository or a remote that does not say -> IcmsError.
 */
export async function remoteDefaultBranch(url: string, opts: SyncOptions): Promise<string> {
  const cwd = path.join(opts.workDir, 'repos');
  await mkdir(cwd, { recursive: true, mode: 0o700 });
  const ctx: RunContext = { ...opts, url, branch: 'HEAD' };
  const out = await runGit(cwd, ['ls-remote', '--symref', '--', url, 'HEAD'], ctx);
  const m = /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(out);
  if (!m?.[1]) {
    throw new IcmsError(`git ls-remote ${redactGitText(url, ctx.auth)}: the remote names no default branch (empty repository?)`, ExitCode.External, {
      hint: 'give the branch in the inventory row',
    });
  }
  return checkBranchName(m[1]);
}

/** The commit checked out in `dir`. */
export async function headCommit(dir: string, opts: Pick<GitOptions, 'env' | 'timeoutMs' | 'logger'>): Promise<string> {
  const out = await runGit(dir, ['rev-parse', '--verify', 'HEAD^{commit}'], { ...opts, url: dir, branch: '' });
  return out.trim();
}

/** HEAD of `dir` when it is the top of a work tree whose origin is `url`; else undefined (stale cache entry). */
async function checkoutHead(dir: string, ctx: RunContext): Promise<string | undefined> {
  const gitDir = await stat(path.join(dir, '.git')).catch(() => undefined);
  if (!gitDir?.isDirectory()) return undefined;
  try {
    const [top, head] = (await runGit(dir, ['rev-parse', '--show-toplevel', 'HEAD^{commit}'], ctx)).trim().split('\n');
    if (top !== (await realpath(dir)) || !head) return undefined;
    const origin = (await runGit(dir, ['config', '--get', 'remote.origin.url'], ctx)).trim();
    return origin === ctx.url ? head : undefined;
  } catch {
    return undefined;
  }
}

async function cloneInto(dir: string, ctx: RunContext): Promise<void> {
  // Clone next to the target and rename: the target is always either absent or a complete checkout.
  // '+' never occurs in an encoded path component, so this name cannot belong to another project.
  const partial = `${dir}+partial`;
  await rm(partial, { recursive: true, force: true });
  await runGit(path.dirname(dir), ['clone', '-q', '--depth', '1', '--single-branch', '--no-tags', '--branch', ctx.branch, '--', ctx.url, partial], ctx)
    .catch(async (err: unknown) => {
      await rm(partial, { recursive: true, force: true });
      throw err;
    });
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
}

async function resetTo(dir: string, rev: string, ctx: RunContext): Promise<void> {
  // No -q: simple-git waits an extra 50 ms for any command that printed nothing.
  await runGit(dir, ['reset', '--hard', rev], ctx);
  await runGit(dir, ['clean', '-q', '-ffdx'], ctx);
}

/**
 * Brings the checkout of `project` to the remote head of its branch:
 * 1. ls-remote: the branch must exist (else error, existing checkout untouched);
 * 2. a valid checkout already at that commit -> 'unchanged' (no fetch; only a local reset + clean);
 * 3. a valid checkout elsewhere -> shallow fetch + hard reset (force-pushes work) -> 'updated';
 * 4. no or a broken checkout -> fresh shallow clone -> 'cloned'.
 */
export async function syncRepo(project: SyncProject, opts: SyncOptions): Promise<SyncResult> {
  const dir = repoDir(opts.workDir, project.url, project.branch);
  const ctx: RunContext = { ...opts, url: project.url, branch: project.branch };
  await mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
  const wanted = await remoteHeadIn(path.dirname(dir), ctx);
  if (!wanted) throw branchNotFound({ ...ctx, command: 'ls-remote' });
  // a lock left by a killed git would fail every later command in this checkout
  await recoverStaleLocks(dir, project.branch, { logger: opts.logger, staleAfterMs: 2 * opts.timeoutMs });
  const current = await checkoutHead(dir, ctx);
  if (current === wanted) {
    // Still reset: an interrupted earlier reset or a stray file must not reach the scanner.
    await resetTo(dir, 'HEAD', ctx);
    return { dir, head: current, action: 'unchanged' };
  }
  let action: SyncResult['action'];
  if (current !== undefined) {
    await runGit(dir, ['fetch', '-q', '--depth', '1', '--no-tags', '--', 'origin', `refs/heads/${project.branch}`], ctx);
    await resetTo(dir, 'FETCH_HEAD', ctx);
    action = 'updated';
  } else {
    opts.logger.debug(`no usable checkout at ${dir}; cloning`);
    await cloneInto(dir, ctx);
    action = 'cloned';
  }
  // Read back rather than trust ls-remote: the branch may have moved in between.
  const head = (await runGit(dir, ['rev-parse', '--verify', 'HEAD^{commit}'], ctx)).trim();
  return { dir, head, action };
}
