/** BENCHMARKS.md: pure rendering of the machine header and per-benchmark sections, merged by markers. */
import type { MachineInfo } from './measure.js';

/** One benchmark's part of BENCHMARKS.md. */
export interface Section {
  /** 'run' is measured by hand (see its section); listed so a bench run keeps it. */
  id: 'scan' | 'sync' | 'nvd' | 'match' | 'enrich' | 'curve' | 'ratings' | 'run' | 'shards' | 'bigreport';
  markdown: string;
}

/** A markdown table. */
export function mdTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** "met" / "NOT met" for a figure against its target. */
export function verdict(ok: boolean): string {
  return ok ? 'met' : '**NOT met**';
}

/** `ms` as seconds with two decimals, or ms under a second. */
export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/** The list of repetition times, e.g. "6.45 s, 6.60 s, 6.91 s". */
export function fmtRuns(runs: readonly number[]): string {
  return runs.map(fmtMs).join(', ');
}

const ORDER: Section['id'][] = ['scan', 'shards', 'bigreport', 'sync', 'nvd', 'match', 'enrich', 'curve', 'ratings', 'run'];
const begin = (id: string): string => `<!-- bench:${id} -->`;
const end = (id: string): string => `<!-- /bench:${id} -->`;

/** Machine block of one run. */
export function machineBlock(m: MachineInfo, note: string): string {
  return [
    `Last run: ${m.date} on ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GiB memory, Node ${m.node}, ${m.platform}.`,
    `Load average (1/5/15 min) at start ${m.loadStart.join(' / ')}, at end ${(m.loadEnd ?? []).join(' / ')}. ${note}`,
  ].join('\n');
}

/**
 * The new BENCHMARKS.md: `sections` replace their marked blocks in `existing` (kept from an earlier run when this
 * run did not measure them, e.g. with --only), in a fixed order, under `header`. A section from an earlier run keeps
 * its own machine line.
 */
export function mergeBenchmarks(existing: string | undefined, header: string, sections: readonly Section[]): string {
  const blocks = new Map<string, string>();
  for (const id of ORDER) {
    const re = new RegExp(`${escape(begin(id))}\\n([\\s\\S]*?)\\n${escape(end(id))}`);
    const m = existing ? re.exec(existing) : null;
    if (m) blocks.set(id, m[1]!);
  }
  for (const s of sections) blocks.set(s.id, s.markdown.trimEnd());
  const body = ORDER.filter((id) => blocks.has(id)).map((id) => `${begin(id)}\n${blocks.get(id)!}\n${end(id)}`);
  return `${header.trimEnd()}\n\n${body.join('\n\n')}\n`;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
