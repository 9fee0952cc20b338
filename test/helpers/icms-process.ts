/** Spawns the real `bin/icms.js` (the built CLI) as a child process, for tests that need a process boundary. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/icms.js', import.meta.url));

export interface IcmsProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface IcmsProcess {
  child: ChildProcess;
  /** Everything written to stderr so far (grows while it runs). */
  stderrSoFar(): string;
  done: Promise<IcmsProcessResult>;
}

/** Starts `icms <args>` in `cwd` with exactly `env` (plus PATH and HOME); stdout and stderr are captured. */
export function spawnIcms(args: string[], opts: { cwd: string; env?: Record<string, string | undefined> }): IcmsProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<IcmsProcessResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, stderrSoFar: () => stderr, done };
}

/** Runs `icms <args>` to completion. */
export function runIcms(args: string[], opts: { cwd: string; env?: Record<string, string | undefined> }): Promise<IcmsProcessResult> {
  return spawnIcms(args, opts).done;
}
