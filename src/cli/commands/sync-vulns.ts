/** `icms sync-vulns`: load advisories from every configured source (OSV data, CVE Manager) into the store. */
import type { Command } from 'commander';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { hasProblems, syncAdvisories } from '../../advisories/sync.js';
import { registerKnownSecrets } from '../secrets.js';
import type { SyncResult } from '../../advisories/source.js';
import { ExitCode, usageError } from '../../shared/errors.js';
import type { App } from '../main.js';
import { formatOption, renderTable, writeJson } from '../output.js';
import { withRun } from '../run-command.js';
import { openSession, type Session } from '../session.js';
import { ensureWorkDir } from '../work-dir.js';

/** Registers `sync-vulns`. */
export function registerSyncVulns(program: Command, app: App): void {
  program
    .command('sync-vulns')
    .description('load advisories from the configured sources (OSV directory/zip/URL, CVE Manager API) into the store')
    .option('--source <name>', 'sync only this source (a name from advisories.sources)')
    .addOption(formatOption(['table', 'json']))
    .action(async (flags: { source?: string; format: string }) => {
      const s = openSession(app.ctx, app.globals(), app.redactor);
      registerKnownSecrets(s);
      app.setExitCode(await syncVulns(s, flags));
    });
}

async function syncVulns(s: Session, flags: { source?: string; format: string }): Promise<ExitCode> {
  if (s.config.advisories.sources.length === 0) {
    throw usageError('no advisory sources configured', 'add advisories.sources to the config, e.g. [{name: osv, type: osv, path: ./osv}]');
  }
  ensureWorkDir(s.config.workDir, s.logger);
  const tmpDir = path.join(s.config.workDir, 'tmp');
  mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  return withRun(s, 'sync-vulns', async (db) => {
    const result = await syncAdvisories(db, s.config.advisories.sources, {
      only: flags.source,
      logger: s.logger,
      now: () => s.ctx.now(),
      env: s.ctx.env,
      tmpDir,
      onProgress: (name, bytes, total) => s.logger.progress(`${name}: ${(bytes / 1e6).toFixed(1)}${total ? ` / ${(total / 1e6).toFixed(1)}` : ''} MB`),
    });
    for (const r of result.sources) {
      if (r.error) s.logger.error(`source ${r.source}: ${r.error} (its previous advisories are kept)`);
      for (const k of r.skippedSamples) s.logger.warn(`source ${r.source}: skipped ${k.file}: ${k.reason}`);
      if (r.skippedEntries > 0) s.logger.warn(`source ${r.source}: ${r.skippedEntries} unusable entries left out of records that were stored`);
      if (r.dropped > 0) s.logger.info(`source ${r.source}: ${r.dropped} low-credibility records left out (drop_low_credibility)`);
    }
    if (flags.format === 'json') writeJson(s.ctx, result);
    else s.ctx.stdout.write(renderSync(result, s.color));
    const allFailed = result.sources.every((r) => r.error !== undefined);
    return { exitCode: allFailed ? ExitCode.External : hasProblems(result) ? ExitCode.Partial : ExitCode.Ok, summary: result };
  });
}

function renderSync(result: SyncResult, color: boolean): string {
  const rows = result.sources.map((r) => [
    r.source,
    r.kind,
    r.error ? 'FAILED' : r.notModified ? 'not modified' : 'ok',
    r.added,
    r.updated,
    r.unchanged,
    r.removed,
    r.withdrawn,
    r.skipped,
    Object.entries(r.perEcosystem)
      .map(([e, n]) => `${e} ${n}`)
      .join(', '),
  ]);
  return `${renderTable(['source', 'type', 'status', 'added', 'updated', 'unchanged', 'removed', 'withdrawn', 'skipped', 'per ecosystem'], rows, { color })}alias groups: ${result.groups}\n`;
}
