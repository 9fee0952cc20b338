/** `icms runs`: the journal of runs (every writing command and each `run --all`), newest first. */
import type { Command } from 'commander';
import { openDb } from '../../db/open.js';
import { listRuns } from '../../db/runs.js';
import type { App } from '../main.js';
import { formatOption, renderTable, writeJson } from '../output.js';
import { openSession } from '../session.js';

/** Registers `runs`. */
export function registerRuns(program: Command, app: App): void {
  program
    .command('runs')
    .description('list recent runs with their status, duration and exit code')
    .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 20)
    .addOption(formatOption(['table', 'json']))
    .action((flags: { limit: number; format: string }) => {
      const s = openSession(app.ctx, app.globals(), app.redactor);
      const db = openDb(s.config.db);
      try {
        const runs = listRuns(db, flags.limit);
        if (flags.format === 'json') return writeJson(s.ctx, { runs });
        const rows = runs.map((r) => [r.id, r.command, r.startedAt.replace('T', ' ').slice(0, 19), r.finishedAt ? `${((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1)} s` : 'running', r.status, r.exitCode ?? '', r.label ?? '']);
        s.ctx.stdout.write(renderTable(['id', 'command', 'started (UTC)', 'duration', 'status', 'exit', 'label'], rows, { color: s.color }));
      } finally {
        db.close();
      }
    });
}
