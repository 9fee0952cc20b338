/** BENCHMARKS.md sections of the match benchmark and the load curve (pure). */
import type { MatchBenchResult } from './match.js';
import type { MatchRun } from './match-work.js';
import { round } from './measure.js';
import { fmtMs, fmtRuns, mdTable, verdict, type Section } from './report.js';
import type { LoadCurve } from './curve.js';
import { renderLoadCurve } from './load-render.js';

const steps = (m: MatchRun): string =>
  m.worker
    ? `index ${fmtMs(m.indexMs)} + read ${fmtMs(m.readMs)} (worker thread) + match (worker) beside save (main) ${fmtMs(m.matchSaveMs)}`
    : `index ${fmtMs(m.indexMs)} + read ${fmtMs(m.readMs)} + match and save ${fmtMs(m.matchSaveMs)}`;

/** The match section. */
export function renderMatch(result: MatchBenchResult, command: string): Section {
  const full = result.full;
  if (!result.section) throw new Error('renderMatch: the match section was not measured (matchSection: false)');
  const r = { ...result, ...result.section };
  const ratio = round(full.match.ms / r.floor.ms);
  const c = r.second.match.counts;
  const rows = [
    ['floor: SELECT the same rows, touch every column', fmtMs(r.floor.ms), fmtRuns(r.floor.runs), `${r.floor.rssMb} MB`, '', ''],
    [`first match (all findings new): ${steps(full.match)}`, fmtMs(full.match.ms), fmtRuns(full.matchRuns), `${full.rssMb} MB`, '≤ 2× floor', verdict(full.match.ms <= 2 * r.floor.ms)],
    [`lower bound of the save: INSERT the same ${r.saveFloor.rows} finding rows alone (one transaction, same table definition and indexes, 32 rows per statement like the writer; no read, match, lifecycle or events)`, fmtMs(r.saveFloor.ms), fmtRuns(r.saveFloor.runs), '', '', `${round(r.saveFloor.ms / r.floor.ms)}× floor`],
    [`second match, nothing changed: ${steps(r.second.match)}`, fmtMs(r.second.match.ms), fmtRuns(r.second.runs), `${r.second.rssMb} MB`, '(reported)', ''],
  ];
  const n = r.naive;
  const markdown = [
    '## match (issue 5)',
    '',
    `**What**: the work of \`icms match\` (the real \`matchProjects\` of src/matcher/match-projects.ts, in a recorded run: build the advisory index, read the package rows some advisory names through the \`packages_match\` index, then match, rate, environmentally re-score and save project by project in one transaction; on a store this size the first three steps and the matching run in a worker thread on a read-only connection of its own while the main thread saves the projects already matched) over every project of a synthetic portfolio, against the floor of reading the same rows from the same SQLite file in the same run. Each phase runs in a forked process of its own (own peak RSS); each first match runs on a fresh copy of the portfolio file; best of ${r.reps} (all times listed).`,
    `**Data**: ${full.build.projects} projects × ${Math.round(full.build.rows / full.build.projects)} packages = **${full.build.rows} package rows**, real names and versions from ${r.trivyReports} recorded trivy reports mapped to OSV ecosystems by \`parseTrivyReport\`, each project a different window of the pool (so each mixes ecosystems), stored with the real scan store (\`startScan\` + \`completeScan\`); advisories: all of \`${r.osvDir}\` (${r.advisories} advisories; ${full.match.affectedEntries} of their affected entries name a stored package and are indexed) synced with the real sync (${fmtMs(r.syncMs)}).`,
    `**Command**: \`${command}\``,
    '',
    mdTable(['phase', 'best', 'runs', 'peak RSS', 'target', 'result'], rows),
    '',
    `First match: **${ratio}× the floor** (target ≤ 2×), ${full.match.findings} findings from ${full.match.packages} packages, of which ${full.match.candidates} rows carry a name some advisory names (the only rows match reads; the floor reads all of them). Inserting its ${r.saveFloor.rows} finding rows alone costs ${round(r.saveFloor.ms / r.floor.ms)}× the floor (the lower-bound row); everything else the first match does (index, read, match, lifecycle, events) adds the remaining ${round(Math.max(0, full.match.ms - r.saveFloor.ms) / r.floor.ms)}×${full.match.worker ? ' (the index, the read and the matching ran in the worker thread, the reading before any saving could start, the matching beside it)' : ''}. Second match with nothing changed: ${c.open} open, ${c.new} new, ${c.reopened} reopened, ${c.fixed} fixed (all open, as expected), ${round(r.second.match.ms / r.floor.ms)}× the floor.`,
    '',
    `**Naive loop** (every package × every affected entry, \`evaluateAffected\` wherever ecosystem and name agree, no index, no verdict cache) on an evenly spread sample of ${n.sampleRows} rows: ${fmtMs(n.ms)} for ${n.pairs.toExponential(2)} pairs; the indexed \`matchPackages\` on the same sample: ${fmtMs(n.indexedMs)} (**${round(n.ms / Math.max(n.indexedMs, 0.001))}×** faster). Both find the same ${n.naiveHits === n.indexedHits ? `${n.naiveHits} (package, advisory) hits` : `— NO: naive ${n.naiveHits} vs indexed ${n.indexedHits} hits`}. Extrapolated linearly to ${full.build.rows} rows (an extrapolation, not a measurement): naive ≈ **${fmtMs(r.naiveExtrapolatedMs)}** vs the whole measured first match ${fmtMs(full.match.ms)} (**${round(r.naiveExtrapolatedMs / full.match.ms)}×**).`,
  ].join('\n');
  return { id: 'match', markdown };
}

/** The load-curve section: store and match times at each portfolio size, per row; then every other command (`load`). */
export function renderCurve(r: MatchBenchResult, command: string, load?: LoadCurve): Section {
  const points = [...r.curve, r.full];
  const rows = points.map((p) => [
    `${Math.round(p.fraction * 100)}%`, p.build.rows, fmtMs(p.build.ms), `${round((p.build.ms * 1000) / p.build.rows)} µs`,
    fmtMs(p.match.ms), `${round(((p.match.readMs + p.match.matchSaveMs) * 1000) / p.build.rows)} µs`, steps(p.match), fmtRuns(p.matchRuns), `${p.rssMb} MB`,
  ]);
  const first = points[0]!;
  // The index build is a fixed cost (every advisory, whatever the portfolio size): compare the per-row part.
  const variable = (p: typeof first): number => (p.match.readMs + p.match.matchSaveMs) / p.build.rows;
  const growth = round(variable(r.full) / variable(first));
  const storeGrowth = round(r.full.build.ms / r.full.build.rows / (first.build.ms / first.build.rows));
  const sizeRatio = round(r.full.build.rows / first.build.rows);
  const markdown = [
    '## load curve (issue 10)',
    '',
    `**What**: the scan-store stage (\`startScan\` + \`completeScan\` per project, one transaction each; one build per size) and the first match (best of ${r.reps}, on fresh copies) at ${points.map((p) => `${Math.round(p.fraction * 100)}%`).join(', ')} of the match benchmark's portfolio, same data and method as above. Linear work keeps the time per row flat; quadratic work would multiply it by the size ratio (${round(r.full.build.rows / first.build.rows)}× from the smallest to the full size).`,
    `**Command**: \`${command}\``,
    '',
    mdTable(['size', 'rows', 'store', 'store/row', 'match', '(read + match + save)/row', 'match steps', 'match runs', 'match peak RSS'], rows),
    '',
    `Per-row time from the smallest to the full portfolio: store ×${storeGrowth}, match + save ×${growth} (the index build, ${fmtMs(first.match.indexMs)}–${fmtMs(r.full.match.indexMs)}, depends on the advisories only). Quadratic work would show ×${sizeRatio}, linear ×1 (target: no quadratic growth, i.e. both well under half of ×${sizeRatio}): ${verdict(storeGrowth < sizeRatio / 2 && growth < sizeRatio / 2)}.`,
    '',
    `Store time of each successive tenth of the projects during the full build (${round(r.full.build.rows / 10)} rows each): ${r.full.build.tenthsMs.map(fmtMs).join(', ')}. A cost that keeps rising tenth after tenth would be quadratic; one that levels off is the B-tree indexes (\`packages\` unique key and \`packages_match\`) outgrowing locality, then staying flat.`,
    ...(load ? ['', renderLoadCurve(load)] : []),
  ].join('\n');
  return { id: 'curve', markdown };
}
