/** A benchmark phase that is one real icms command: `main(argv, ctx)` in this process, timed, output captured. */
import { main } from '../cli/main.js';
import type { Context } from '../cli/context.js';

/** One command's outcome. */
export interface IcmsRun {
  /** Wall-clock time of `main()` (flags, config, the stage, output), ms; module loading excluded. */
  ms: number;
  code: number;
  /** stdout (the first 4 MB). */
  stdout: string;
  /** Characters written to stdout in all. */
  stdoutChars: number;
  /** The last 2,000 characters of stderr. */
  stderrTail: string;
}

const MAX_STDOUT = 4 * 2 ** 20;

/** Runs `icms <argv>` in `cwd` with only PATH and HOME from the environment (no ICMS_* leaks in). */
export async function runIcms(a: { cwd: string; argv: string[] }): Promise<IcmsRun> {
  let stdout = '';
  let stdoutChars = 0;
  let stderr = '';
  const ctx: Context = {
    cwd: a.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdout: {
      write: (s: string) => {
        stdoutChars += s.length;
        if (stdout.length < MAX_STDOUT) stdout += s;
        return true;
      },
    },
    stderr: { write: (s: string) => (stderr = (stderr + s).slice(-2000)) },
    stdoutIsTty: false,
    stderrIsTty: false,
    columns: undefined,
    now: () => new Date(),
  };
  const t = performance.now();
  const code = await main(a.argv, ctx);
  return { ms: performance.now() - t, code, stdout, stdoutChars, stderrTail: stderr };
}
