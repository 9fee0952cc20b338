/**
 * `npm run bench [-- <data-dir>] [--only scan|sync|nvd|match|enrich|curve|ratings|shards|bigreport] [--reps N] [--projects N]
 * [--per-project N] [--sample N] [--nvd-records N] [--report-mb N] [--out FILE] [--in-process]`: runs the benchmarks, each against a floor measured in the same run,
 * and writes their sections into BENCHMARKS.md (atomically; sections not run this time are kept).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../shared/atomic-write.js';
import { defaultDataDir, resolveBenchData } from './data.js';
import { benchLoadCurve } from './curve.js';
import { benchMatch } from './match.js';
import { renderCurve, renderMatch } from './match-render.js';
import { loadNow, machineInfo } from './measure.js';
import { machineBlock, mergeBenchmarks, type Section } from './report.js';
import { benchScan, renderScan } from './scan.js';
import { benchShards, renderShards } from './shards.js';
import { benchBigReport, renderBigReport } from './bigreport.js';
import { benchSync, renderSync } from './sync.js';
import { ratingsCensus } from './ratings.js';
import { renderRatings } from './ratings-render.js';
import { benchEnrichment, benchNvdSync, makeNvdFiles } from './nvd.js';
import { renderEnrichment, renderNvdSync } from './nvd-render.js';
import type { NvdBenchFiles } from './nvd-data.js';

const ALL = ['scan', 'sync', 'nvd', 'match', 'enrich', 'curve', 'ratings', 'shards', 'bigreport'] as const;
type BenchId = (typeof ALL)[number];

const HEADER = `# Benchmarks

Performance is measured here, never by timed assertions in tests. Every figure is compared against a floor measured
in the same run on the same machine, and each section says what was measured, on what data, the target, whether it
was met, and the command that reproduces it. Regenerate with \`npm run bench\` (all) or
\`npm run bench -- <data-dir> --only scan|sync|nvd|match|enrich|curve|ratings|shards|bigreport\` (one section; the others are kept).`;

async function run(): Promise<void> {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      only: { type: 'string', multiple: true },
      reps: { type: 'string', default: '3' },
      projects: { type: 'string', default: '2000' },
      'per-project': { type: 'string', default: '500' },
      sample: { type: 'string', default: '10000' },
      'report-mb': { type: 'string', default: '290' },
      'nvd-records': { type: 'string', default: '20000' },
      out: { type: 'string', default: path.join(repoRoot, 'BENCHMARKS.md') },
      'in-process': { type: 'boolean', default: false },
    },
  });
  const dataDir = path.resolve(positionals[0] ?? defaultDataDir(repoRoot));
  const only = (values.only ?? []).flatMap((o) => o.split(','));
  for (const o of only) if (!(ALL as readonly string[]).includes(o)) throw new Error(`--only ${o}: expected one of ${ALL.join(', ')}`);
  const want = (id: BenchId): boolean => only.length === 0 || only.includes(id);
  const reps = Number(values.reps);
  const isolate = !values['in-process'];
  const data = resolveBenchData(dataDir);
  const machine = machineInfo(new Date());
  const tmp = os.tmpdir();
  const cmd = (id: string): string => `npm run bench -- ${path.relative(repoRoot, dataDir) || '.'} --only ${id}`;
  const sections: Section[] = [];
  const log = (s: string): void => void process.stderr.write(`bench: ${s}\n`);
  log(`data ${dataDir}; ${data.repos.length} repos, ${data.trivyReports.length} trivy reports; ${reps} repetitions; load ${machine.loadStart.join(' / ')}`);

  if (want('scan')) {
    log('scan ...');
    const r = await benchScan(data.repos, tmp, { reps, concurrency: 4, mode: isolate ? 'spawn' : 'in-process', repoRoot });
    log(`scan: cold ${r.ratio}x direct, re-run ${r.rerunRatio}x cold`);
    sections.push(withLoad(renderScan(r, cmd('scan'))));
  }
  if (want('shards')) {
    log('shards ...');
    const r = await benchShards(data.repos, tmp, { shards: 4, concurrency: 4, repoRoot });
    log(`shards: single ${Math.round(r.singleMs)} ms, slowest shard ${Math.max(...r.shardRuns.map((s) => s.ms))} ms, import ${r.importMs} ms`);
    sections.push(withLoad(renderShards(r, cmd('shards'))));
  }
  if (want('bigreport') && data.trivyReports.length > 0) {
    log('bigreport ...');
    const r = await benchBigReport(data.trivyReports, tmp, { reps, megabytes: Number(values['report-mb']), isolate });
    log(`bigreport: scan ${Math.round(r.scan.ms)} ms, peak RSS ${r.scan.rssMb} MB, db ${r.dbMb} MB`);
    sections.push(withLoad(renderBigReport(r, cmd('bigreport'))));
  }
  if (want('sync')) {
    log('sync ...');
    const r = await benchSync(data.osvDir, tmp, { reps, isolate });
    log(`sync: ${r.advisoriesPerSecond} advisories/s, ${r.ratio}x floor, re-sync ${r.resyncRatio}x, RSS ${r.first.rssMb} MB`);
    sections.push(withLoad(renderSync(r, cmd('sync'))));
  }
  if (want('match') || want('curve')) {
    log('match ...');
    const projects = Number(values.projects);
    const matchOpts = { projects, perProject: Number(values['per-project']), reps, sampleRows: Number(values.sample), curve: want('curve') ? [0.1, 0.5] : [], isolate, matchSection: want('match') };
    const { match: r, load } = want('curve')
      ? await benchLoadCurve(data, tmp, { projects, fractions: [0.1, 0.5, 1], reps, isolate, dashboard: true }, (afterMatch) => benchMatch(data, tmp, { ...matchOpts, afterMatch }))
      : { match: await benchMatch(data, tmp, matchOpts), load: undefined };
    log(`match: ${r.full.build.rows} rows, ${Math.round(r.full.match.ms)} ms; RSS ${r.full.rssMb} MB`);
    if (want('match')) sections.push(withLoad(renderMatch(r, cmd('match'))));
    if (want('curve')) sections.push(withLoad(renderCurve(r, cmd('curve'), load)));
  }
  if (want('nvd') || want('enrich')) {
    const dir = mkdtempSync(path.join(tmp, 'icms-bench-nvd-data-'));
    try {
      log('nvd: generating the mirror, feed and EPSS files ...');
      const files: NvdBenchFiles = await makeNvdFiles(data, dir, { minRecords: Number(values['nvd-records']), epssRows: 300_000, isolate });
      if (want('nvd')) {
        log(`nvd: ${files.records} records ...`);
        const r = await benchNvdSync(files, tmp, { reps, isolate });
        for (const l of r.layouts) log(`nvd ${l.layout}: ${l.recordsPerSecond} records/s, ${l.ratio}x floor, re-sync ${(l.resyncRatio * 100).toFixed(1)}%, RSS ${l.first.rssMb} MB`);
        sections.push(withLoad(renderNvdSync(r, cmd('nvd'))));
      }
      if (want('enrich')) {
        log('enrich ...');
        const kevFile = path.join(data.root, 'kev', 'known_exploited_vulnerabilities.json');
        const r = await benchEnrichment(data, files, tmp, { projects: Number(values.projects), perProject: Number(values['per-project']), reps, isolate, kevFile });
        log(`enrich: ${r.ratio}x (${r.plain.median} ms without, ${r.rich.median} ms with)`);
        sections.push(withLoad(renderEnrichment(r, cmd('enrich'))));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (want('ratings') && existsSync(path.join(data.root, 'nvd')) && existsSync(path.join(data.root, 'kev'))) {
    log('ratings ...');
    const work = mkdtempSync(path.join(tmp, 'icms-bench-ratings-'));
    try {
      const plain = await ratingsCensus(data, path.join(work, 'plain.db'), work, { nvd: false, kev: false });
      const rich = await ratingsCensus(data, path.join(work, 'rich.db'), work, { nvd: true, kev: true });
      sections.push(withLoad(renderRatings(rich, plain, cmd('ratings'))));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  machine.loadEnd = loadNow();
  const note = `The ${machine.cores}-core machine can be shared with other work (the load average, which includes the benchmark's own processes, is noted per section), so every figure is the best of ${reps} repetitions (all listed).`;
  // the shards section runs once; the NVD sections report medians
  const blockFor = (id: string): string =>
    machineBlock(machine, id === 'shards' ? note.replace(/, so every figure is the best of .*$/, '.') : id === 'nvd' || id === 'enrich' ? note.replace(/the best of (\d+) repetitions/, 'the median of $1 repetitions') : note);
  const stamped = sections.map((s) => ({ ...s, markdown: s.markdown.replace(/^(## .*)$/m, `$1\n\n${blockFor(s.id)}`) }));
  const out = path.resolve(values.out);
  const existing = existsSync(out) ? readFileSync(out, 'utf8') : undefined;
  await writeFileAtomic(out, mergeBenchmarks(existing, HEADER, stamped));
  log(`wrote ${out}`);
}

/** Appends the load average at the end of a section's measurement. */
function withLoad(s: Section): Section {
  return { ...s, markdown: `${s.markdown}\n\nLoad average when this section finished: ${loadNow().join(' / ')}.` };
}

await run();
