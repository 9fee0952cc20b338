/** Measurement helpers: best-of-N, rounding, the machine and its load. */
import os from 'node:os';

/** Two decimals. */
export function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Milliseconds of a synchronous piece of work, with its result. */
export function timed<T>(fn: () => T): { ms: number; value: T } {
  const t = performance.now();
  const value = fn();
  return { ms: performance.now() - t, value };
}

/** The machine a run happened on. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
  date: string;
  /** 1/5/15-minute load averages when the run started and ended. */
  loadStart: number[];
  loadEnd?: number[];
}

/** Describes this machine now. */
export function machineInfo(now: Date): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    date: now.toISOString(),
    loadStart: os.loadavg().map(round),
  };
}

/** Current 1/5/15-minute load averages. */
export function loadNow(): number[] {
  return os.loadavg().map(round);
}

/** This process's peak resident set so far, MB. */
export function maxRssMb(): number {
  return round(process.resourceUsage().maxRSS / 1024);
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
