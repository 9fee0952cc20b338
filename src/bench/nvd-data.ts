/**
 * Inputs of the NVD benchmarks (issue 16), generated from real records: a mirror directory (the public mirror's
 * `CVE-YYYY/CVE-YYYY-NNxx/CVE-YYYY-NNNN.json` layout) holding one record for every CVE the OSV corpus names (the real
 * record where the shared data has it, else a real record under that id), padded to a realistic size with further
 * ids; a 2.0 feed file (`.json.gz`) of the same records; an EPSS CSV scoring them.
 */
import { createWriteStream, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { walkJsonFiles } from '../advisories/osv.js';

/** What was written. */
export interface NvdBenchFiles {
  /** The mirror directory. */
  mirrorDir: string;
  /** The same records as one 2.0 feed file. */
  feedFile: string;
  /** EPSS scores of every record's CVE (and padding rows, as the real file scores ~300k CVEs). */
  epssFile: string;
  records: number;
  /** Records whose CVE the OSV corpus names (what a match can use). */
  osvCves: number;
  /** Of those, real records of that very CVE. */
  realRecords: number;
  templates: number;
  /** Bytes of the mirror's files. */
  bytes: number;
}

/**
 * Writes the inputs under `outDir` from the real records under `templatesDir` and the CVE ids of the OSV records under
 * `osvDir`: at least `minRecords` records (`records` may exceed it when the OSV corpus names more CVEs) and `epssRows` EPSS rows.
 */
export async function writeNvdBenchFiles(templatesDir: string, osvDir: string, outDir: string, opts: { minRecords: number; epssRows: number }): Promise<NvdBenchFiles> {
  const templates = [...walkJsonFiles(templatesDir)].map((f) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown> & { id: string });
  if (templates.length === 0) throw new Error(`${templatesDir}: no NVD record to generate from`);
  const real = new Map(templates.map((t) => [t.id, t]));
  const cves = osvCveIds(osvDir);
  const ids = [...cves];
  // padding: further ids in each template's year, far above the ids NVD has assigned so far
  for (let i = 0; ids.length < opts.minRecords; i++) ids.push(`${templates[i % templates.length]!.id.replace(/-\d+$/, '')}-${9_000_000 + i}`);
  const mirrorDir = path.join(outDir, 'nvd');
  const feedFile = path.join(outDir, 'nvdcve-2.0-bench.json.gz');
  const gzip = createGzip();
  const feed = gzip.pipe(createWriteStream(feedFile));
  const write = async (s: string): Promise<void> => {
    if (!gzip.write(s)) await once(gzip, 'drain');
  };
  await write(`{"resultsPerPage":${ids.length},"startIndex":0,"totalResults":${ids.length},"format":"NVD_CVE","version":"2.0","timestamp":"2026-12-06T00:00:00.000","vulnerabilities":[`);
  let bytes = 0;
  let realRecords = 0;
  for (const [i, id] of ids.entries()) {
    const own = real.get(id);
    if (own && cves.has(id)) realRecords++;
    const record = own ?? { ...templates[i % templates.length]!, id };
    const text = JSON.stringify(record, null, 2);
    const dir = path.join(mirrorDir, id.replace(/-\d+$/, ''), `${id.slice(0, -2)}xx`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${id}.json`), text);
    bytes += Buffer.byteLength(text);
    await write(`${i === 0 ? '' : ','}{"cve":${JSON.stringify(record)}}`);
  }
  gzip.end(']}');
  await once(feed, 'finish');
  const epssFile = path.join(outDir, 'epss_scores-2026-12-06.csv');
  writeFileSync(epssFile, epssCsv(ids, opts.epssRows));
  return { mirrorDir, feedFile, epssFile, records: ids.length, osvCves: cves.size, realRecords, templates: templates.length, bytes };
}

/** Every CVE id an OSV record under `dir` is or names as an alias, sorted. */
export function osvCveIds(dir: string): Set<string> {
  const ids: string[] = [];
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!f.endsWith('.json')) continue;
    try {
      const rec = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as { id?: unknown; aliases?: unknown };
      for (const a of [rec.id, ...(Array.isArray(rec.aliases) ? rec.aliases : [])]) if (typeof a === 'string' && /^CVE-\d{4}-\d+$/.test(a)) ids.push(a);
    } catch {
      // an invalid record names nothing (the sync skips it too)
    }
  }
  return new Set(ids.sort());
}

/** FIRST's EPSS CSV layout with a deterministic score per id, padded to `rows` rows. */
function epssCsv(ids: readonly string[], rows: number): string {
  const lines = ['#model_version:v2025.03.14,score_date:2026-12-06T00:00:00Z', 'cve,epss,percentile'];
  const score = (i: number): string => (((i * 7919) % 100_000) / 100_000).toFixed(5);
  ids.forEach((id, i) => lines.push(`${id},${score(i)},${score(i + 1)}`));
  for (let i = ids.length; i < rows; i++) lines.push(`CVE-2010-${8_000_000 + i},${score(i)},${score(i + 1)}`);
  return `${lines.join('\n')}\n`;
}
