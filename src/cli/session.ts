/** Per-invocation state built from global flags: the effective config, a redacting logger, colour. */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { Config } from '../config/config.js';
import { createLogger, type Logger, type LogLevel } from '../shared/log.js';
import type { Redactor } from '../shared/redact.js';
import type { Context } from './context.js';

export interface GlobalFlags {
  config?: string;
  db?: string;
  workDir?: string;
  quiet?: boolean;
  verbose?: boolean;
  logFile?: string;
  color?: boolean;
}

export interface Session {
  ctx: Context;
  config: Config;
  configFile: string | undefined;
  origins: LoadedConfig['origins'];
  logger: Logger;
  redactor: Redactor;
  /** Colour on stdout: a TTY, no NO_COLOR, no --no-color. */
  color: boolean;
}

/** Loads the config (flags on top) and builds the logger; `extraFlags` maps dotted config keys to flag values. */
export function openSession(ctx: Context, globals: GlobalFlags, redactor: Redactor, extraFlags: Record<string, unknown> = {}): Session {
  const loaded = loadConfig({
    cwd: ctx.cwd,
    env: ctx.env,
    configFlag: globals.config,
    flags: { db: globals.db, work_dir: globals.workDir, log_file: globals.logFile, ...extraFlags },
  });
  const { config } = loaded;
  const noColor = globals.color === false || (ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '');
  let level: LogLevel = config.logLevel;
  if (globals.verbose) level = 'debug';
  if (globals.quiet) level = 'warn';
  let fileWrite: ((s: string) => void) | undefined;
  if (config.logFile) {
    const file = config.logFile;
    mkdirSync(path.dirname(file), { recursive: true });
    fileWrite = (s) => appendFileSync(file, s, { mode: 0o600 });
  }
  const logger = createLogger({
    write: (s) => ctx.stderr.write(s),
    level,
    isTty: ctx.stderrIsTty,
    color: ctx.stderrIsTty && !noColor,
    now: () => ctx.now(),
    redactor,
    fileWrite,
  });
  return { ctx, config, configFile: loaded.file, origins: loaded.origins, logger, redactor, color: ctx.stdoutIsTty && !noColor };
}
