/** `icms fetch-projects`: replace the stored inventory from the ops API or the YAML file. */
import type { Command } from 'commander';
import type { Db } from '../../db/open.js';
import { countActiveRepos, listProjects, recordInventoryFetch, replaceInventory } from '../../db/projects.js';
import { buildInventory, type InventoryResult } from '../../inventory/fetch-inventory.js';
import { fetchOpsInventory } from '../../inventory/ops-api.js';
import { readInventoryFile } from '../../inventory/yaml-file.js';
import { IcmsError, ExitCode, errorMessage } from '../../shared/errors.js';
import type { App } from '../main.js';
import { formatOption, renderTable, writeJson } from '../output.js';
import { readOpsRefreshToken, readOpsToken, saveOpsToken } from '../secrets.js';
import { recordedDefaultBranches, resolveDefaultBranches } from '../../inventory/default-branch.js';
import { remoteDefaultBranch } from '../../gitsync/sync.js';
import { authHeaderFor } from '../../gitsync/auth.js';
import { openSession, type Session } from '../session.js';
import { withRun } from '../run-command.js';

interface Flags {
  source?: 'ops' | 'file';
  file?: string;
  allowEmpty?: boolean;
  format: 'table' | 'json';
}

/** Registers `fetch-projects`. */
export function registerFetchProjects(program: Command, app: App): void {
  program
    .command('fetch-projects')
    .description('fetch the inventory (repositories, branches, maintainers) from the ops API or a YAML file and store it')
    .option('--source <source>', 'ops | file (config inventory.source)')
    .option('--file <file>', 'inventory YAML file (config inventory.file)')
    .option('--allow-empty', 'accept an empty inventory even when projects are stored (marks them all removed)')
    .addOption(formatOption(['table', 'json']))
    .action(async (flags: Flags) => {
      const s = openSession(app.ctx, app.globals(), app.redactor, { 'inventory.source': flags.source, 'inventory.file': flags.file });
      app.setExitCode(await withRun(s, 'fetch-projects', (db, runId) => fetchProjects(s, db, runId, flags)));
    });
}

async function readSource(s: Session) {
  const inv = s.config.inventory;
  if (inv.source === 'file') return readInventoryFile(inv.file);
  if (!inv.ops.url) {
    throw new IcmsError('inventory.source is ops but inventory.ops.url is not set', ExitCode.Usage, {
      hint: 'set inventory.ops.url in the config file or ICMS_INVENTORY_OPS_URL',
    });
  }
  return fetchOpsInventory({
    url: inv.ops.url,
    token: readOpsToken(s),
    refreshUrl: inv.ops.refreshUrl,
    refreshStyle: inv.ops.refreshStyle,
    refreshToken: readOpsRefreshToken(s),
    onTokenRefreshed: (t) => saveOpsToken(s, t),
    timeoutMs: inv.ops.timeoutMs,
    retries: inv.ops.retries,
    logger: s.logger,
  });
}

/** Ops rows without a branch: the remote's default branch (after the allowlist), else the one recorded before. */
function withDefaultBranches(s: Session, db: Db, result: InventoryResult): Promise<InventoryResult> {
  return resolveDefaultBranches(result, {
    defaultBranch: (url) =>
      remoteDefaultBranch(url, { workDir: s.config.workDir, auth: authHeaderFor(url, s.config.git.auth, s.ctx.env), timeoutMs: s.config.git.timeoutMs, env: s.ctx.env, logger: s.logger }),
    recorded: recordedDefaultBranches(listProjects(db, { kind: 'repo' })),
  });
}

async function fetchProjects(s: Session, db: Db, runId: number, flags: Flags): Promise<{ exitCode: ExitCode; summary: object }> {
  const source = s.config.inventory.source;
  {
    s.logger.info(`fetching the inventory from ${source === 'ops' ? s.config.inventory.ops.url : s.config.inventory.file}`);
    let result;
    try {
      result = await withDefaultBranches(s, db, buildInventory(await readSource(s), s.config.inventory.allow, { remote: source === 'ops' }));
      if (result.projects.length === 0 && !flags.allowEmpty && countActiveRepos(db) > 0) {
        throw new IcmsError(`the ${source} inventory is empty but ${countActiveRepos(db)} projects are stored; keeping them`, source === 'file' ? ExitCode.Usage : ExitCode.External, {
          hint: 'check the source; pass --allow-empty if the portfolio really is empty now',
        });
      }
    } catch (err) {
      recordInventoryFetch(db, { source, at: s.ctx.now(), status: 'failed', runId, error: s.redactor.redact(errorMessage(err)) });
      throw err;
    }
    for (const w of result.warnings) s.logger.warn(w);
    for (const k of result.skipped) s.logger.debug(`skipped ${k.url}@${k.branch}: ${k.reason}`);
    const change = replaceInventory(db, result.projects, s.ctx.now(), source);
    const counts = { added: change.added.length, removed: change.removed.length, changed: change.changed.length, unchanged: change.unchanged, skipped: result.skipped.length, invalid: result.warnings.length, total: change.total };
    recordInventoryFetch(db, { source, at: s.ctx.now(), status: 'ok', runId, counts });
    if (flags.format === 'json') {
      writeJson(s.ctx, { source, counts, added: change.added, removed: change.removed, changed: change.changed, skipped: result.skipped, invalid: result.warnings });
    } else {
      s.ctx.stdout.write(renderTable(['added', 'removed', 'changed', 'unchanged', 'skipped', 'invalid', 'total'], [[counts.added, counts.removed, counts.changed, counts.unchanged, counts.skipped, counts.invalid, counts.total]], { color: s.color }));
    }
    s.logger.info(`inventory: ${counts.total} projects (${counts.added} added, ${counts.removed} removed, ${counts.changed} changed, ${counts.skipped} skipped by the allowlist)`);
    return { exitCode: result.warnings.length > 0 ? ExitCode.Partial : ExitCode.Ok, summary: counts };
  }
}
