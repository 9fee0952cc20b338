/** The renderer registry: one pure renderer per `--format`. */
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson, renderJsonChunks } from './json.js';
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

/** Formats whose document can be big enough to write in pieces: the same text as their renderer's, never held whole. */
export const chunkedRenderers: Partial<Record<ReportFormat, (data: Parameters<Renderer>[0], opts: Parameters<Renderer>[1]) => Iterable<string>>> = {
  json: renderJsonChunks,
};
