/** The renderer registry: one pure renderer per `--format`. */
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';
import type { Renderer } from './types.js';

export type { Renderer, RenderOptions } from './types.js';

/** Formats of `icms report --format`, the default first. */
export const REPORT_FORMATS = ['table', 'json', 'csv', 'markdown', 'sarif', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Renderer per format. */
export const renderers: Record<ReportFormat, Renderer> = {
  table: renderTable,
  json: renderJson,
  csv: renderCsv,
  markdown: renderMarkdown,
  sarif: renderSarif,
  html: renderHtml,
};
