/** Runs the CLI in-process with a captured context. */
import { main } from '../../src/cli/main.js';
import type { Context } from '../../src/cli/context.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `icms <argv>` in `cwd` with exactly `env` (no inherited secrets) and a fixed or given clock. */
export async function runCli(argv: string[], opts: { cwd: string; env?: Record<string, string | undefined>; now?: () => Date; tty?: boolean }): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const ctx: Context = {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdoutIsTty: opts.tty ?? false,
    stderrIsTty: opts.tty ?? false,
    columns: opts.tty ? 120 : undefined,
    now: opts.now ?? (() => new Date()),
  };
  const code = await main(argv, ctx);
  return { code, stdout, stderr };
}
