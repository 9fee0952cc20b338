/** `--format json`: the versioned findings document (README "JSON findings"). */
import { jsonChunks } from '../../shared/json-stream.js';
import { FINDINGS_SCHEMA_VERSION, reportFindingJson } from '../finding-json.js';
import type { ReportData } from '../model.js';
import { groupFindings } from '../summary.js';
import type { RenderOptions } from './types.js';

/**
 * The report as pretty JSON with stable key order, in pieces (one per finding): a few hundred thousand findings
 * make a document of hundreds of MB, too close to V8's longest string to build whole. `by` adds a `groups` summary.
 */
export function* renderJsonChunks(data: ReportData, opts: RenderOptions): Generator<string> {
  const doc: Record<string, unknown> = {
    schema_version: FINDINGS_SCHEMA_VERSION,
    generated_at: data.generatedAt,
    filters: { status: data.filters.status, projects: data.filters.projects, maintainers: data.filters.maintainers, severity_min: data.filters.severityMin },
    totals: { findings: data.totals.findings, projects: data.totals.projects, by_severity: data.totals.bySeverity, by_status: data.totals.byStatus },
  };
  if (opts.by) {
    doc.groups = groupFindings(data.findings, opts.by).map((g) => ({ [opts.by!]: g.key, findings: g.total, projects: g.projects, worst: g.worst, by_severity: g.bySeverity }));
  }
  yield* jsonChunks(doc, 'findings', (function* () {
    for (const f of data.findings) yield reportFindingJson(f);
  })(), 2);
  yield '\n';
}

/** The whole JSON report as one string (small reports, tests). */
export function renderJson(data: ReportData, opts: RenderOptions): string {
  return [...renderJsonChunks(data, opts)].join('');
}
