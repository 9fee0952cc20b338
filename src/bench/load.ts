/**
 * The load curve of every other command (issue 10): `fetch-projects`, `sync-vulns`, `notify`, `report`
 * (json and the html dashboard) and `match --format json` at 10%, 50% and 100% of the portfolio, each the real command (`main(argv, ctx)`)
 * in a forked process of its own (own peak RSS), best of `reps`.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runTask } from './isolate.js';
import type { IcmsRun } from './icms-task.js';
import { round } from './measure.js';
import { benchProjects, inventoryYaml, maintainerCount } from './people.js';

export const LOAD_STAGES = ['fetch-projects', 'sync-vulns', 'notify', 'report json', 'report html', 'match json'] as const;
export type LoadStage = (typeof LOAD_STAGES)[number];

/** One command at one size: best time, all times, peak RSS, how much work and output. */
export interface StageRun {
  fraction: number;
  /** Work items: projects (fetch-projects), advisory files (sync-vulns), findings (notify, report). */
  items: number;
  ms: number;
  runs: number[];
  rssMb: number;
  /** Output written: the .eml files (notify), the report file (report); input read for sync-vulns. */
  bytes: number;
  /** Stage-specific counts, e.g. maintainers, mails. */
  counts: Record<string, number>;
}

export interface LoadOptions {
  reps: number;
  isolate: boolean;
}

const CONFIG = `db: ./icms.db
work_dir: ./work
notify:
  transport: outbox
  outbox_dir: ./outbox
  from: "icms <icms@bench.example.com>"
  security_team: ["Security <security@bench.example.com>"]
`;

/** Runs `icms <argv>` in `home` as a phase of its own; throws unless it exits `expect` (0 by default). */
async function icms(home: string, argv: string[], opts: LoadOptions, expect = 0): Promise<{ run: IcmsRun; rssMb: number }> {
  const r = await runTask('icms', { cwd: home, argv }, opts.isolate);
  if (r.value.code !== expect) throw new Error(`icms ${argv.join(' ')} exited ${r.value.code}: ${r.value.stderrTail}`);
  return { run: r.value, rssMb: r.maxRssMb };
}

/** A fresh icms home directory (config file, no database). */
function makeHome(dir: string, extraConfig = ''): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'icms.yaml'), CONFIG + extraConfig);
  return dir;
}

/** Best of `reps`: `once(rep)` returns the time, peak RSS and the counts of that repetition. */
async function bestOf(fraction: number, reps: number, once: (rep: number) => Promise<{ ms: number; rssMb: number; items: number; bytes: number; counts: Record<string, number> }>): Promise<StageRun> {
  let best: StageRun | undefined;
  const runs: number[] = [];
  let rssMb = 0;
  for (let rep = 0; rep < reps; rep++) {
    const r = await once(rep);
    runs.push(round(r.ms));
    rssMb = Math.max(rssMb, r.rssMb);
    if (!best || r.ms < best.ms) best = { fraction, items: r.items, ms: round(r.ms), runs, rssMb, bytes: r.bytes, counts: r.counts };
  }
  return { ...best!, runs, rssMb };
}

/** `fetch-projects --source file` importing an inventory of `projects × fraction` projects into an empty database. */
export async function benchFetchProjects(work: string, projects: number, fractions: readonly number[], opts: LoadOptions): Promise<StageRun[]> {
  const out: StageRun[] = [];
  for (const fraction of fractions) {
    const list = benchProjects(Math.max(1, Math.round(projects * fraction)));
    const home = makeHome(path.join(work, `fetch-${fraction}`));
    writeFileSync(path.join(home, 'inventory.yaml'), inventoryYaml(list));
    out.push(
      await bestOf(fraction, opts.reps, async () => {
        rmSync(path.join(home, 'icms.db'), { force: true });
        const { run, rssMb } = await icms(home, ['fetch-projects', '--source', 'file', '--file', 'inventory.yaml', '--format', 'json'], opts);
        const counts = (JSON.parse(run.stdout) as { counts: { added: number; total: number } }).counts;
        if (counts.added !== list.length) throw new Error(`fetch-projects added ${counts.added} of ${list.length} projects`);
        return { ms: run.ms, rssMb, items: list.length, bytes: statSync(path.join(home, 'inventory.yaml')).size, counts: { maintainers: maintainerCount(list) } };
      }),
    );
    rmSync(home, { recursive: true, force: true });
  }
  return out;
}

/** Every OSV file under `dir`, relative, sorted (the order the subsets are taken from). */
export function listOsvFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** Every `round(1/fraction)`-th file of `files` (all of them for 1): a deterministic, evenly spread subset. */
export function osvSubset(files: readonly string[], fraction: number): string[] {
  const step = Math.max(1, Math.round(1 / fraction));
  return files.filter((_, i) => i % step === 0);
}

/** `sync-vulns` of an evenly spread subset of the OSV files (copied to a temp directory) into an empty database. */
export async function benchSyncVulns(work: string, osvDir: string, fractions: readonly number[], opts: LoadOptions): Promise<StageRun[]> {
  const all = listOsvFiles(osvDir);
  const out: StageRun[] = [];
  for (const fraction of fractions) {
    const files = osvSubset(all, fraction);
    const dir = path.join(work, `osv-${fraction}`);
    for (const f of files) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      copyFileSync(path.join(osvDir, f), path.join(dir, f));
    }
    const bytes = files.reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
    const home = makeHome(path.join(work, `sync-${fraction}`), `advisories:\n  sources:\n    - {name: osv, type: osv, path: ${JSON.stringify(dir)}}\n`);
    out.push(
      await bestOf(fraction, opts.reps, async () => {
        rmSync(path.join(home, 'icms.db'), { force: true });
        const { run, rssMb } = await icms(home, ['sync-vulns', '--format', 'json'], opts);
        const src = (JSON.parse(run.stdout) as { sources: { added: number; skipped: number }[] }).sources[0]!;
        if (src.added + src.skipped !== files.length) throw new Error(`sync-vulns: ${src.added} added + ${src.skipped} skipped of ${files.length} files`);
        return { ms: run.ms, rssMb, items: files.length, bytes, counts: { advisories: src.added, skipped: src.skipped } };
      }),
    );
    rmSync(home, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** The stages that need a matched portfolio, at one size. */
export interface MatchedStages {
  notify: StageRun;
  reportJson: StageRun;
  reportHtml: StageRun;
  /** `icms match --format json` run again (nothing changed): the whole command with its findings list. */
  matchJson: StageRun;
}

/**
 * `notify` (outbox transport: one .eml per maintainer digest and the security-team alert, ledger recorded; later
 * repetitions `--resend`, the same work), then `report --format json` and `--format html` on `dbFile`, a
 * portfolio right after its first match with `findings` findings. The dashboard is left at `<work>/dashboard.html`.
 */
export async function benchMatchedStages(work: string, dbFile: string, fraction: number, findings: number, opts: LoadOptions): Promise<MatchedStages & { dashboard: string }> {
  const home = makeHome(path.join(work, `matched-${fraction}`));
  const db = ['--db', dbFile];
  const outbox = path.join(home, 'outbox');
  const notify = await bestOf(fraction, opts.reps, async (rep) => {
    rmSync(outbox, { recursive: true, force: true });
    const { run, rssMb } = await icms(home, [...db, 'notify', '--format', 'json', ...(rep > 0 ? ['--resend'] : [])], opts);
    const summary = (JSON.parse(run.stdout) as { summary: { sent: number; skipped: number; failed: number } }).summary;
    const mails = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
    if (mails.length !== summary.sent) throw new Error(`notify: ${summary.sent} sent but ${mails.length} .eml files`);
    const bytes = mails.reduce((n, f) => n + statSync(path.join(outbox, f)).size, 0);
    const largest = Math.max(0, ...mails.map((f) => statSync(path.join(outbox, f)).size));
    return { ms: run.ms, rssMb, items: findings, bytes, counts: { mails: mails.length, skipped: summary.skipped, largest } };
  });
  const report = (format: 'json' | 'html', file: string) =>
    bestOf(fraction, opts.reps, async () => {
      const { run, rssMb } = await icms(home, [...db, 'report', '--format', format, '--output', file], opts);
      return { ms: run.ms, rssMb, items: findings, bytes: statSync(file).size, counts: {} };
    });
  const reportJson = await report('json', path.join(home, 'findings.json'));
  const dashboard = path.join(work, 'dashboard.html');
  const reportHtml = await report('html', dashboard);
  // last, as it changes the database: every repetition is an unchanged re-match listing every open finding
  const matchJson = await bestOf(fraction, opts.reps, async () => {
    const { run, rssMb } = await icms(home, [...db, 'match', '--format', 'json'], opts);
    // the summary leads the document, so its count is in the captured start even when the whole is too big to keep
    const open = Number(/"open": (\d+)/.exec(run.stdout)?.[1] ?? Number.NaN);
    if (open !== findings) throw new Error(`match --format json: ${open} open findings, expected ${findings}`);
    return { ms: run.ms, rssMb, items: findings, bytes: run.stdoutChars, counts: { listed: open } };
  });
  rmSync(home, { recursive: true, force: true });
  return { notify, reportJson, reportHtml, matchJson, dashboard };
}

/** The peak RSS of a phase process that ran nothing (module loading only), MB. */
export async function idleRssMb(isolate: boolean): Promise<number> {
  return (await runTask('idle', undefined, isolate)).maxRssMb;
}
