/** The sharded side of `icms scan --all`: `--inventory`, `--shard` and `--export` (the bundle stage does the work). */
import { open } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/open.js';
import { countActiveRepos, listProjects, recordInventoryFetch, replaceInventory } from '../db/projects.js';
import { buildBundle } from '../bundle/export.js';
import { isGzip, readBundle, writeBundle } from '../bundle/bundle-file.js';
import { inShard, type Shard } from '../bundle/shard.js';
import { buildInventory } from '../inventory/fetch-inventory.js';
import { readInventoryFile } from '../inventory/yaml-file.js';
import type { Project, StoredProject } from '../model/types.js';
import { errorMessage, usageError } from '../shared/errors.js';
import type { Session } from './session.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** The scan flags of this file. */
export interface ShardFlags {
  all?: boolean;
  shard?: Shard;
  inventory?: string;
  export?: string;
}

/** `--shard`, `--inventory` and `--export` describe an inventory scan: they need --all and no other target. */
export function checkShardFlags(flags: ShardFlags, hasOtherTargets: boolean): void {
  const used = [flags.shard && '--shard', flags.inventory && '--inventory', flags.export && '--export'].filter(Boolean);
  if (used.length === 0) return;
  if (!flags.all) throw usageError(`${used.join(', ')} need --all`, 'e.g. icms scan --all --shard 0/4 --export shard-0.json.gz');
  if (hasOtherTargets) throw usageError(`${used.join(', ')} scan the inventory only`, 'scan paths, URLs and images in a separate `icms scan`');
}

/**
 * `--inventory FILE`: stores the inventory of FILE (an inventory YAML file, or a bundle's inventory) as
 * fetch-projects would, so a shard on a fresh machine needs no shared database.
 */
export async function applyInventoryFile(s: Session, db: Db, file: string, runId: number): Promise<void> {
  const abs = path.resolve(s.ctx.cwd, file);
  const fromBundle = await startsWithGzip(abs);
  let projects: Project[];
  if (fromBundle) {
    projects = (await readBundle(abs)).inventory.projects;
  } else {
    const result = buildInventory(await readInventoryFile(abs), s.config.inventory.allow);
    for (const w of result.warnings) s.logger.warn(w);
    projects = result.projects;
  }
  if (projects.length === 0 && countActiveRepos(db) > 0) {
    throw usageError(`${abs}: the inventory is empty but ${countActiveRepos(db)} projects are stored; keeping them`, 'give the inventory file the shards share');
  }
  const source = fromBundle ? 'bundle' : 'file';
  const change = replaceInventory(db, projects, s.ctx.now(), source);
  recordInventoryFetch(db, { source, at: s.ctx.now(), status: 'ok', runId, counts: { added: change.added.length, removed: change.removed.length, changed: change.changed.length, unchanged: change.unchanged, total: change.total } });
  s.logger.info(`inventory from ${abs}: ${change.total} projects (${change.added.length} added, ${change.removed.length} removed)`);
}

async function startsWithGzip(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw usageError(`cannot read the inventory ${file}: ${errorMessage(err)}`, 'give an inventory YAML file or a scan bundle (.json.gz)');
  }
  try {
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    return isGzip(head);
  } finally {
    await handle.close();
  }
}

/** The active repositories `scan --all` covers: all of them, or those of `--shard`. */
export function inventoryToScan(db: Db, shard: Shard | undefined): { inventory: StoredProject[]; mine: StoredProject[] } {
  const inventory = listProjects(db, { kind: 'repo' });
  return { inventory, mine: shard ? inShard(inventory, shard) : inventory };
}

/** `--export FILE`: writes the bundle of this scan run (the whole run is one shard `0/1` without --shard). */
export async function exportShard(
  s: Session,
  db: Db,
  run: { file: string; runId: number; shard: Shard | undefined; inventory: StoredProject[]; mine: StoredProject[]; trivy: { path: string; version: string }; label: string | undefined; startedAt: Date },
): Promise<string> {
  const file = path.resolve(s.ctx.cwd, run.file);
  const shard = run.shard ?? { index: 0, count: 1 };
  const bundle = buildBundle(db, { runId: run.runId, shard, inventory: run.inventory, scanned: run.mine, trivy: run.trivy, icmsVersion: pkg.version, label: run.label, startedAt: run.startedAt, finishedAt: s.ctx.now() });
  await writeBundle(file, bundle);
  s.logger.info(`scan bundle of shard ${shard.index}/${shard.count} (${bundle.scans.length} of ${run.inventory.length} projects) written to ${file}`);
  return file;
}
