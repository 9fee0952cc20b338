/**
 * A trivy report as big as asked, built from real ones: the Results of recorded trivy reports are repeated, each copy
 * under its own directory (`copy-7/yarn.lock`), the way a monorepo of many services lists the same lockfiles many
 * times. Written indented as trivy writes it (2 spaces), piece by piece, so a report of hundreds of MB is never held.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';

/** What was written. */
export interface BigReport {
  file: string;
  bytes: number;
  /** Results written (all classes, as the recorded reports hold them). */
  results: number;
  /** Package rows written (duplicates within a Result included, as trivy lists them). */
  packageRows: number;
  copies: number;
}

interface RawResult {
  Target?: string;
  Packages?: { FilePath?: string }[];
  [key: string]: unknown;
}

/** Writes a trivy report of at least `targetBytes` to `file` from the Results of `reports` (paths of trivy.json files). */
export async function writeBigReport(file: string, reports: readonly string[], targetBytes: number): Promise<BigReport> {
  const pool = reports.flatMap((f) => ((JSON.parse(readFileSync(f, 'utf8')) as { Results?: RawResult[] }).Results ?? []));
  if (!pool.some((r) => (r.Packages?.length ?? 0) > 0)) throw new Error('the recorded reports list no packages to repeat');
  const out = createWriteStream(file);
  let bytes = 0;
  const write = async (s: string): Promise<void> => {
    bytes += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('{\n  "SchemaVersion": 2,\n  "ArtifactName": "big-monorepo",\n  "ArtifactType": "filesystem",\n  "Metadata": {},\n  "Results": [');
  let results = 0;
  let packageRows = 0;
  let copy = 0;
  while (bytes < targetBytes) {
    for (const r of pool) {
      const moved = { ...r, Target: `copy-${copy}/${r.Target ?? ''}` };
      if (r.Packages) moved.Packages = r.Packages.map((p) => (p.FilePath ? { ...p, FilePath: `copy-${copy}/${p.FilePath}` } : p));
      packageRows += r.Packages?.length ?? 0;
      await write(`${results++ === 0 ? '' : ','}\n    ${JSON.stringify(moved, null, 2).replace(/\n/g, '\n    ')}`);
    }
    copy++;
  }
  await write('\n  ]\n}\n');
  out.end();
  await once(out, 'finish');
  return { file, bytes, results, packageRows, copies: copy };
}
