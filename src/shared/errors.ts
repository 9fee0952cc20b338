/** Exit codes of every icms command; documented in README ("Exit codes"). */
export const ExitCode = {
  Ok: 0,
  Gate: 1,
  Usage: 2,
  Partial: 3,
  External: 4,
  Bug: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An expected failure: says what, where and how to fix it, and which exit code it maps to. */
export class IcmsError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  constructor(message: string, exitCode: ExitCode, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'IcmsError';
    this.exitCode = exitCode;
    this.hint = opts.hint;
  }
}

/** A usage/config/input error (exit 2). */
export function usageError(message: string, hint?: string): IcmsError {
  return new IcmsError(message, ExitCode.Usage, { hint });
}

/** An external part (trivy, git, HTTP, SMTP, database) failed (exit 4). */
export function externalError(message: string, opts: { hint?: string; cause?: unknown } = {}): IcmsError {
  return new IcmsError(message, ExitCode.External, opts);
}

/** Result of a stage over many items: one failing item never stops the others. */
export interface StageResult<TDone, TItem = string> {
  done: TDone[];
  failed: { item: TItem; error: string }[];
}

/** The message of anything thrown, without a stack. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The worst of several exit codes, in the order Ok < Gate < Partial < External < Usage < Bug. */
export function worstExitCode(codes: readonly ExitCode[]): ExitCode {
  const rank: Record<number, number> = { 0: 0, 1: 1, 3: 2, 4: 3, 2: 4, 70: 5 };
  let worst: ExitCode = ExitCode.Ok;
  for (const c of codes) if ((rank[c] ?? 5) > (rank[worst] ?? 0)) worst = c;
  return worst;
}
