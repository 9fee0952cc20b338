import { describe, it, expect } from 'vitest';
import { InvalidArgumentError } from 'commander';
import { inShard, inventoryFingerprint, parseShard, shardOf } from '../../src/bundle/shard.js';

const repos = (n: number, prefix = 'https://git.example.com/org/repo-') => Array.from({ length: n }, (_, i) => ({ url: `${prefix}${i}`, branch: 'main' }));

describe('parseShard', () => {
  it.each([
    ['0/4', { index: 0, count: 4 }],
    ['3/4', { index: 3, count: 4 }],
    ['0/1', { index: 0, count: 1 }],
    [' 12/20 ', { index: 12, count: 20 }],
  ])('%s is shard %o (0-based, as JOB_COMPLETION_INDEX)', (value, shard) => {
    expect(parseShard(value)).toEqual(shard);
  });

  it.each([
    ['4/4', /0-based.*0\/4 \.\. 3\/4/],
    ['1/0', /1 \.\. 10000/],
    ['0/10001', /1 \.\. 10000/],
    ['-1/4', /<index>\/<count>/],
    ['1', /<index>\/<count>/],
    ['a/b', /<index>\/<count>/],
  ])('%s is refused with a message saying how to fix it', (value, message) => {
    expect(() => parseShard(value)).toThrow(InvalidArgumentError);
    expect(() => parseShard(value)).toThrow(message);
  });
});

describe('shardOf', () => {
  it('puts every project in exactly one shard, the same one on every call', () => {
    const projects = repos(500);
    const parts = [0, 1, 2, 3].map((index) => inShard(projects, { index, count: 4 }));
    expect(parts.flat().map((p) => p.url).sort()).toEqual(projects.map((p) => p.url).sort());
    for (const p of projects) expect(shardOf(p, 4)).toBe(shardOf({ ...p }, 4));
  });

  it('spreads projects evenly (each of 8 shards within 10% of 10,000/8)', () => {
    const sizes = new Array<number>(8).fill(0);
    for (const p of repos(10_000)) sizes[shardOf(p, 8)]!++;
    for (const n of sizes) expect(Math.abs(n - 1250)).toBeLessThan(125);
  });

  it('keeps a project in its shard as the inventory grows, and moves only ~1/(n+1) of them to a new shard', () => {
    const projects = repos(4_000);
    const before = new Map(projects.map((p) => [p.url, shardOf(p, 4)]));
    // growing the inventory moves nothing: the shard of a project is a function of its key alone
    const grown = [...repos(1_000, 'https://git.example.com/other/new-'), ...projects];
    for (const p of grown.slice(1_000)) expect(shardOf(p, 4)).toBe(before.get(p.url));
    const moved = projects.filter((p) => shardOf(p, 5) !== before.get(p.url));
    expect(moved.every((p) => shardOf(p, 5) === 4)).toBe(true); // a move only ever goes to the new shard
    expect(moved.length / projects.length).toBeGreaterThan(0.15);
    expect(moved.length / projects.length).toBeLessThan(0.25);
  });

  it('depends on the branch too', () => {
    const keys = repos(200).flatMap((p) => [shardOf(p, 16), shardOf({ ...p, branch: 'release' }, 16)]);
    const differing = keys.filter((k, i) => i % 2 === 0 && k !== keys[i + 1]).length;
    expect(differing).toBeGreaterThan(150);
  });
});

describe('inventoryFingerprint', () => {
  it('is the same for the same projects in any order, and changes with a project or a branch', () => {
    const a = repos(5);
    expect(inventoryFingerprint([...a].reverse())).toBe(inventoryFingerprint(a));
    expect(inventoryFingerprint(a.slice(1))).not.toBe(inventoryFingerprint(a));
    expect(inventoryFingerprint([{ ...a[0]!, branch: 'dev' }, ...a.slice(1)])).not.toBe(inventoryFingerprint(a));
    expect(inventoryFingerprint(a)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
