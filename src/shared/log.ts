/**
 * Logger: stderr only. On a TTY: coloured level tags; without (cron): plain ISO-timestamped lines.
 * Every line passes the redactor.
 */
import type { Redactor } from './redact.js';
import { stripControl } from './text-safety.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** Transient progress on a TTY (overwritten in place); nothing otherwise. */
  progress(msg: string): void;
}

export interface LoggerOptions {
  write: (chunk: string) => void;
  level: LogLevel;
  isTty: boolean;
  color: boolean;
  now: () => Date;
  redactor: Redactor;
  /** Extra sink (e.g. --log-file), always plain timestamped lines. */
  fileWrite?: (chunk: string) => void;
}

const COLORS: Record<LogLevel, string> = { debug: '\x1b[90m', info: '\x1b[36m', warn: '\x1b[33m', error: '\x1b[31m' };

/** Creates the logger the CLI passes down to stages. */
export function createLogger(opts: LoggerOptions): Logger {
  let progressShown = false;
  const clearProgress = (): void => {
    if (progressShown) {
      opts.write('\r\x1b[2K');
      progressShown = false;
    }
  };
  const emit = (level: LogLevel, raw: string): void => {
    // messages carry outside text (advisory ids, git/trivy stderr, inventory values): no escape reaches a terminal
    const msg = stripControl(opts.redactor.redact(raw));
    const plain = `${opts.now().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}\n`;
    opts.fileWrite?.(plain);
    if (LEVELS[level] < LEVELS[opts.level]) return;
    clearProgress();
    if (opts.isTty) {
      const tag = opts.color ? `${COLORS[level]}${level}\x1b[0m` : level;
      opts.write(`${tag}: ${msg}\n`);
    } else {
      opts.write(plain);
    }
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    progress: (m) => {
      if (!opts.isTty || LEVELS.info < LEVELS[opts.level]) return;
      opts.write(`\r\x1b[2K${stripControl(opts.redactor.redact(m)).slice(0, 200)}`);
      progressShown = true;
    },
  };
}

/** A logger that drops everything (for library callers and tests that do not look at logs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, progress() {} };
