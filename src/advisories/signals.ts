/**
 * Exploitation signals (enrichment: they never create findings), per CVE:
 * - CISA's Known Exploited Vulnerabilities catalog (JSON, https://www.cisa.gov/known-exploited-vulnerabilities-catalog):
 *   `vulnerabilities[]` of `cveID`, `dateAdded`, `dueDate`, `knownRansomwareCampaignUse`, `requiredAction`, ...;
 * - FIRST's daily EPSS scores (CSV, optionally gzipped, https://www.first.org/epss/data_stats): a first line
 *   `#model_version:<v>,score_date:<timestamp>`, a header `cve,epss,percentile`, then a row per CVE (~300k rows),
 *   read line by line.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/** One KEV catalog entry as stored. */
export interface KevEntry {
  cve: string;
  dateAdded: string | null;
  dueDate: string | null;
  /** CISA's `knownRansomwareCampaignUse`: "Known" or "Unknown". */
  ransomware: string | null;
  requiredAction: string | null;
  vendor: string | null;
  product: string | null;
  name: string | null;
}

/** One EPSS row. */
export interface EpssRow {
  cve: string;
  score: number;
  percentile: number;
}

/** A skipped row: where and why. */
export interface SignalSkip {
  file: string;
  reason: string;
}

const CVE = /^CVE-\d{4}-\d+$/;

/** Parses the KEV catalog file; a catalog without `vulnerabilities` is an error, a bad entry a skip. */
export function readKevCatalog(file: string): { entries: KevEntry[]; skipped: SignalSkip[]; version: string | undefined } {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not a KEV catalog (invalid JSON: ${(err as Error).message})`, { cause: err });
  }
  const d = doc as { vulnerabilities?: unknown; catalogVersion?: unknown } | null;
  if (!d || typeof d !== 'object' || !Array.isArray(d.vulnerabilities)) throw new Error(`${file}: not a KEV catalog (no "vulnerabilities" list)`);
  const entries: KevEntry[] = [];
  const skipped: SignalSkip[] = [];
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  d.vulnerabilities.forEach((v: unknown, i) => {
    const e = (v ?? {}) as Record<string, unknown>;
    if (typeof e.cveID !== 'string' || !CVE.test(e.cveID)) {
      skipped.push({ file: `vulnerabilities[${i}]`, reason: `"cveID" is not a CVE id: ${JSON.stringify(e.cveID)}` });
      return;
    }
    entries.push({
      cve: e.cveID, dateAdded: str(e.dateAdded), dueDate: str(e.dueDate), ransomware: str(e.knownRansomwareCampaignUse),
      requiredAction: str(e.requiredAction), vendor: str(e.vendorProject), product: str(e.product), name: str(e.vulnerabilityName),
    });
  });
  return { entries, skipped, version: typeof d.catalogVersion === 'string' ? d.catalogVersion : undefined };
}

/** Streams an EPSS CSV (`.gz` by name) into `onRow`; returns the score date and the rows skipped. */
export async function readEpssCsv(file: string, onRow: (row: EpssRow) => void): Promise<{ date: string | null; model: string | null; rows: number; skipped: SignalSkip[]; skippedRows: number }> {
  const input = createReadStream(file);
  const lines = createInterface({ input: /\.gz$/i.test(file) ? input.pipe(createGunzip()) : input, crlfDelay: Infinity });
  let date: string | null = null;
  let model: string | null = null;
  let columns: { cve: number; epss: number; percentile: number } | undefined;
  let n = 0;
  let rows = 0;
  let skippedRows = 0;
  const skipped: SignalSkip[] = [];
  try {
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      if (line.startsWith('#')) {
        // "#model_version:v2023.03.01,score_date:2023-03-07T00:00:00+0000"
        for (const part of line.slice(1).split(',')) {
          const at = part.indexOf(':');
          const [k, v] = [part.slice(0, at).trim(), part.slice(at + 1).trim()];
          if (k === 'score_date') date = v.slice(0, 10);
          if (k === 'model_version') model = v;
        }
        continue;
      }
      const cells = line.split(',');
      if (!columns) {
        const names = cells.map((c) => c.trim().toLowerCase());
        columns = { cve: names.indexOf('cve'), epss: names.indexOf('epss'), percentile: names.indexOf('percentile') };
        if (columns.cve < 0 || columns.epss < 0 || columns.percentile < 0) throw new Error(`${file}: line ${n}: expected the header "cve,epss,percentile", got ${JSON.stringify(line.slice(0, 60))}`);
        continue;
      }
      const cve = cells[columns.cve]?.trim() ?? '';
      const score = Number(cells[columns.epss]);
      const percentile = Number(cells[columns.percentile]);
      if (!CVE.test(cve) || !(score >= 0 && score <= 1) || !(percentile >= 0 && percentile <= 1)) {
        skippedRows++;
        if (skipped.length < 10) skipped.push({ file: `line ${n}`, reason: `not a CVE with scores in 0..1: ${JSON.stringify(line.slice(0, 60))}` });
        continue;
      }
      rows++;
      onRow({ cve, score, percentile });
    }
  } catch (err) {
    if ((err as Error).message.startsWith(file)) throw err;
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  } finally {
    input.destroy();
  }
  if (!columns) throw new Error(`${file}: not an EPSS CSV (no "cve,epss,percentile" header)`);
  return { date, model, rows, skipped, skippedRows };
}
