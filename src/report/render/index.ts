/** The renderer registry: one pure renderer per `--format`. */
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson, renderJsonChunks } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';
import type { Renderer, RenderOptions } from './types.js';
import { renderCyclonedx } from './cyclonedx.js';
import { renderSpdx } from './spdx.js';
import type { SbomData } from '../sbom-data.js';

export type { Renderer, RenderOptions } from './types.js';

/** Formats of `icms report --format`, the default first. */
export const REPORT_FORMATS = ['table', 'json', 'csv', 'markdown', 'sarif', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Formats that describe one project's packages (SBOMs) rather than list findings. */
export const SBOM_FORMATS = ['cyclonedx', 'spdx'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

/** An SBOM renderer: one project's packages and findings in, the whole document out. */
export type SbomRenderer = (data: SbomData, opts: RenderOptions) => string;

/** Renderer per SBOM format. */
export const sbomRenderers: Record<SbomFormat, SbomRenderer> = {
  cyclonedx: renderCyclonedx,
  spdx: renderSpdx,
};

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
