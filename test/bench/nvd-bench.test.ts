/**
 * Smoke test of the NVD benchmarks on the repository's fixtures at tiny sizes, in-process: the generated inputs are
 * what the sections say, the re-sync is answered from the listing, and the match with the rating sources rates more
 * of the same findings. No timing assertion (BENCHMARKS.md holds the measurements).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveBenchData } from '../../src/bench/data.js';
import { benchEnrichment, benchNvdSync, makeNvdFiles } from '../../src/bench/nvd.js';
import { renderEnrichment, renderNvdSync } from '../../src/bench/nvd-render.js';
import { osvCveIds } from '../../src/bench/nvd-data.js';
import { median } from '../../src/bench/measure.js';
import { tmpDir } from '../helpers/tmp.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = resolveBenchData(path.join(repoRoot, 'fixtures'));

describe('NVD benchmarks on fixtures', () => {
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('generates a mirror and a feed of the same records, one per CVE of the OSV corpus, padded', async () => {
    const files = await makeNvdFiles(fixtures, await tmpDir(), { minRecords: 60, epssRows: 100, isolate: false });
    const cves = osvCveIds(fixtures.osvDir);
    expect(files.osvCves).toBe(cves.size);
    expect(files.records).toBe(Math.max(60, cves.size));
    const names = readdirSync(files.mirrorDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
    expect(names).toHaveLength(files.records);
    // the mirror's layout, and a record under its own id
    const one = [...cves][0]!;
    const rel = path.join(one.replace(/-\d+$/, ''), `${one.slice(0, -2)}xx`, `${one}.json`);
    expect((JSON.parse(readFileSync(path.join(files.mirrorDir, rel), 'utf8')) as { id: string }).id).toBe(one);
    const feed = JSON.parse(gunzipSync(readFileSync(files.feedFile)).toString('utf8')) as { format: string; vulnerabilities: { cve: { id: string } }[] };
    expect(feed.format).toBe('NVD_CVE');
    expect(new Set(feed.vulnerabilities.map((v) => v.cve.id)).size).toBe(files.records);
    expect(readFileSync(files.epssFile, 'utf8').trim().split('\n')).toHaveLength(2 + Math.max(100, files.records));
  });

  it('sync: every layout against its floor; every re-sync answered without reading, a git checkout by its tree id', async () => {
    const files = await makeNvdFiles(fixtures, await tmpDir(), { minRecords: 60, epssRows: 100, isolate: false });
    const r = await benchNvdSync(files, await tmpDir(), { reps: 2, isolate: false });
    expect(r.layouts.map((l) => l.layout)).toEqual(['mirror directory', 'mirror directory, a git checkout', 'feed file (.json.gz)']);
    expect(r.layouts.map((l) => l.validator)).toEqual(['tree', 'git', 'tree']);
    for (const l of r.layouts) {
      expect(l.records).toBe(files.records);
      expect(l.first.runs).toHaveLength(2);
      expect(l.floor.median).toBeGreaterThan(0);
      expect(l.resyncNotModified).toBe(true);
      expect(l.resyncRatios).toHaveLength(2);
    }
    expect(r.layouts[0]!.files).toBe(files.records);
    expect(r.layouts[1]!.files).toBe(files.records);
    expect(r.layouts[0]!.statFloor?.runs).toHaveLength(2);
    expect(r.layouts[1]!.statFloor?.runs).toHaveLength(2);
    expect(r.layouts[2]!.statFloor).toBeUndefined();
    const md = renderNvdSync(r, 'cmd').markdown;
    expect(md).toMatch(/\| mirror directory \| re-sync, nothing changed \|/);
    expect(md).toMatch(/mirror directory, a git checkout: .*every one answered by the unchanged git tree id/);
  });

  it('enrich: the same findings with and without the rating sources, scored by EPSS, none of them unrated by it', { timeout: 120_000 }, async () => {
    const files = await makeNvdFiles(fixtures, await tmpDir(), { minRecords: 60, epssRows: 100, isolate: false });
    const kevFile = path.join(fixtures.root, 'kev', 'known_exploited_vulnerabilities.json');
    const r = await benchEnrichment(fixtures, files, await tmpDir(), { projects: 4, perProject: 250, reps: 2, isolate: false, kevFile });
    expect(r.build.rows).toBe(1000);
    expect(r.rich.counts.findings).toBe(r.plain.counts.findings);
    expect(r.plain.counts.findings).toBeGreaterThan(0);
    expect(r.plain.counts.epss).toBe(0);
    expect(r.rich.counts.epss).toBeGreaterThan(0);
    expect(r.rich.counts.rated).toBeGreaterThanOrEqual(r.plain.counts.rated);
    expect(r.sources.rows).toMatchObject({ nvd: files.records, epss: Math.max(100, files.records) });
    expect(r.ratios).toHaveLength(2);
    expect(r.cpuRatios).toHaveLength(2);
    expect(r.rich.cpu).toHaveLength(2);
    expect(r.plain.runs).toHaveLength(2);
    expect(renderEnrichment(r, 'cmd').markdown).toMatch(/\| OSV \+ NVD \+ KEV \+ EPSS \|/);
  });
});
