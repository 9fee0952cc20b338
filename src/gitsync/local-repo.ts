/** What a local checkout says about itself: its `origin` remote and current branch (for naming a local scan). */
import path from 'node:path';
import { gitEnv } from './git-env.js';
import { parseRepoUrl } from '../model/repo-url.js';

/** The checkout's origin (normalised, credentials dropped) and branch; undefined parts when git has none. */
export interface LocalRepo {
  remoteUrl: string | undefined;
  branch: string | undefined;
}

/** Reads `remote.origin.url` (else the first remote) and the checked-out branch of the repository `dir` is in. */
export async function localRepoInfo(dir: string, env: Record<string, string | undefined>): Promise<LocalRepo> {
  const { execa } = await import('execa');
  // discovery upwards is wanted here: `icms scan sub/dir` inside a checkout names the checkout's project
  const childEnv = gitEnv(env, { ceiling: '', timeoutMs: 10_000 });
  const git = async (args: string[]): Promise<string | undefined> => {
    const r = await execa('git', args, { cwd: dir, env: childEnv, extendEnv: false, reject: false, timeout: 10_000, stdin: 'ignore' });
    const out = String(r.stdout ?? '').trim();
    return r.exitCode === 0 && out !== '' ? out : undefined;
  };
  const remotes = (await git(['remote']))?.split('\n') ?? [];
  const remote = remotes.includes('origin') ? 'origin' : remotes[0];
  const raw = remote ? await git(['config', '--get', `remote.${remote}.url`]) : undefined;
  const branch = await git(['symbolic-ref', '--short', '-q', 'HEAD']);
  // a remote that is a plain path (`git remote add origin /srv/git/app.git`) is that file:// repository
  const url = raw && path.isAbsolute(raw) ? `file://${raw}` : raw;
  return { remoteUrl: url ? parseRepoUrl(url)?.url : undefined, branch };
}
