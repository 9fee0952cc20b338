/**
 * Smoke test of the benchmark code on the repository's fixtures at tiny sizes, in-process: the figures are
 * well-formed and the cross-checks hold. No timing assertion (BENCHMARKS.md holds the measurements).
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveBenchData } from '../../src/bench/data.js';
import { benchSync, renderSync } from '../../src/bench/sync.js';
import { benchMatch } from '../../src/bench/match.js';
import { renderCurve, renderMatch } from '../../src/bench/match-render.js';
import { benchScan, renderScan } from '../../src/bench/scan.js';
import { mergeBenchmarks } from '../../src/bench/report.js';
import { tmpDir } from '../helpers/tmp.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = resolveBenchData(path.join(repoRoot, 'fixtures'));
const positive = (n: number): void => {
  expect(Number.isFinite(n)).toBe(true);
  expect(n).toBeGreaterThan(0);
};

describe('bench on fixtures', () => {
  it('finds the fixture inputs', () => {
    expect(fixtures.repos.map((r) => r.name)).toContain('psf__requests-html@c561e9b');
    expect(fixtures.trivyReports.length).toBeGreaterThan(10);
  });

  it('sync: advisories/s, floor, ratio, re-sync of unchanged data', async () => {
    const r = await benchSync(fixtures.osvDir, await tmpDir(), { reps: 1, isolate: false });
    expect(r.files).toBe(r.advisories + r.skipped);
    positive(r.advisories);
    positive(r.floor.ms);
    positive(r.first.ms);
    positive(r.first.rssMb);
    positive(r.advisoriesPerSecond);
    expect(r.ratio).toBeCloseTo(r.first.ms / r.floor.ms, 1);
    expect(r.resyncUnchanged).toBe(r.advisories);
    expect(renderSync(r, 'cmd').markdown).toMatch(/advisories\/s/);
  });

  it('match: portfolio rows, floor over the same rows, naive and indexed agree, second run all open', async () => {
    const r = await benchMatch(fixtures, await tmpDir(), { projects: 4, perProject: 250, reps: 1, sampleRows: 200, curve: [0.5], isolate: false });
    expect(r.full.build.rows).toBe(1000);
    expect(r.floor.rows).toBe(1000);
    expect(r.full.match.packages).toBe(1000);
    positive(r.full.match.affectedEntries);
    positive(r.full.match.ms);
    positive(r.floor.ms);
    positive(r.full.rssMb);
    expect(r.naive.sampleRows).toBe(200);
    expect(r.naive.naiveHits).toBe(r.naive.indexedHits);
    positive(r.naiveExtrapolatedMs);
    const c = r.second.match.counts;
    expect(c.new + c.reopened + c.fixed).toBe(0);
    expect(c.open).toBe(r.second.match.findings);
    expect(r.curve.map((p) => p.build.rows)).toEqual([500]);
    expect(r.full.build.tenthsMs).toHaveLength(4);
    expect(renderMatch(r, 'cmd').markdown).toMatch(/× the floor/);
    expect(renderCurve(r, 'cmd').markdown).toMatch(/\| 50% \| 500 \|/);
  });

  it('scan: icms cold vs direct trivy, unchanged re-run skips trivy', { timeout: 180_000 }, async () => {
    const repos = fixtures.repos.filter((x) => /infraAIService|petclinic/.test(x.name));
    const r = await benchScan(repos, await tmpDir(), { reps: 1, concurrency: 4, mode: 'in-process', repoRoot });
    positive(r.direct.ms);
    positive(r.cold.ms);
    positive(r.rerun.ms);
    positive(r.packages);
    expect(r.ratio).toBeCloseTo(r.cold.ms / r.direct.ms, 1);
    expect(renderScan(r, 'cmd').markdown).toMatch(/scan overhead/);
  });
});

describe('mergeBenchmarks', () => {
  it('replaces the sections run now and keeps the others in order', () => {
    const before = mergeBenchmarks(undefined, '# B', [{ id: 'sync', markdown: 'old sync' }, { id: 'scan', markdown: 'old scan' }]);
    expect(before).toBe('# B\n\n<!-- bench:scan -->\nold scan\n<!-- /bench:scan -->\n\n<!-- bench:sync -->\nold sync\n<!-- /bench:sync -->\n');
    const after = mergeBenchmarks(before, '# B', [{ id: 'sync', markdown: 'new sync\n' }, { id: 'match', markdown: 'm' }]);
    expect(after).toContain('old scan');
    expect(after).toContain('new sync');
    expect(after).not.toContain('old sync');
    expect(after.indexOf('bench:sync')).toBeLessThan(after.indexOf('bench:match'));
  });
});
