/** The benchmark phases that run in a child process of their own, by name (so each has its own peak RSS). */
import { measureFloor, syncOnce } from './sync-vulns.js';
import { buildPortfolio, matchOnce, naiveMatch, readFloor, saveFloor, type PortfolioSpec } from './match-work.js';
import { runIcms } from './icms-task.js';
import { measureSyncBounds } from './sync-bounds.js';
import { parseWholeFloor, readWholeAndStore, streamReadFloor } from './bigreport.js';
import { writeNvdBenchFiles } from './nvd-data.js';
import { nvdFloor, nvdSyncOnce, ratedCounts, statFloor, syncRatingSources } from './nvd-work.js';

/** Phase name -> function of JSON-serialisable arguments returning a JSON-serialisable result. */
export const TASKS = {
  'sync-floor': (a: { osvDir: string }) => measureFloor(a.osvDir),
  'sync-once': (a: { dbFile: string; osvDir: string; tmpDir: string }) => syncOnce(a.dbFile, a.osvDir, a.tmpDir),
  'sync-bounds': (a: { osvDir: string; tmpDir: string }) => measureSyncBounds(a.osvDir, a.tmpDir),
  portfolio: (a: { dbFile: string; trivyReports: string[]; spec: PortfolioSpec }) => buildPortfolio(a.dbFile, a.trivyReports, a.spec),
  match: (a: { dbFile: string }) => matchOnce(a.dbFile),
  'match-floor': (a: { dbFile: string }) => readFloor(a.dbFile),
  'save-floor': (a: { dbFile: string }) => saveFloor(a.dbFile),
  naive: (a: { dbFile: string; sampleRows: number }) => naiveMatch(a.dbFile, a.sampleRows),
  /** One real icms command (`main(argv, ctx)`), e.g. fetch-projects, sync-vulns, notify, report. */
  icms: (a: { cwd: string; argv: string[] }) => runIcms(a),
  /** Floors of the big trivy report bench: a plain streaming read of the file, JSON.parse of all of it. */
  'bigreport-read': (a: { file: string }) => streamReadFloor(a),
  'bigreport-parse': (a: { file: string }) => parseWholeFloor(a),
  'bigreport-whole': (a: { file: string; dbFile: string }) => readWholeAndStore(a),
  'nvd-files': (a: { templatesDir: string; osvDir: string; outDir: string; minRecords: number; epssRows: number }) => writeNvdBenchFiles(a.templatesDir, a.osvDir, a.outDir, a),
  'nvd-floor': (a: { where: string; isFeed: boolean }) => nvdFloor(a.where, a.isFeed),
  'nvd-stat-floor': (a: { where: string }) => statFloor(a.where),
  'nvd-sync': (a: { dbFile: string; where: string; tmpDir: string }) => nvdSyncOnce(a.dbFile, a.where, a.tmpDir),
  'rating-sources': (a: { dbFile: string; nvdDir: string; kevFile: string; epssFile: string; tmpDir: string }) => syncRatingSources(a),
  'rated-counts': (a: { dbFile: string }) => ratedCounts(a.dbFile),
  /** Nothing: the peak RSS of a phase process that only loaded the benchmark code (the floor of every phase's RSS). */
  idle: () => ({}),
};

export type TaskName = keyof typeof TASKS;
export type TaskArgs<K extends TaskName> = Parameters<(typeof TASKS)[K]>[0];
export type TaskValue<K extends TaskName> = Awaited<ReturnType<(typeof TASKS)[K]>>;
