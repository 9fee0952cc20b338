/** The shards benchmark: its projection (pure) and a tiny real run on two fixture repositories (no timing assertion). */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveBenchData } from '../../src/bench/data.js';
import { benchShards, projectShards, renderShards, type ShardsBenchResult } from '../../src/bench/shards.js';
import { tmpDir } from '../helpers/tmp.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// 1 s per repository, 2 s fixed per shard
const measured: ShardsBenchResult = {
  repos: 31,
  shards: 4,
  concurrency: 4,
  singleMs: 31_000,
  shardRuns: [{ index: 0, projects: 10, ms: 12_000 }, { index: 1, projects: 7, ms: 9_000 }, { index: 2, projects: 8, ms: 10_000 }, { index: 3, projects: 6, ms: 8_000 }],
  importMs: 1_310,
  reimportMs: 1_000,
  bundleBytes: 31 * 4096,
  load: { start: 1, end: 1, cores: 2 },
  packages: 3100,
  differences: [],
};

describe('projectShards', () => {
  it.each([
    // machines, slowest shard's projects: the share plus 3 standard deviations of a uniform hash (none on one machine)
    [1, 20_000],
    [4, 5_000 + 3 * Math.sqrt(5_000 * 0.75)],
    [20, 1_000 + 3 * Math.sqrt(1_000 * 0.95)],
  ])('20,000 repositories on %i machines: the slowest shard holds %f of them', (machines, slowest) => {
    const p = projectShards(measured, 20_000, machines);
    expect(p.scanMs).toBeCloseTo(2_000 + slowest * 1_000, 3);
    expect(p.importMs).toBeCloseTo(1_000 + 200_000, 3); // the fixed part once, 10 ms per repository
  });
});

describe('benchShards on fixtures', () => {
  it('scans two repositories once and as two shards, imports the bundles, and renders the section', async () => {
    const repos = resolveBenchData(path.join(repoRoot, 'fixtures')).repos.filter((r) => ['psf__requests-html@c561e9b', 'opensourceways__issue_pr_board@2fc35b2'].includes(r.name));
    expect(repos).toHaveLength(2);
    const r = await benchShards(repos, await tmpDir(), { shards: 2, concurrency: 2, repoRoot });
    expect(r.shardRuns.map((s) => s.index)).toEqual([0, 1]);
    expect(r.shardRuns.reduce((n, s) => n + s.projects, 0)).toBe(2);
    expect(r.packages).toBeGreaterThan(10); // benchShards itself fails when the merged store's rows differ from the shards'
    expect(r.differences).toEqual([]);
    expect(r.bundleBytes).toBeGreaterThan(0);
    const md = renderShards(r, 'npm run bench -- fixtures --only shards').markdown;
    expect(md).toMatch(/^## sharded scan on many machines \(issue 21\)/);
    expect(md).toMatch(/\| 20 \| .* \|/);
  }, 180_000);
});
