/** `icms projects`: list the stored inventory. */
import type { Command } from 'commander';
import { openDb } from '../../db/open.js';
import { listProjects } from '../../db/projects.js';
import type { App } from '../main.js';
import { formatOption, renderTable, writeJson } from '../output.js';
import { openSession } from '../session.js';
import { FINDINGS_SCHEMA_VERSION, projectJson } from '../../report/finding-json.js';

/** Registers `projects`. */
export function registerProjects(program: Command, app: App): void {
  program
    .command('projects')
    .description('list the stored projects and their maintainers')
    .option('--all', 'include projects removed from the inventory')
    .addOption(formatOption(['table', 'json']))
    .action((flags: { all?: boolean; format: string }) => {
      const s = openSession(app.ctx, app.globals(), app.redactor);
      const db = openDb(s.config.db);
      try {
        const projects = listProjects(db, { includeRemoved: flags.all });
        if (flags.format === 'json') {
          writeJson(s.ctx, { schema_version: FINDINGS_SCHEMA_VERSION, projects: projects.map(projectJson) });
          return;
        }
        const rows = projects.map((p) => [p.name, p.kind, p.status, p.maintainers.map((m) => `${m.name} <${m.email}>`).join('\n'), Object.entries(p.labels).map(([k, v]) => `${k}=${v}`).join(' ')]);
        s.ctx.stdout.write(renderTable(['project', 'kind', 'status', 'maintainers', 'labels'], rows, { color: s.color }));
      } finally {
        db.close();
      }
    });
}
