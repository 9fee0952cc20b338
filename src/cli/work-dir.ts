/** The work dir holds clones of private repositories and temp files: only the icms user may enter it. */
import { accessSync, chmodSync, constants, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExitCode, IcmsError, errorMessage } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';

/** Creates `dir` (mode 0700 whatever the umask) or narrows an existing one that group/others could read. */
export function ensureWorkDir(dir: string, logger: Logger): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const mode = statSync(dir).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      chmodSync(dir, 0o700);
      logger.warn(`work dir ${dir} was mode ${mode.toString(8).padStart(4, '0')}; narrowed to 0700 (it holds clones of private repositories)`);
    }
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new IcmsError(`cannot prepare the work dir ${dir}: ${errorMessage(err)}`, ExitCode.External, { hint: 'check `work_dir` (or --work-dir) and its permissions' });
  }
}

/**
 * The work dir for a scan of `dirs` that stores nothing: the configured one, unless it is only the default
 * (`./.icms` of the current directory) and lies inside a scanned directory — `icms scan .` in a checkout must not
 * leave `.icms/` in it (it would show in `git status`). Then the user's cache dir is used instead
 * (`$XDG_CACHE_HOME/icms`, `~/.cache/icms`, else the system temp dir), which also keeps trivy's cache across runs.
 */
export function workDirOutside(workDir: string, origin: string | undefined, dirs: readonly string[], env: Readonly<Record<string, string | undefined>>): string {
  if (origin !== 'default') return workDir;
  const inside = dirs.some((d) => {
    const rel = path.relative(d, workDir);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
  if (!inside) return workDir;
  const cache = env.XDG_CACHE_HOME || (env.HOME ? path.join(env.HOME, '.cache') : undefined);
  return cache ? path.join(cache, 'icms') : path.join(os.tmpdir(), `icms-cache-${os.userInfo().uid}`);
}
