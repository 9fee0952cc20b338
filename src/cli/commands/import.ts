/** `icms import`: merge scan bundles written by sharded `icms scan --all --shard i/n --export` into the store. */
import type { Command } from 'commander';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { readBundle, readBundleSync } from '../../bundle/bundle-file.js';
import type { LoadedBundle } from '../../bundle/check.js';
import type { ScanBundle } from '../../bundle/format.js';
import { importBundles, lightBundle, type ImportResult } from '../../bundle/import.js';
import { ExitCode, errorMessage, usageError } from '../../shared/errors.js';
import type { App } from '../main.js';
import { formatOption, renderTable, writeJson } from '../output.js';
import { withRun } from '../run-command.js';
import { openSession, type Session } from '../session.js';

interface ImportFlags {
  adoptInventory?: boolean;
  format: 'table' | 'json';
}

/** Registers `import`. */
export function registerImport(program: Command, app: App): void {
  program
    .command('import')
    .description('merge scan bundles (from `scan --all --shard i/n --export`) into the store, in one transaction')
    .argument('<bundles...>', 'bundle files, or directories holding *.json.gz bundles')
    .option('--adopt-inventory', "store the bundles' inventory when the store holds another one (as fetch-projects would)")
    .addOption(formatOption(['table', 'json']))
    .action(async (inputs: string[], flags: ImportFlags) => {
      const s = openSession(app.ctx, app.globals(), app.redactor);
      // read and check every bundle before the store is locked or touched; their packages are read again one
      // bundle at a time while they are applied (20,000 repositories' packages do not fit in memory at once)
      const bundles = await loadBundles(s, inputs);
      app.setExitCode(
        await withRun(s, 'import', async (db, runId) => {
          const result = importBundles(db, bundles, { runId, now: s.ctx.now(), adoptInventory: Boolean(flags.adoptInventory), reload: readBundleSync, logger: s.logger });
          for (const f of result.failed) s.logger.error(`import ${f.item}: ${f.error}`);
          printImport(s, result, flags.format);
          return { exitCode: result.failed.length > 0 ? ExitCode.Partial : ExitCode.Ok, summary: summarize(result) };
        }),
      );
    });
}

/** Files as given; a directory stands for its *.json.gz files (sorted, so the order is the same everywhere). */
async function loadBundles(s: Session, inputs: string[]): Promise<LoadedBundle[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const abs = path.resolve(s.ctx.cwd, input);
    let isDir: boolean;
    try {
      isDir = (await stat(abs)).isDirectory();
    } catch (err) {
      throw usageError(`${abs}: cannot read the bundle: ${errorMessage(err)}`, 'give the bundle files or the directory the shards wrote them to');
    }
    if (!isDir) files.push(abs);
    else files.push(...(await readdir(abs)).filter((f) => f.endsWith('.json.gz')).sort().map((f) => path.join(abs, f)));
  }
  if (files.length === 0) throw usageError(`no *.json.gz bundle in ${inputs.join(', ')}`, 'did the shards run `icms scan --all --shard <i>/<n> --export <dir>/<file>.json.gz`?');
  const out: LoadedBundle[] = [];
  const inventories = new Map<string, ScanBundle['inventory']>();
  for (const file of files) {
    const bundle = lightBundle(await readBundle(file));
    // every shard carries the whole inventory: keep one copy per fingerprint
    const inventory = inventories.get(bundle.inventory.fingerprint) ?? bundle.inventory;
    inventories.set(inventory.fingerprint, inventory);
    out.push({ file, bundle: { ...bundle, inventory } });
  }
  return out;
}

function summarize(r: ImportResult) {
  const stored = r.done.filter((d) => d.outcome === 'stored');
  return {
    fingerprint: r.fingerprint,
    shards: r.shardCount,
    missing_shards: r.missingShards,
    inventory_adopted: r.inventoryAdopted,
    scanned: stored.filter((d) => d.status === 'ok').length,
    skipped: stored.filter((d) => d.status === 'skipped').length,
    already_imported: r.done.filter((d) => d.outcome === 'already').length,
    stale: r.done.filter((d) => d.outcome === 'stale').length,
    failed: r.failed.length,
  };
}

function printImport(s: Session, r: ImportResult, format: string): void {
  const sum = summarize(r);
  if (format === 'json') {
    writeJson(s.ctx, { ...sum, scans: r.done, failures: r.failed.map((f) => ({ project: f.item, error: f.error })) });
    return;
  }
  const rows = r.done.map((d) => [d.shard, d.project, d.status, d.outcome, d.commit?.slice(0, 12) ?? '', d.packages]);
  s.ctx.stdout.write(renderTable(['shard', 'project', 'status', 'import', 'commit', 'packages'], rows, { color: s.color }));
  if (r.failed.length > 0) s.ctx.stdout.write(renderTable(['project', 'error'], r.failed.map((f) => [f.item, f.error]), { color: s.color }));
  const missing = r.missingShards.length > 0 ? `; shards with no bundle: ${r.missingShards.map((i) => `${i}/${r.shardCount}`).join(', ')}` : '';
  s.ctx.stdout.write(`imported ${sum.scanned} scanned, ${sum.skipped} unchanged; ${sum.already_imported} already imported, ${sum.stale} older than the store; ${sum.failed} failed${missing}\n`);
}
