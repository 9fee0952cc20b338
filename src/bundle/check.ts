/**
 * Before an import touches the store: every bundle must come from the same inventory and shard count, each
 * scan must belong to its bundle's shard, and the store's inventory must be the one the shards partitioned.
 */
import { usageError } from '../shared/errors.js';
import type { StoredProject } from '../model/types.js';
import type { ScanBundle } from './format.js';
import { inventoryFingerprint, projectKey, shardOf } from './shard.js';

/** A bundle with the file it came from. */
export interface LoadedBundle {
  file: string;
  bundle: ScanBundle;
}

/** What the store must do with its inventory before the scans are applied. */
export type InventoryPlan = 'same' | 'adopt';

const short = (fp: string) => fp.slice(0, 19);

/** Checks the bundles agree with each other; returns the shared inventory. Throws an input error (exit 2) otherwise. */
export function checkBundles(bundles: readonly LoadedBundle[]): ScanBundle['inventory'] & { shardCount: number } {
  if (bundles.length === 0) throw usageError('no bundle to import', 'give the .json.gz files the shards wrote with `icms scan --all --shard <i>/<n> --export <file>`');
  const first = bundles[0]!;
  for (const b of bundles) {
    if (b.bundle.inventory.fingerprint !== first.bundle.inventory.fingerprint) {
      throw usageError(
        `${b.file} was scanned from another inventory (${short(b.bundle.inventory.fingerprint)}…, ${b.bundle.inventory.projects.length} projects) than ${first.file} (${short(first.bundle.inventory.fingerprint)}…, ${first.bundle.inventory.projects.length} projects)`,
        'all shards of one scan must read the same inventory: give them the same --inventory file, then import the bundles of that one scan',
      );
    }
    if (b.bundle.shard.count !== first.bundle.shard.count) {
      throw usageError(`${b.file} is shard ${b.bundle.shard.index}/${b.bundle.shard.count} but ${first.file} is of ${first.bundle.shard.count} shards`, 'import the bundles of one sharded scan together');
    }
    const keys = new Set(b.bundle.inventory.projects.map(projectKey));
    for (const s of b.bundle.scans) {
      if (!keys.has(projectKey(s)) || shardOf(s, b.bundle.shard.count) !== b.bundle.shard.index) {
        throw usageError(`${b.file}: ${s.name} is not a project of shard ${b.bundle.shard.index}/${b.bundle.shard.count} of its inventory`, 'the file was altered or written by an incompatible icms; scan that shard again');
      }
    }
  }
  return { ...first.bundle.inventory, shardCount: first.bundle.shard.count };
}

/**
 * Whether the store's inventory is the bundles' (`same`), or is to be replaced by it (`adopt`: an empty store,
 * or `--adopt-inventory`). Another inventory is refused: its projects would be matched against a scan of
 * a different set.
 */
export function planInventory(store: readonly StoredProject[], bundleInventory: ScanBundle['inventory'], adopt: boolean): InventoryPlan {
  if (inventoryFingerprint(store) === bundleInventory.fingerprint) return 'same';
  if (store.length === 0 || adopt) return 'adopt';
  const inBundle = new Set(bundleInventory.projects.map(projectKey));
  const inStore = new Set(store.map(projectKey));
  const added = bundleInventory.projects.filter((p) => !inStore.has(projectKey(p))).length;
  const removed = store.filter((p) => !inBundle.has(projectKey(p))).length;
  throw usageError(
    `the store's inventory (${store.length} projects, ${short(inventoryFingerprint(store))}…) is not the one the shards scanned (${bundleInventory.projects.length} projects, ${short(bundleInventory.fingerprint)}…: ${added} not in the store, ${removed} only in the store)`,
    'let the shards read the inventory the store holds (same --inventory file, or fetch-projects before the shards), or pass --adopt-inventory to store the bundles\' inventory as fetch-projects would',
  );
}
