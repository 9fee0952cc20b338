/**
 * The scan benchmark (issue 3): `icms scan --all` over real git repositories of the fixture manifests against the
 * same trivy commands run directly (same binary, flags, environment and concurrency), and an unchanged re-run.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import pLimit from 'p-limit';
import { main } from '../cli/main.js';
import { locateTrivy } from '../scanner/locate-trivy.js';
import { pickEnv } from '../scanner/trivy.js';
import type { BenchRepo } from './data.js';
import { round } from './measure.js';
import { fmtMs, fmtRuns, mdTable, verdict, type Section } from './report.js';

export interface ScanBenchOptions {
  reps: number;
  concurrency: number;
  /** `spawn`: run `node bin/icms.js` as a user would; `in-process`: `main(argv, ctx)` (smoke tests). */
  mode: 'spawn' | 'in-process';
  repoRoot: string;
  /** trivy --timeout as icms passes it (config trivy.timeout_ms default). */
  trivyTimeoutMs?: number;
}

export interface ScanBenchResult {
  repos: string[];
  reps: number;
  mode: ScanBenchOptions['mode'];
  trivy: string;
  direct: { ms: number; runs: number[] };
  cold: { ms: number; runs: number[] };
  rerun: { ms: number; runs: number[] };
  /** cold / direct. */
  ratio: number;
  /** rerun / cold. */
  rerunRatio: number;
  packages: number;
}

const GIT_ENV = { GIT_AUTHOR_NAME: 'icms bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid', GIT_COMMITTER_NAME: 'icms bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid', GIT_CONFIG_NOSYSTEM: '1' };

/** Runs the scan benchmark over `repos` (each made a git repository with a bare remote under `tmpDir`). */
export async function benchScan(repos: readonly BenchRepo[], tmpDir: string, opts: ScanBenchOptions): Promise<ScanBenchResult> {
  const work = mkdtempSync(path.join(tmpDir, 'icms-bench-scan-'));
  try {
    const remotes = await makeRemotes(repos, work);
    const trivy = locateTrivy({ configured: undefined, pathEnv: process.env.PATH }).path;
    const direct: number[] = [], cold: number[] = [], rerun: number[] = [];
    let packages = 0;
    for (let rep = 0; rep < opts.reps; rep++) {
      direct.push(await runDirect(trivy, remotes.map((r) => r.dir), path.join(work, `direct-${rep}`), opts));
      const home = path.join(work, `icms-${rep}`);
      writeHome(home, remotes.map((r) => r.url), opts.concurrency);
      await icms(['fetch-projects'], home, opts);
      const c = await icms(['scan', '--all', '--format', 'json'], home, opts);
      const summary = JSON.parse(c.stdout) as { scanned: number; skipped: number; per_ecosystem: Record<string, number> };
      if (summary.scanned !== repos.length) throw new Error(`icms scan: ${summary.scanned} of ${repos.length} scanned\n${c.stderr}`);
      packages = Object.values(summary.per_ecosystem).reduce((a, b) => a + b, 0);
      cold.push(c.ms);
      const again = await icms(['scan', '--all', '--format', 'json'], home, opts);
      const s2 = JSON.parse(again.stdout) as { skipped: number };
      if (s2.skipped !== repos.length) throw new Error(`icms re-scan: ${s2.skipped} of ${repos.length} skipped\n${again.stderr}`);
      rerun.push(again.ms);
    }
    const best = (xs: number[]): { ms: number; runs: number[] } => ({ ms: Math.min(...xs), runs: xs.map(round) });
    const r = { direct: best(direct), cold: best(cold), rerun: best(rerun) };
    return { repos: repos.map((x) => x.name), reps: opts.reps, mode: opts.mode, trivy, ...r, ratio: round(r.cold.ms / r.direct.ms), rerunRatio: round(r.rerun.ms / r.cold.ms), packages };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A bare remote per repository (one commit of its manifests, without the recorded trivy.json) and its work tree (also used by the shards bench). */
export async function makeRemotes(repos: readonly BenchRepo[], work: string): Promise<{ url: string; dir: string }[]> {
  const out: { url: string; dir: string }[] = [];
  for (const r of repos) {
    const dir = path.join(work, 'trees', r.name);
    cpSync(r.dir, dir, { recursive: true, filter: (src) => path.basename(src) !== 'trivy.json' });
    const git = (cwd: string, ...args: string[]) => execa('git', args, { cwd, env: GIT_ENV });
    await git(dir, 'init', '-q', '--initial-branch', 'main');
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'manifests');
    const bare = path.join(work, 'remotes', `${r.name.replace(/@/g, '-')}.git`);
    await git(work, 'clone', '-q', '--bare', dir, bare);
    rmSync(path.join(dir, '.git'), { recursive: true, force: true });
    out.push({ url: `file://${bare}`, dir });
  }
  return out;
}

/** The trivy commands icms runs (src/scanner/trivy.ts scanFlags), run directly with p-limit; wall-clock ms. */
async function runDirect(trivy: string, dirs: readonly string[], home: string, opts: ScanBenchOptions): Promise<number> {
  const cacheDir = path.join(home, 'trivy-cache');
  const tmp = path.join(home, 'tmp');
  mkdirSync(cacheDir, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  const seconds = Math.ceil((opts.trivyTimeoutMs ?? 600_000) / 1000);
  const limit = pLimit(opts.concurrency);
  const t = performance.now();
  await Promise.all(
    dirs.map((dir, i) =>
      limit(async () => {
        const out = path.join(tmp, `report-${i}.json`);
        const flags = ['--list-all-pkgs', '--format', 'json', '--scanners', 'license', '--offline-scan', '--quiet', '--cache-dir', cacheDir, '--timeout', `${seconds}s`, '--output', out];
        const res = await execa(trivy, ['fs', dir, ...flags], { cwd: tmp, env: pickEnv(process.env), extendEnv: false, stdin: 'ignore', reject: false });
        if (res.failed) throw new Error(`direct trivy fs ${dir} failed: ${String(res.stderr)}`);
      }),
    ),
  );
  return performance.now() - t;
}

function writeHome(home: string, urls: readonly string[], concurrency: number): void {
  mkdirSync(home, { recursive: true });
  writeFileSync(path.join(home, 'icms.yaml'), `db: ./icms.db\nwork_dir: ./work\ninventory:\n  source: file\n  file: ./inventory.yaml\nscan:\n  concurrency: ${concurrency}\n`);
  const projects = urls.map((u) => `  - url: ${JSON.stringify(u)}\n    branch: main\n    maintainers: [{name: Bench, email: bench@example.invalid}]\n`);
  writeFileSync(path.join(home, 'inventory.yaml'), `projects:\n${projects.join('')}`);
}

/** Runs icms in `home`; wall-clock ms including (for spawn) node start-up. */
async function icms(argv: string[], home: string, opts: ScanBenchOptions): Promise<{ ms: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  const t = performance.now();
  let code: number, stdout = '', stderr = '';
  if (opts.mode === 'spawn') {
    const res = await execa(process.execPath, [path.join(opts.repoRoot, 'bin', 'icms.js'), ...argv], { cwd: home, env, extendEnv: false, reject: false });
    code = res.exitCode ?? -1;
    stdout = String(res.stdout);
    stderr = String(res.stderr);
  } else {
    const ctx = { cwd: home, env, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, stdoutIsTty: false, stderrIsTty: false, columns: undefined, now: () => new Date() };
    code = await main(argv, ctx);
  }
  const ms = performance.now() - t;
  if (code !== 0) throw new Error(`icms ${argv.join(' ')} exited ${code}: ${stderr}`);
  return { ms, stdout, stderr };
}

/** The BENCHMARKS.md section. */
export function renderScan(r: ScanBenchResult, command: string): Section {
  const rows = [
    [`trivy directly: the same \`trivy fs\` commands, p-limit(concurrency)`, fmtMs(r.direct.ms), fmtRuns(r.direct.runs), '', ''],
    ['`icms scan --all`, cold (git clone + trivy + store)', fmtMs(r.cold.ms), fmtRuns(r.cold.runs), '≤ 1.1× direct', verdict(r.ratio <= 1.1)],
    ['`icms scan --all` again, heads unchanged (trivy skipped)', fmtMs(r.rerun.ms), fmtRuns(r.rerun.runs), '≤ 5% of cold', verdict(r.rerunRatio <= 0.05)],
  ];
  const how = r.mode === 'spawn' ? 'spawned as `node bin/icms.js` (node start-up and module loading included)' : 'run in-process via `main(argv, ctx)`';
  const markdown = [
    '## scan overhead (issue 3)',
    '',
    `**What**: \`icms scan --all\` (${how}) over ${r.repos.length} repositories, each a real git repository (one commit of its manifests) behind a bare \`file://\` remote listed in an inventory YAML, fresh database, work dir and trivy cache per repetition; against running the same trivy binary (\`${r.trivy}\`) with the same flags, environment and concurrency (p-limit) over the same files directly. Then \`icms scan --all\` again with nothing changed. Best of ${r.reps}, direct and icms interleaved.`,
    `**Data**: ${r.repos.join(', ')} (${r.packages} packages).`,
    `**Command**: \`${command}\``,
    '',
    mdTable(['what', 'best', 'runs', 'target', 'result'], rows),
    '',
    `Cold scan: **${r.ratio}× direct trivy** (target ≤ 1.1×). Unchanged re-run: **${Math.round(r.rerunRatio * 1000) / 10}%** of the cold scan (target ≤ 5%).`,
  ].join('\n');
  return { id: 'scan', markdown };
}
