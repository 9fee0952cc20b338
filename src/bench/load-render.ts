/** The load curve of the other commands and the dashboard, as markdown for the curve section (pure). */
import type { LoadCurve } from './curve.js';
import { LOAD_STAGES, type LoadStage, type StageRun } from './load.js';
import { round } from './measure.js';
import { fmtMs, fmtRuns, mdTable, verdict } from './report.js';

const UNIT: Record<LoadStage, string> = {
  'fetch-projects': 'projects',
  'sync-vulns': 'advisory files',
  notify: 'findings',
  'report json': 'findings',
  'report html': 'findings',
  'match json': 'findings',
};

const COMMAND: Record<LoadStage, string> = {
  'fetch-projects': '`icms fetch-projects --source file` (inventory YAML with maintainers, empty database)',
  'sync-vulns': '`icms sync-vulns` (one OSV directory source, empty database)',
  notify: '`icms notify` (outbox transport: .eml files, ledger recorded)',
  'report json': '`icms report --format json --output FILE`',
  'report html': '`icms report --format html --output FILE` (the dashboard)',
  'match json': '`icms match --format json` again, nothing changed (the whole command: match, lifecycle, and every open finding as JSON on stdout)',
};

const pct = (f: number): string => `${Math.round(f * 100)}%`;
const mb = (bytes: number): string => (bytes >= 1e6 ? `${round(bytes / 1e6)} MB` : `${round(bytes / 1e3)} kB`);
const perItem = (r: StageRun): number => r.ms / Math.max(1, r.items);
const fmtPerItem = (r: StageRun): string => (perItem(r) >= 1 ? `${round(perItem(r))} ms` : `${round(perItem(r) * 1000)} µs`);

function output(stage: LoadStage, r: StageRun): string {
  if (stage === 'notify') return `${r.counts.mails} mails, ${mb(r.bytes)} (largest ${mb(r.counts.largest ?? 0)}), ${r.counts.skipped} skipped`;
  if (stage === 'fetch-projects') return `${r.counts.maintainers} maintainers (inventory ${mb(r.bytes)})`;
  if (stage === 'sync-vulns') return `${r.counts.advisories} advisories (${mb(r.bytes)} read)`;
  return mb(r.bytes);
}

/** Growth of one stage from its smallest to its largest size. */
export interface StageGrowth {
  sizeRatio: number;
  /** Time per item at the largest size / at the smallest (1 = linear, sizeRatio = quadratic). */
  perItem: number;
  /** Cost per added item from the middle to the largest size / from the smallest to the middle (1 linear, ~2.5 quadratic for 10/50/100%). */
  marginal: number | undefined;
  rssRatio: number;
  isMet: boolean;
}

/** Per-item and marginal growth of `runs` (ascending sizes). */
export function stageGrowth(runs: readonly StageRun[]): StageGrowth {
  const first = runs[0]!;
  const last = runs.at(-1)!;
  const sizeRatio = round(last.items / Math.max(1, first.items));
  const g = round(perItem(last) / perItem(first));
  let marginal: number | undefined;
  if (runs.length >= 3) {
    const [a, b, c] = [runs[0]!, runs[runs.length - 2]!, last];
    const m1 = (b.ms - a.ms) / Math.max(1, b.items - a.items);
    const m2 = (c.ms - b.ms) / Math.max(1, c.items - b.items);
    marginal = m1 > 0 ? round(m2 / m1) : undefined;
  }
  return { sizeRatio, perItem: g, marginal, rssRatio: round(last.rssMb / first.rssMb), isMet: g < sizeRatio / 2 };
}

/** V8's longest string (2^29 - 24 characters): a JSON report built as one string would fail past it. */
const MAX_STRING = 2 ** 29 - 24;

function jsonLimit(load: LoadCurve): string[] {
  const full = load.stages['report json'].at(-1);
  if (!full) return [];
  const share = full.bytes / MAX_STRING;
  return [`\`report --format json\` (like \`match --format json\` and the archive) is written finding by finding (src/shared/json-stream.ts), never built as one string: at 100% the document is ${mb(full.bytes)}, ${Math.round(share * 100)}% of V8's longest string (${MAX_STRING} characters), which a portfolio about ${round(1 / share)}× this size would have passed when the report was one string.`, ''];
}

/** The commands table, their growth and the dashboard table. */
export function renderLoadCurve(load: LoadCurve): string {
  const rows = LOAD_STAGES.flatMap((stage) =>
    load.stages[stage].map((r) => [stage, pct(r.fraction), `${r.items} ${UNIT[stage]}`, fmtMs(r.ms), fmtPerItem(r), fmtRuns(r.runs), `${r.rssMb} MB`, output(stage, r)]),
  );
  const growth = LOAD_STAGES.filter((s) => load.stages[s].length > 0).map((stage) => {
    const runs = load.stages[stage];
    const g = stageGrowth(runs);
    return [stage, `×${g.sizeRatio}`, `×${g.perItem}`, g.marginal === undefined ? '-' : `×${g.marginal}`, `${runs.map((r) => r.rssMb).join(' → ')} MB`, verdict(g.isMet)];
  });
  const dash = load.dashboards.map((d) =>
    d.run
      ? [pct(d.fraction), d.findings, mb(d.run.bytes), fmtMs(d.run.firstRowsMs), fmtMs(d.run.scriptDoneMs), fmtMs(d.run.searchMs), fmtMs(d.run.searchAgainMs), fmtMs(d.run.projectFilterMs), fmtMs(d.run.sortMs), fmtMs(d.run.nextPageMs), `${d.run.heapMb} MB`]
      : [pct(d.fraction), d.findings, `**not measured**: ${d.error ?? ''}`, '', '', '', '', '', '', '', ''],
  );
  const full = load.dashboards.at(-1)?.run;
  const usable = full ? full.firstRowsMs <= 3000 && Math.max(full.searchMs, full.searchAgainMs, full.projectFilterMs, full.sortMs, full.nextPageMs) <= 1000 : false;
  return [
    '### every other command at the same sizes',
    '',
    `**What**: each command run for real (\`main(argv, ctx)\` of src/cli/main.ts in a forked process of its own, so the peak RSS is its own; a process that only loads the benchmark code peaks at ${load.idleRssMb} MB), best of ${load.reps}. ${LOAD_STAGES.map((s) => `${s}: ${COMMAND[s]}`).join('; ')}.`,
    `**Data**: the inventory is ${load.projects} synthetic projects at 100% (one maintainer per 10 projects, every fourth project with a second maintainer, a lead on ~50 projects: src/bench/people.ts), the same projects the match portfolio stores; sync-vulns reads every 10th, every 2nd and every one of the ${load.osvFiles} OSV files (sorted paths, copied to a temp directory); notify and report run on each size's portfolio right after its first match above (every finding new), notify's later repetitions with \`--resend\` (the same work).`,
    '',
    mdTable(['command', 'size', 'work', 'time', 'per item', 'runs', 'peak RSS', 'output'], rows),
    '',
    `Growth from the smallest to the full size: per-item time (linear ×1, quadratic × the size ratio) and the marginal cost per added item of the last step against the first (linear ×1, quadratic ≈×2.5 for 10/50/100%); the target, no quadratic growth, is a per-item growth well under half the size ratio.`,
    '',
    mdTable(['command', 'size ratio', 'per-item time', 'marginal cost', 'peak RSS', 'no quadratic growth'], growth),
    '',
    ...jsonLimit(load),
    '**Dashboard** in headless Chromium (Debian `/usr/bin/chromium` via playwright-core, src/bench/dashboard.ts): time from navigation until the first rows are in the table (wall clock), when the page script finished its first draw (page clock), then each interaction until the next frame after its redraw: a search for the first row\'s package (the first search also builds every row\'s search text), a second search, choosing a project, sorting by package, the next page.',
    '',
    mdTable(['size', 'findings', 'file', 'first rows', 'script done', 'search', 'search again', 'project filter', 'sort', 'next page', 'JS heap'], dash),
    '',
    full ? `At 100% the dashboard is ${usable ? '**usable**' : '**NOT usable**'} (target: first rows within 3 s, every interaction within 1 s): first rows after ${fmtMs(full.firstRowsMs)}, slowest interaction ${fmtMs(Math.max(full.searchMs, full.searchAgainMs, full.projectFilterMs, full.sortMs, full.nextPageMs))}.` : 'The 100% dashboard was not measured.',
  ].join('\n');
}
