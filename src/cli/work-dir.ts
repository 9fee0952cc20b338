/** The work dir holds clones of private repositories and temp files: only the icms user may enter it. */
import { accessSync, chmodSync, constants, mkdirSync, statSync } from 'node:fs';
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
