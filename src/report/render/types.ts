/** The renderer contract: a pure function of the report data and a few presentation options. */
import type { ReportData } from '../model.js';
import type { Severity } from '../../model/types.js';
import type { GroupBy } from '../summary.js';

/** Presentation options; nothing here reads the environment. */
export interface RenderOptions {
  /** ANSI colour (terminal formats only). */
  color: boolean;
  /** Terminal width to fit tables into; undefined = no limit (not a terminal). */
  columns?: number | undefined;
  /** Group findings into a summary (table, csv, markdown, json). */
  by?: GroupBy | undefined;
  /** icms version, named as the tool in SARIF and the dashboard. */
  toolVersion: string;
  /** `triage.unknown_severity`: the weight of an unrated finding in the dashboard's top upgrades (default HIGH). */
  unknownAs?: Severity | undefined;
}

/** A report renderer: data in, the whole document out. */
export type Renderer = (data: ReportData, opts: RenderOptions) => string;
