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
import { benchBigReport, renderBigReport } from '../../src/bench/bigreport.js';
import { benchLoadCurve } from '../../src/bench/curve.js';
import { LOAD_STAGES, listOsvFiles, osvSubset } from '../../src/bench/load.js';
import { stageGrowth } from '../../src/bench/load-render.js';
import { benchProjects, inventoryYaml, maintainerCount } from '../../src/bench/people.js';
import { parseInventoryYaml } from '../../src/inventory/yaml-file.js';
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

  it('bigreport: a report built from the fixtures is scanned whole; floors and figures well-formed', async () => {
    const r = await benchBigReport(fixtures.trivyReports, await tmpDir(), { reps: 1, megabytes: 2, isolate: false });
    expect(r.report.bytes).toBeGreaterThanOrEqual(2 * 2 ** 20);
    expect(r.report.copies).toBeGreaterThan(1);
    positive(r.packages);
    expect(r.packages).toBeLessThanOrEqual(r.report.packageRows);
    positive(r.dbMb);
    positive(r.streamRead.ms);
    positive(r.parseWhole.ms);
    positive(r.whole.ms);
    positive(r.whole.dbMb);
    positive(r.scan.ms);
    positive(r.scan.rssMb);
    expect(renderBigReport(r, 'cmd').markdown).toMatch(/^## a 290 MB trivy report \(issue 15 item 13\)[\s\S]*`icms scan --all` \(read as a stream/);
  }, 120_000);

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
    // the lower bounds ran on the same files: the normaliser produced affected entries, both were timed
    positive(r.normalise.ms);
    positive(r.rawStore.ms);
    positive(r.affectedEntries);
    expect(renderSync(r, 'cmd').markdown).toMatch(/lower bound 2: read \+ parse \+ store only the raw text/);
  });

  it('match: portfolio rows, floor over the same rows, naive and indexed agree, second run all open', async () => {
    const m = await benchMatch(fixtures, await tmpDir(), { projects: 4, perProject: 250, reps: 1, sampleRows: 200, curve: [0.5], isolate: false });
    const r = { ...m, ...m.section! };
    expect(r.full.build.rows).toBe(1000);
    expect(r.floor.rows).toBe(1000);
    expect(r.full.match.packages).toBe(1000);
    positive(r.full.match.affectedEntries);
    positive(r.full.match.ms);
    positive(r.floor.ms);
    positive(r.full.rssMb);
    expect(r.naive.sampleRows).toBe(200);
    expect(r.naive.naiveHits).toBe(r.naive.indexedHits);
    // the save's lower bound inserted exactly the findings the first match stored
    expect(r.saveFloor.rows).toBe(r.full.match.findings);
    positive(r.saveFloor.ms);
    positive(r.naiveExtrapolatedMs);
    const c = r.second.match.counts;
    expect(c.new + c.reopened + c.fixed).toBe(0);
    expect(c.open).toBe(r.second.match.findings);
    expect(r.curve.map((p) => p.build.rows)).toEqual([500]);
    expect(r.full.build.tenthsMs).toHaveLength(4);
    expect(renderMatch(m, 'cmd').markdown).toMatch(/× the floor/);
    expect(renderCurve(m, 'cmd').markdown).toMatch(/\| 50% \| 500 \|/);
  });

  it('curve: fetch-projects, sync-vulns, notify, report json/html and the dashboard at each size, as the real commands', { timeout: 180_000 }, async () => {
    const findings: number[] = [];
    const matchTmp = await tmpDir();
    const { match, load } = await benchLoadCurve(fixtures, await tmpDir(), { projects: 8, fractions: [0.5, 1], reps: 1, isolate: false, dashboard: true }, (afterMatch) =>
      benchMatch(fixtures, matchTmp, { projects: 8, perProject: 120, reps: 1, sampleRows: 10, curve: [0.5], isolate: false, matchSection: false, afterMatch: async (f, db, run) => {
        findings.push(run.findings);
        await afterMatch(f, db, run);
      } }),
    );
    expect(match.section).toBeUndefined();
    const s = load.stages;
    expect(s['fetch-projects'].map((r) => [r.items, r.counts.maintainers])).toEqual([[4, maintainerCount(benchProjects(4))], [8, maintainerCount(benchProjects(8))]]);
    const osvFiles = listOsvFiles(fixtures.osvDir).length;
    expect(s['sync-vulns'].map((r) => r.items)).toEqual([Math.ceil(osvFiles / 2), osvFiles]);
    for (const r of s['sync-vulns']) expect(r.counts.advisories! + r.counts.skipped!).toBe(r.items);
    for (const stage of ['notify', 'report json', 'report html', 'match json'] as const) expect(s[stage].map((r) => r.items)).toEqual(findings);
    for (const r of s['match json']) expect(r.counts.listed).toBe(r.items);
    for (const r of s.notify) {
      positive(r.counts.mails!); // a digest per maintainer with something open, and the security team's alert
      positive(r.bytes);
    }
    for (const stage of LOAD_STAGES) for (const r of s[stage]) {
      positive(r.ms);
      positive(r.rssMb);
    }
    expect(load.dashboards.map((d) => d.error)).toEqual([undefined, undefined]);
    expect(load.dashboards.at(-1)!.run!.countText).toMatch(new RegExp(`of ${findings.at(-1)} findings$|^no findings match$`));
    const md = renderCurve(match, 'cmd', load).markdown;
    expect(md).toMatch(/### every other command/);
    expect(md).toMatch(/\| notify \| 100% \| \d+ findings \|/);
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

describe('curve inputs and growth', () => {
  it.each([
    [0.1, ['f0']],
    [0.5, ['f0', 'f2', 'f4', 'f6', 'f8']],
    [1, ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9']],
  ])('osvSubset(%s) takes every round(1/fraction)-th file', (fraction, expected) => {
    expect(osvSubset(Array.from({ length: 10 }, (_, i) => `f${i}`), fraction)).toEqual(expected);
  });

  it('benchProjects: ~1 maintainer per 10 projects, every fourth project a second one, leads on ~50 projects', () => {
    const projects = benchProjects(2000);
    const by = new Map<string, number>();
    for (const p of projects) for (const m of p.maintainers) by.set(m.email, (by.get(m.email) ?? 0) + 1);
    expect(maintainerCount(projects)).toBe(210);
    expect(projects.filter((p) => p.maintainers.length === 2)).toHaveLength(500);
    expect(Math.max(...by.values())).toBe(50);
    expect(parseInventoryYaml(inventoryYaml(projects), 'inventory.yaml').projects).toEqual(projects);
  });

  const run = (fraction: number, items: number, ms: number) => ({ fraction, items, ms, runs: [ms], rssMb: 100, bytes: 0, counts: {} });
  it.each([
    ['linear', [run(0.1, 100, 10), run(0.5, 500, 50), run(1, 1000, 100)], 1, 1, true],
    ['quadratic', [run(0.1, 100, 1), run(0.5, 500, 25), run(1, 1000, 100)], 10, 2.5, false],
  ])('stageGrowth of %s work', (_name, runs, perItem, marginal, isMet) => {
    expect(stageGrowth(runs)).toMatchObject({ sizeRatio: 10, perItem, marginal, isMet });
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
