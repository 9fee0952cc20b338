/** BENCHMARKS.md sections of the NVD benchmarks (pure): the NVD source's sync, and match with the rating sources. */
import { median, round } from './measure.js';
import type { EnrichmentResult, NvdSyncBenchResult } from './nvd.js';
import { fmtMs, fmtRuns, mdTable, verdict, type Section } from './report.js';

const pct = (r: number): string => `${(r * 100).toFixed(1)}%`;

/** The NVD sync section. */
export function renderNvdSync(r: NvdSyncBenchResult, command: string): Section {
  const rows = r.layouts.flatMap((l) => [
    [l.layout, `floor: read${l.layout.startsWith('feed') ? ' + gunzip' : ''} + \`JSON.parse\` (2nd, warm pass)`, fmtMs(l.floor.median), fmtRuns(l.floor.runs), `${l.floor.rssMb} MB`, '', ''],
    [l.layout, 'first sync into an empty database', fmtMs(l.first.median), fmtRuns(l.first.runs), `${l.first.rssMb} MB`, '≤ 3× floor, RSS ≤ 300 MB', `${l.ratio}× floor: ${verdict(l.ratio <= 3 && l.first.rssMb <= 300)}`],
    [l.layout, 're-sync, nothing changed', fmtMs(l.resync.median), fmtRuns(l.resync.runs), `${l.resync.rssMb} MB`, '≤ 5% of the first sync', `${pct(l.resyncRatio)}: ${verdict(l.resyncRatio <= 0.05)}${l.resyncRatio > 0.05 && l.statFloor ? ` (${round(l.resync.median / l.statFloor.median)}× the bare walk, which alone takes ${pct(l.statFloor.median / l.first.median)})` : ''}`],
    ...(l.statFloor
      ? [[l.layout, 'floor of a walk: list every directory, `stat` every file (nothing else), in a fresh process', fmtMs(l.statFloor.median), fmtRuns(l.statFloor.runs), '', '', `${pct(l.statFloor.median / l.first.median)} of the first sync`]]
      : []),
  ]);
  const f = r.files;
  const markdown = [
    '## NVD source sync (issue 16)',
    '',
    `**What**: the real \`sync-vulns\` stage (\`syncAdvisories\` with one \`type: nvd\` source) into an empty SQLite file, then again with nothing changed, against the floor of merely reading and \`JSON.parse\`-ing the same files in the same run; once for the mirror directory, once for the same directory committed to a git repository of its own (as users hold the public mirror: a clone they \`git pull\`), once for a 2.0 feed file holding the same records. Each phase runs in a forked process of its own, so its peak RSS (\`process.resourceUsage().maxRSS\`) is its own. Figures are the **median of ${r.reps} repetitions** (all listed); ratios are of medians.`,
    `**Data**, written by the benchmark to a temporary directory (src/bench/nvd-data.ts) from the ${f.templates} real NVD CVE API 2.0 records of \`<data>/nvd\`: **${f.records} records** in the public mirror's layout \`CVE-YYYY/CVE-YYYY-NNxx/CVE-YYYY-NNNN.json\` (${round(f.bytes / 1e6)} MB, pretty-printed like the mirror), one for each of the ${f.osvCves} CVEs the OSV corpus names (${f.realRecords} of them their real record, the others a real record under that id), padded with further ids; and \`nvdcve-2.0-bench.json.gz\`, NVD's feed format, with the same records.`,
    `**Command**: \`${command}\``,
    '',
    mdTable(['layout', 'phase', 'median', 'runs', 'peak RSS', 'target', 'result'], rows),
    '',
    ...r.layouts.map((l) => `${l.layout}: first sync **${l.recordsPerSecond} records/s**, **${l.ratio}× the floor**; re-sync **${pct(l.resyncRatio)}** of the first (per repetition: ${l.resyncRatios.map(pct).join(', ')})${l.resyncNotModified ? `, every one answered ${l.validator === 'git' ? 'by the unchanged git tree id' : 'from the unchanged listing'}` : ''}${l.statFloor ? `; the bare listing and \`stat\` of every file alone take ${pct(l.statFloor.median / l.first.median)} of the first sync, so the re-sync is ${round(l.resync.median / l.statFloor.median)}× that floor` : ''}.`),
    '',
    'A first sync of a directory reads and parses the record files on a worker thread (src/advisories/record-pool.ts), up to 512 ahead of the one being stored, so parsing overlaps the SQLite writes (one writer) on the machine\'s two cores; the JSON columns cross to the main thread serialised, as strings cost little to send and nested objects do not. A feed file is parsed on the main thread as it streams.',
    '',
    'How a re-sync with nothing changed is answered. **A git checkout** (the public mirror is a git repository its users clone and `git pull`; src/advisories/git-tree.ts): before reading anything the sync asks git for the directory\'s tree id at HEAD and whether anything under it differs from HEAD: tracked files changed on disk (`git diff-files`, which compares the stat data git keeps in its index, on several threads), staged changes, `.json` files git does not track (ignored ones included), files on trust (assume-unchanged, skip-worktree: a sparse checkout). When nothing does, `git:<tree id>` is the source\'s validator, and the same id next time means the same content: nothing is listed, stat-ed or read, and a file only touched is no change. Four of those git commands run at once; they take the place of the listing walk and beat its floor. Anything git cannot vouch for (local edits, an untracked record, git missing or refusing another user\'s repository) falls back to the listing; a directory the listing named last is walked first and starts no git process until something in it changes. **Any other directory**: the sync stats every file (a file rewritten in place or only touched changes its own mtime, not its directory\'s) and hashes the listing of every name, size and mtime into one fingerprint kept as the validator; when it equals the one of the last successful sync with no invalid record, the sync stops there: no file read, no stored fingerprint loaded, no per-file comparison. What is left is the directory walk and one `stat` per file: the floor row, which no re-sync that must notice a file rewritten in place can skip, and which alone is about 5–6% of a first sync on this machine. Tried against that floor and measured no better: `stat` through the libuv thread pool (`fs.stat` callbacks or `fs.promises.stat`, 32–64 in flight: 2–4× slower on this shared 2-core machine), the walk split over a worker thread (no faster), GNU `find -printf` (no faster once spawned and its output hashed). In either form a changed, touched, added or deleted file changes the validator, and the sync then compares file by file, reading only the files whose own size or mtime changed (test/advisories/nvd-resync.test.ts, nvd-resync-git.test.ts). Before commit 8d63009 a re-sync stat-ed every file lazily, loaded every stored fingerprint, compared them one by one and then read back every stored id to find deletions: 11–23% of the first sync on these records (measured by hand on the same machine on 2026-12-06, at load average 6–7).',
  ].join('\n');
  return { id: 'nvd', markdown };
}

/** The match-with-ratings section. */
export function renderEnrichment(r: EnrichmentResult, command: string): Section {
  const row = (label: string, x: EnrichmentResult['plain']): (string | number)[] => [label, fmtMs(x.median), fmtRuns(x.runs), fmtMs(median(x.cpu)), fmtRuns(x.cpu), `${x.rssMb} MB`, x.counts.findings, x.counts.rated, x.counts.kev, x.counts.epss];
  const markdown = [
    '## match with NVD, KEV and EPSS synced (issue 16)',
    '',
    `**What**: the first \`match\` (the real \`matchProjects\`, as in the match section) of the same portfolio twice in the same run: with the OSV records alone, and with an NVD source, the CISA KEV catalog and an EPSS file synced as well, so every finding is rated over its alias group (\`advisories.severity_order\`) and carries its KEV listing and EPSS score. Each match runs on a fresh copy of its portfolio file, in a process of its own; the two alternate, which goes first changing every repetition, so both see the same load. **Median of ${r.reps} repetitions** (all listed).`,
    `**Data**: ${r.build.projects} projects, **${r.build.rows} package rows** (the match section's portfolio), the OSV corpus (${r.advisories} advisories); the rating sources (synced in ${fmtMs(r.sources.ms)}): ${Object.entries(r.sources.rows).map(([s, n]) => `${s} ${n} rows`).join(', ')} — the NVD records of the NVD section, one for every CVE the OSV corpus names, the real KEV catalog of \`<data>/kev\`, and an EPSS file in FIRST's format scoring every one of those CVEs (no real one could be had), padded to the real file's size.`,
    `**Command**: \`${command}\``,
    '',
    mdTable(['match', 'median', 'runs', 'CPU time, median', 'CPU time, runs', 'peak RSS', 'findings', 'rated', 'KEV-listed', 'with EPSS'], [row('OSV alone', r.plain), row('OSV + NVD + KEV + EPSS', r.rich)]),
    '',
    `With the rating sources: **${r.ratio}×** the match without them (target ≤ 1.1×): ${verdict(r.ratio <= 1.1)}; per repetition ${r.ratios.map((x) => `${x}×`).join(', ')}. In CPU time of the match's process (all its threads; less disturbed by other work on the machine than the elapsed time): **${r.cpuRatio}×**, per repetition ${r.cpuRatios.map((x) => `${x}×`).join(', ')}. Steps of the fastest with: ${steps(r.rich.best)}; without: ${steps(r.plain.best)}. Ratings, KEV and EPSS are looked up once per alias group and memoised (src/db/ratings.ts), never per package row, and one resolution is shared by the findings of a group with the same matching advisories (src/matcher/rating.ts).`,
  ].join('\n');
  return { id: 'enrich', markdown };
}

function steps(m: EnrichmentResult['plain']['best']): string {
  return `index ${fmtMs(m.indexMs)} + read ${fmtMs(m.readMs)} + match, rate and save ${fmtMs(m.matchSaveMs)}`;
}
