/** The SBOM file edge: reads a CycloneDX/SPDX JSON file and hands it to the pure parser. */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { httpRequest, type HttpOptions } from '../shared/http.js';
import { SbomError, parseSbomText } from './sbom.js';
import type { ParsedTrivyReport } from './trivy-report.js';

/** SBOMs larger than this are refused rather than read into memory (the largest real ones are tens of MB). */
const MAX_BYTES = 512 * 1024 * 1024;

/** Reads and parses the SBOM at `file` (resolved against `cwd`). */
export async function readSbomFile(file: string, cwd: string): Promise<ParsedTrivyReport> {
  const abs = path.resolve(cwd, file);
  const info = await stat(abs).catch(() => undefined);
  if (!info?.isFile()) throw new SbomError(`${abs}: no such SBOM file`, 'give the path of a CycloneDX or SPDX JSON file');
  if (info.size > MAX_BYTES) throw new SbomError(`${abs}: ${info.size} bytes is more than an SBOM icms reads (${MAX_BYTES})`);
  return parseSbomText(await readFile(abs, 'utf8'), abs);
}

/** Downloads and parses the SBOM at an http(s) URL (an inventory entry's `sbom:`); HTTP failures are External errors. */
export async function fetchSbom(url: string, opts: HttpOptions): Promise<ParsedTrivyReport> {
  const res = await httpRequest(url, { ...opts, what: 'SBOM', maxBytes: MAX_BYTES });
  return parseSbomText(res.text, url);
}
