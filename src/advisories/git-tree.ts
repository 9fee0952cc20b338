/**
 * The quick check of a local source directory that is a git checkout (as the public NVD mirror is: users clone it and
 * `git pull`): when every file under the directory is exactly what HEAD holds there, the directory's git tree id names
 * its content, and a re-sync that finds the same tree id has nothing to read. git answers that from its index (stat
 * data kept per file, compared on several threads) faster than a walk that stats every file, and by content: a file
 * only touched is not a change.
 *
 * Anything git cannot vouch for means "no answer" and the caller walks the directory as for any other: not inside a
 * work tree, git missing or refusing (another user's repository), a modified, staged, deleted, untracked or ignored
 * file under the directory, or a file git is told to take on trust (assume-unchanged, skip-worktree: a sparse
 * checkout's tree id names files that are not there).
 */
import { execFile } from 'node:child_process';

/** The inherited variables git needs to run and find its own configuration; nothing else (no GIT_DIR, no secrets). */
const KEPT = ['PATH', 'HOME', 'USER', 'LOGNAME', 'XDG_CONFIG_HOME', 'TMPDIR', 'SYSTEMROOT', 'USERPROFILE', 'APPDATA', 'PATHEXT'];

export interface GitTreeOptions {
  /** The environment git runs with (only KEPT is passed on); without PATH git is not found and there is no answer. */
  env: Readonly<Record<string, string | undefined>> | undefined;
  /** Each git command's limit; past it, no answer. */
  timeoutMs?: number | undefined;
}

/** Why git gave no answer (for a debug line), or the tree id. */
export type GitTreeAnswer = { tree: string } | { tree?: undefined; why: string };

/** `{ tree }` (git's id of `dir`'s tree at HEAD) when `dir` is a clean part of a git checkout; else why not. */
export async function cleanGitTree(dir: string, opts: GitTreeOptions): Promise<GitTreeAnswer> {
  const env: Record<string, string> = { LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' };
  for (const k of KEPT) {
    const v = opts.env?.[k];
    if (v !== undefined) env[k] = v;
  }
  // node's execFile, not execa: five short read-only queries, and execa's first call alone costs more than some of them
  const git = (args: string[]): Promise<{ ok: boolean; exitCode: number | undefined; out: string; err: string }> =>
    new Promise((resolve) => {
      const argv = ['-c', 'core.fsmonitor=false', ...args];
      execFile('git', argv, { cwd: dir, env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 1 << 30, encoding: 'utf8' }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : undefined;
        const first = stderr.trim().split('\n')[0] ?? '';
        resolve({ ok: err === null, exitCode: err?.killed ? undefined : code, out: stdout, err: first || (err?.killed ? 'git took too long' : (err?.message ?? '')) });
      });
    });
  const tree = await git(['rev-parse', '--verify', '--quiet', 'HEAD:./']);
  if (!tree.ok) return { why: tree.err || 'not a directory of a git checkout' };
  const id = tree.out.trim();
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(id)) return { why: `unexpected tree id ${JSON.stringify(id.slice(0, 80))}` };
  // what `git status` asks, as four commands at once (status asks them one after the other): tracked files changed on
  // disk (stat-ed on several threads), staged changes, files git does not track (ignored ones included), files on trust
  const [changed, staged, untracked, trusted] = await Promise.all([
    git(['diff-files', '--quiet', '--', '.']),
    git(['diff-index', '--cached', '--quiet', 'HEAD', '--', '.']),
    git(['ls-files', '--others', '-z', '--', '*.json']),
    git(['ls-files', '-v', '-z', '--', '.']),
  ]);
  if (!changed.ok) return { why: changed.exitCode === 1 ? 'files changed since HEAD' : changed.err || 'git diff-files failed' };
  if (!staged.ok) return { why: staged.exitCode === 1 ? 'changes staged since HEAD' : staged.err || 'git diff-index failed' };
  if (!untracked.ok) return { why: untracked.err || 'git ls-files --others failed' };
  if (untracked.out !== '') return { why: `${untracked.out.split('\0').filter(Boolean).length} .json files git does not track` };
  if (!trusted.ok) return { why: trusted.err || 'git ls-files failed' };
  if (!everyEntryCached(trusted.out)) return { why: 'files marked assume-unchanged or skip-worktree (a sparse checkout)' };
  return { tree: id };
}

/** `git ls-files -v -z` lists only plain cached entries ("H "): none on trust, none sparse, none unmerged. */
function everyEntryCached(out: string): boolean {
  let at = 0;
  while (at < out.length) {
    if (out.charCodeAt(at) !== 72 /* H */ || out.charCodeAt(at + 1) !== 32) return false;
    const end = out.indexOf('\0', at);
    if (end === -1) return false;
    at = end + 1;
  }
  return true;
}
