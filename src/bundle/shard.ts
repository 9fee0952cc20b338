/**
 * Which shard scans which project. A project's shard depends only on its key (normalised URL + branch) and the
 * shard count, never on the rest of the inventory: a project stays in its shard as the inventory grows, so a
 * shard's clones and caches stay warm. Shard indexes are 0-based, as Kubernetes' JOB_COMPLETION_INDEX is.
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from 'commander';
import type { Project } from '../model/types.js';

/** One shard of `count`: index 0 .. count-1. */
export interface Shard {
  index: number;
  count: number;
}

/** The most shards a scan may be split into (far beyond any portfolio; keeps a typo like 0/40000000 out). */
export const MAX_SHARDS = 10_000;

/** Parses `--shard <i>/<n>` (0-based: `0/4` .. `3/4`). */
export function parseShard(value: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected <index>/<count>, 0-based like Kubernetes JOB_COMPLETION_INDEX: 0/4 .. 3/4');
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw new InvalidArgumentError(`the shard count must be 1 .. ${MAX_SHARDS}, got ${count}`);
  if (index >= count) throw new InvalidArgumentError(`shard indexes are 0-based: with ${count} shards give 0/${count} .. ${count - 1}/${count}, got ${index}/${count}`);
  return { index, count };
}

/** The identity of an inventory project across machines: its normalised URL and branch (the stores' unique key). */
export function projectKey(p: Pick<Project, 'url' | 'branch'>): string {
  return `${p.url}\0${p.branch}`;
}

/**
 * The shard of a project: jump consistent hash (Lamping & Veach 2014, https://arxiv.org/abs/1406.2294) of the
 * first 64 bits of sha256(key). Uniform, and when the shard count grows from n to n+1 only 1/(n+1) of the
 * projects move (a plain `hash % n` would move almost all of them).
 */
export function shardOf(p: Pick<Project, 'url' | 'branch'>, count: number): number {
  let key = createHash('sha256').update(projectKey(p)).digest().readBigUInt64BE(0);
  let b = -1;
  let j = 0;
  while (j < count) {
    b = j;
    key = (key * 2862933555777941757n + 1n) & 0xffff_ffff_ffff_ffffn;
    j = Math.floor((b + 1) * (2 ** 31 / (Number(key >> 33n) + 1)));
  }
  return b;
}

/** The projects of `shard`, in their given order. */
export function inShard<T extends Pick<Project, 'url' | 'branch'>>(projects: readonly T[], shard: Shard): T[] {
  return projects.filter((p) => shardOf(p, shard.count) === shard.index);
}

/**
 * A fingerprint of the inventory's project keys (order-free): shards and the importing store must have
 * partitioned the same set of projects. Maintainers and labels are left out: they do not change what is scanned.
 */
export function inventoryFingerprint(projects: readonly Pick<Project, 'url' | 'branch'>[]): string {
  const keys = projects.map(projectKey).sort();
  const h = createHash('sha256');
  for (const k of keys) h.update(`${k}\n`);
  return `sha256:${h.digest('hex')}`;
}
