/** The process edge: everything a command needs from the outside world, so tests can run main() in-process. */
export interface OutStream {
  write(chunk: string): unknown;
}

export interface Context {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: OutStream;
  stderr: OutStream;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
  /** Terminal width for tables (undefined when not a TTY). */
  columns: number | undefined;
  now(): Date;
}

/** The real process context used by bin/icms.js. */
export function realContext(): Context {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdoutIsTty: Boolean(process.stdout.isTTY),
    stderrIsTty: Boolean(process.stderr.isTTY),
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    now: () => new Date(),
  };
}
