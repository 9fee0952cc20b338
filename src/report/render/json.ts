/** `--format json`: the versioned findings document (README "JSON findings"). */
import { FINDINGS_SCHEMA_VERSION, reportFindingJson } from '../finding-json.js';
import type { ReportData } from '../model.js';
import { groupFindings } from '../summary.js';
import type { RenderOptions } from './types.js';

/** Renders the report as pretty JSON with stable key order; `by` adds a `groups` summary. */
export function renderJson(data: ReportData, opts: RenderOptions): string {
  const doc: Record<string, unknown> = {
    schema_version: FINDINGS_SCHEMA_VERSION,
    generated_at: data.generatedAt,
    filters: { status: data.filters.status, projects: data.filters.projects, maintainers: data.filters.maintainers, severity_min: data.filters.severityMin },
    totals: { findings: data.totals.findings, projects: data.totals.projects, by_severity: data.totals.bySeverity, by_status: data.totals.byStatus },
  };
  if (opts.by) {
    doc.groups = groupFindings(data.findings, opts.by).map((g) => ({ [opts.by!]: g.key, findings: g.total, projects: g.projects, worst: g.worst, by_severity: g.bySeverity }));
  }
  doc.findings = data.findings.map(reportFindingJson);
  return `${JSON.stringify(doc, null, 2)}\n`;
}
