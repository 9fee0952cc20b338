/**
 * The shards benchmark (issue 21): one `icms scan --all` against the same portfolio cut into n shards, each shard a
 * separate `node bin/icms.js` with its own empty store and work dir, run one after another so that each has the
 * machine to itself, as it would have its own machine; then `icms import` of their bundles into a fresh store.
 * The merged store must hold the single scan's package rows, or the benchmark fails.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import type { BenchRepo } from './data.js';
import { round } from './measure.js';
import { fmtMs, mdTable, type Section } from './report.js';
import { makeRemotes } from './scan.js';

export interface ShardsBenchOptions {
  shards: number;
  concurrency: number;
  repoRoot: string;
}

export interface ShardsBenchResult {
  repos: number;
  shards: number;
  concurrency: number;
  singleMs: number;
  shardRuns: { index: number; projects: number; ms: number }[];
  importMs: number;
  /** The same import again: every scan already stored, so only reading, checking and the transaction's frame. */
  reimportMs: number;
  bundleBytes: number;
  /** Projects whose package rows differ between the single scan and the merged shards (two trivy runs of one commit). */
  differences: { project: string; single: number; merged: number }[];
  /** 1-minute load average before the single scan and after the import, and the core count. */
  load: { start: number; end: number; cores: number };
  packages: number;
}

/** Runs the single scan, the n shards and the import; checks the merged packages equal the single scan's. */
export async function benchShards(repos: readonly BenchRepo[], tmpDir: string, opts: ShardsBenchOptions): Promise<ShardsBenchResult> {
  const work = mkdtempSync(path.join(tmpDir, 'icms-bench-shards-'));
  try {
    const remotes = await makeRemotes(repos, work);
    const inventory = path.join(work, 'inventory.yaml');
    writeFileSync(inventory, `projects:\n${remotes.map((r) => `  - url: ${JSON.stringify(r.url)}\n    branch: main\n    maintainers: [{name: Bench, email: bench@example.invalid}]\n`).join('')}`);
    const cfg = path.join(work, 'icms.yaml');
    writeFileSync(cfg, `inventory:\n  source: file\n  file: ${JSON.stringify(inventory)}\nscan:\n  concurrency: ${opts.concurrency}\n`);
    const icms = (home: string, ...argv: string[]) => run(opts.repoRoot, work, ['--config', cfg, '--db', path.join(home, 'icms.db'), '--work-dir', path.join(home, 'work'), ...argv]);

    const loadStart = os.loadavg()[0]!;
    await icms(path.join(work, 'single'), 'fetch-projects');
    const single = await icms(path.join(work, 'single'), 'scan', '--all');
    const bundles = path.join(work, 'bundles');
    mkdirSync(bundles);
    const shardRuns: ShardsBenchResult['shardRuns'] = [];
    for (let index = 0; index < opts.shards; index++) {
      const home = path.join(work, `shard-${index}`);
      const r = await icms(home, 'scan', '--all', '--shard', `${index}/${opts.shards}`, '--inventory', inventory, '--export', path.join(bundles, `shard-${index}.json.gz`));
      shardRuns.push({ index, projects: count(path.join(home, 'icms.db'), 'SELECT COUNT(*) AS n FROM scans'), ms: round(r.ms) });
    }
    const merged = path.join(work, 'merged');
    const imported = await icms(merged, 'import', bundles);
    const reimported = await icms(merged, 'import', bundles);
    // the import must store exactly what the shards stored; the single scan ran trivy again on the same commits
    const mergedRows = perProject(path.join(merged, 'icms.db'));
    const shardRows = new Map(shardRuns.flatMap((s) => [...perProject(path.join(work, `shard-${s.index}`, 'icms.db'))]));
    if (JSON.stringify([...mergedRows].sort()) !== JSON.stringify([...shardRows].sort())) throw new Error('the merged store does not hold the package rows the shards stored');
    const singleRows = perProject(path.join(work, 'single', 'icms.db'));
    const differences = [...singleRows].filter(([name, n]) => mergedRows.get(name) !== n).map(([project, single]) => ({ project, single, merged: mergedRows.get(project) ?? 0 }));
    const packages = [...mergedRows.values()].reduce((a, b) => a + b, 0);
    const bundleBytes = readdirSync(bundles).reduce((n, f) => n + statSync(path.join(bundles, f)).size, 0);
    return { repos: repos.length, shards: opts.shards, concurrency: opts.concurrency, singleMs: round(single.ms), shardRuns, importMs: round(imported.ms), reimportMs: round(reimported.ms), bundleBytes, packages, differences, load: { start: round(loadStart), end: round(os.loadavg()[0]!), cores: os.cpus().length } };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function perProject(dbFile: string): Map<string, number> {
  const db = new Database(dbFile, { readonly: true });
  try {
    const rows = db.prepare('SELECT pr.name, COUNT(*) AS n FROM packages p JOIN projects pr ON pr.id = p.project_id GROUP BY pr.name').all() as { name: string; n: number }[];
    return new Map(rows.map((r) => [r.name, r.n]));
  } finally {
    db.close();
  }
}

function count(dbFile: string, sql: string): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function run(repoRoot: string, cwd: string, argv: string[], attempt = 1): Promise<{ ms: number }> {
  const t = performance.now();
  const res = await execa(process.execPath, [path.join(repoRoot, 'bin', 'icms.js'), ...argv], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME }, extendEnv: false, reject: false });
  const ms = performance.now() - t;
  // `trivy --version` costs ~4 s of CPU; on a machine loaded by other work it can pass its 30 s timeout before any
  // scan starts (nothing stored yet): that attempt is not a measurement, so it is made once more
  if (res.exitCode === 4 && /--version failed/.test(String(res.stderr)) && attempt === 1) return run(repoRoot, cwd, argv, 2);
  if (res.exitCode !== 0) throw new Error(`icms ${argv.join(' ')} exited ${res.exitCode}: ${String(res.stderr)}`);
  return { ms };
}

/**
 * Wall time of a scan of `total` repositories on `machines` machines like this one: the slowest shard (its share,
 * plus three standard deviations of the binomial spread of a uniform hash) at the per-repository time measured,
 * plus a shard's fixed start-up; and the import: its fixed part (the re-import, which stores nothing) plus the
 * per-repository part of the first import.
 */
export function projectShards(r: ShardsBenchResult, total: number, machines: number): { scanMs: number; importMs: number } {
  const perRepo = r.singleMs / r.repos;
  const fixed = Math.max(0, Math.min(...r.shardRuns.map((s) => s.ms - s.projects * perRepo)));
  const share = total / machines;
  const slowest = Math.min(total, share + 3 * Math.sqrt(share * (1 - 1 / machines)));
  const importFixed = Math.min(r.reimportMs, r.importMs);
  return { scanMs: fixed + slowest * perRepo, importMs: importFixed + ((r.importMs - importFixed) / r.repos) * total };
}

/** The BENCHMARKS.md section. */
export function renderShards(r: ShardsBenchResult, command: string): Section {
  const slowest = Math.max(...r.shardRuns.map((s) => s.ms));
  const rows = [
    [`one \`icms scan --all\` (concurrency ${r.concurrency})`, r.repos, fmtMs(r.singleMs)],
    ...r.shardRuns.map((s) => [`shard ${s.index}/${r.shards}: \`scan --all --shard ${s.index}/${r.shards} --inventory … --export …\``, s.projects, fmtMs(s.ms)]),
    [`**slowest shard** (= wall time on ${r.shards} machines)`, '', `**${fmtMs(slowest)}**`],
    [`\`icms import\` of the ${r.shards} bundles into a fresh store (${Math.round(r.bundleBytes / 1024)} KiB gzipped, ${r.packages} package rows)`, r.repos, fmtMs(r.importMs)],
    ['the same import again (idempotent: every scan already stored; node start-up, reading and checking only)', r.repos, fmtMs(r.reimportMs)],
  ];
  const perRepoImport = Math.max(0, r.importMs - r.reimportMs) / r.repos;
  const loaded = r.load.start > r.load.cores || r.load.end > r.load.cores
    ? `**Other processes were loading the machine** (1-minute load average ${r.load.start} before, ${r.load.end} after, on ${r.load.cores} cores): every wall time here is longer than the same work takes on an idle machine, for the single scan and the shards alike; compare them with each other, and read the projection as an upper bound.`
    : `The machine was not loaded by other work (1-minute load average ${r.load.start} before, ${r.load.end} after, on ${r.load.cores} cores).`;
  const projections = [1, 4, 10, 20, 50].map((n) => {
    const p = projectShards(r, 20_000, n);
    return [n, fmtHours(p.scanMs), fmtMs(p.importMs), fmtHours(p.scanMs + p.importMs)];
  });
  const markdown = [
    '## sharded scan on many machines (issue 21)',
    '',
    `**What**: the same ${r.repos} repositories (real git repositories behind bare \`file://\` remotes, real trivy) scanned once by \`icms scan --all\` and once as ${r.shards} shards, each a separate \`node bin/icms.js\` process with its own empty store and work dir reading the same inventory file, run one after another so each shard has the machine to itself as it would have its own machine; then \`icms import\` of the ${r.shards} bundles into a fresh store (which adopts the bundles' inventory). The merged store was checked to hold exactly the package rows the shards stored (${r.packages}); ${r.differences.length === 0 ? 'it also holds the single scan\'s rows, project for project' : `the single scan, which ran trivy again on the same commits, listed a different number of packages for ${r.differences.map((d) => `${d.project} (${d.single} vs ${d.merged})`).join(', ')}`} (the row-for-row comparison of packages, findings and events of a sharded and a single scan is test/bundle/shards-cli.test.ts).`,
    `**Command**: \`${command}\``,
    '',
    `One repetition (each takes minutes). ${loaded}`,
    '',
    mdTable(['what', 'projects', 'wall time'], rows),
    '',
    `Sharding over ${r.shards} machines: the scan takes **${fmtMs(slowest)}** (slowest shard) instead of ${fmtMs(r.singleMs)}; the shards are uneven on ${r.repos} repositories (a uniform hash evens out with more projects per shard), and each pays a fixed start-up (node, trivy version, inventory).`,
    '',
    `**Projection for 20,000 repositories** on N machines like this one, at the per-repository time measured above (${fmtMs(r.singleMs / r.repos)} at concurrency ${r.concurrency}, cold: every repository cloned and listed by trivy), the slowest shard holding its share plus three standard deviations of a uniform hash, and the import as its fixed part (the re-import) plus ${fmtMs(perRepoImport)} per repository (it grows with the package rows; bundles are applied one at a time, about ${Math.round(r.bundleBytes / r.repos / 1024)} KiB gzipped per repository here, so ${Math.round((r.bundleBytes / r.repos) * 20_000 / 1024 / 1024)} MiB gzipped in all for 20,000). Unchanged heads skip trivy on a shard that keeps its store and work dir, so a daily run costs far less than this cold figure.`,
    '',
    mdTable(['machines (shards)', 'scan (slowest shard)', 'import', 'total'], projections),
  ].join('\n');
  return { id: 'shards', markdown };
}

function fmtHours(ms: number): string {
  const min = ms / 60_000;
  return min < 90 ? `${Math.round(min)} min` : `${(min / 60).toFixed(1)} h`;
}
