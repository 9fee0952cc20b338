/** What the SBOM formats (CycloneDX, SPDX) describe: one project, its current packages and its findings. */
import type { Db } from '../db/open.js';
import { currentPackages } from '../db/scans.js';
import type { Package } from '../model/types.js';
import { buildReport, type ReportData, type ReportQuery } from './model.js';

/** The project an SBOM is about. */
export interface SbomSubject {
  name: string;
  url: string;
  kind: string;
}

/** Everything the SBOM renderers get: the report of one project plus its packages. */
export interface SbomData {
  report: ReportData;
  project: SbomSubject;
  packages: Package[];
}

/** Builds the SBOM data of one stored project; findings are filtered like any report's (status, severity). */
export function buildSbomData(db: Db, project: SbomSubject & { id: number }, q: Omit<ReportQuery, 'projectIds'>): SbomData {
  const report = buildReport(db, { ...q, projectIds: [project.id] });
  return { report, project: { name: project.name, url: project.url, kind: project.kind }, packages: currentPackages(db, project.id) };
}
