/** Small output helpers shared by commands: JSON to stdout, simple tables, the --format flag. */
import Table from 'cli-table3';
import { Option } from 'commander';
import type { Context } from './context.js';
import { stripControl } from '../shared/text-safety.js';
import { batched, jsonChunks } from '../shared/json-stream.js';

export { stripControl } from '../shared/text-safety.js';

/** The `--format` option with the given choices (first is the default). */
export function formatOption(choices: readonly string[]): Option {
  return new Option('--format <name>', 'output format').choices([...choices]).default(choices[0]);
}

/** Writes a value as pretty JSON with a trailing newline. */
export function writeJson(ctx: Context, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes `{ ...doc, [key]: items }` as pretty JSON in pieces (a findings list can be too big for one string). */
export function writeJsonList(ctx: Context, doc: Record<string, unknown>, key: string, items: Iterable<unknown>): void {
  for (const piece of batched(jsonChunks(doc, key, items, 2))) ctx.stdout.write(piece);
  ctx.stdout.write('\n');
}

/** Renders rows as a table; plain borders when colour is off (logs, pipes). */
export function renderTable(head: string[], rows: (string | number)[][], opts: { color: boolean; columns?: number }): string {
  const table = new Table({
    head,
    style: { head: opts.color ? ['cyan'] : [], border: opts.color ? ['grey'] : [] },
    wordWrap: true,
  });
  for (const r of rows) table.push(r.map((c) => stripControl(String(c))));
  return `${table.toString()}\n`;
}
