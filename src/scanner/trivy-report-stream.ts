/**
 * A trivy report read as a stream (issue 15): the walker hands out the top-level fields, each Result's Target, Class
 * and Type, and its Packages one by one; each row goes to the sink as it comes, so memory stays at one row (plus the
 * sink's batch) whatever the size of the report. trivy writes Target, Class and Type before Packages; a Result that
 * does not, and a pnpm Result (whose rows must all be seen to tell whether trivy could read it), is held whole.
 */
import { JsonShapeError, walkNestedItems, type NestedEvent } from '../shared/json-nested-items.js';
import { listsPackages, TrivyReportError, TrivyResultReader, type PackageSink, type ParsedTrivyReport, type RawResult, type ResultContext } from './trivy-report.js';

/** Rows that stand in for trivy's in one Result (the npm lockfile fixup), with the note to store; or why not. */
export type RowReplacement = { rows: unknown[]; note: (trivyListed: number) => string } | { warning: string };

/** How to read one report. */
export interface StreamReadOptions {
  /** Names the report in errors and warnings (e.g. "trivy fs /path"). */
  where: string;
  sink: PackageSink;
  /** Asked once per package Result (in order): rows to use instead of trivy's, or undefined to keep trivy's. */
  replaceRows?: ((result: RawResult) => Promise<RowReplacement | undefined>) | undefined;
}

const SHAPE = { outer: 'Results', inner: 'Packages', keepTop: new Set(['SchemaVersion', 'ArtifactName', 'ArtifactType', 'Metadata']), keepItem: new Set(['Target', 'Class', 'Type']) };

type Mode = 'undecided' | 'direct' | 'whole' | 'replaced' | 'none';
interface Current {
  index: number;
  header: RawResult;
  hasList: boolean;
  /** Packages was there but not an array (an error once the Result is known to list packages). */
  badList: boolean;
  mode: Mode;
  ctx?: ResultContext;
  held: unknown[];
  rows: number;
  skipped: number;
  note?: (trivyListed: number) => string;
}

/**
 * Reads the report streamed as `chunks` of `bytes` bytes; packages go to `opts.sink` (the result's `packages` is
 * empty). A truncated or malformed report is a TrivyReportError saying what and where.
 */
export async function readTrivyReportStream(chunks: AsyncIterable<string | Buffer>, bytes: number, opts: StreamReadOptions): Promise<Omit<ParsedTrivyReport, 'packages'>> {
  const where = opts.where;
  const reader = new TrivyResultReader(where, opts.sink);
  const top: Record<string, unknown> = {};
  const notes: string[] = [];
  let headerRead = false;
  let cur: Current | undefined;
  const invalid = (what: string, cause?: unknown): TrivyReportError =>
    new TrivyReportError(`${where}: report is not valid JSON (${bytes} bytes, truncated?): ${what}`, { cause });
  const parse = (text: string, what: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw invalid(`${what} cannot be read (${err instanceof Error ? err.message : String(err)})`, err);
    }
  };
  const readHeader = (): void => {
    if (headerRead) return;
    headerRead = true;
    reader.header(top);
  };
  const rowWhere = (c: Current): string => `${where}: Results[${c.index}].Packages[${c.rows}]`;

  // decides how a Result's rows are read once its header is known (or the Result ended)
  const decide = async (c: Current): Promise<void> => {
    if (!listsPackages(c.header)) {
      c.mode = 'none';
      return;
    }
    const replaced = opts.replaceRows ? await opts.replaceRows(c.header) : undefined;
    if (replaced && 'warning' in replaced) notes.push(replaced.warning);
    if (replaced && 'rows' in replaced) {
      c.mode = 'replaced';
      c.note = replaced.note;
      reader.rows(reader.context(c.header), replaced.rows, `${where}: Results[${c.index}]`);
      return;
    }
    if (!c.hasList) {
      c.mode = 'none';
      return;
    }
    c.ctx = reader.context(c.header);
    c.mode = c.ctx.pkgType === 'pnpm' ? 'whole' : 'direct';
  };
  const direct = (c: Current, row: unknown): void => {
    if (!reader.row(c.ctx!, row, rowWhere(c))) c.skipped++;
    c.rows++;
  };
  const headerComplete = (h: RawResult): boolean => 'Class' in h && (!listsPackages(h) || ('Target' in h && 'Type' in h));

  const finishResult = (c: Current): void => {
    if (c.badList && listsPackages(c.header)) throw new TrivyReportError(`${where}: Results[${c.index}].Packages is not an array`);
    if (c.mode === 'whole') reader.rows(c.ctx!, c.held, `${where}: Results[${c.index}]`);
    if (c.mode === 'direct') reader.endRows(c.ctx!, c.skipped, c.rows);
    if (c.mode === 'replaced') notes.push(c.note!(c.rows));
  };
  const decideLate = async (c: Current): Promise<void> => {
    if (!c.badList || !listsPackages(c.header)) await decide(c);
    const held = c.mode === 'direct' ? c.held.splice(0) : [];
    if (c.mode === 'replaced' || c.mode === 'none') c.rows += c.held.length;
    for (const row of held) direct(c, row);
    finishResult(c);
  };

  // synchronous but for the moments a Result's rows may be replaced (once per package Result)
  const onEvent = (e: NestedEvent): Promise<void> | undefined => {
    switch (e.kind) {
      case 'field':
        if (e.key === 'Results') {
          if (parse(e.text, '"Results"') !== null) throw new TrivyReportError(`${where}: "Results" is not an array`);
        } else top[e.key] = parse(e.text, `"${e.key}"`);
        return undefined;
      case 'start':
        readHeader();
        cur = { index: e.index, header: {}, hasList: false, badList: false, mode: 'undecided', held: [], rows: 0, skipped: 0 };
        return undefined;
      case 'other':
        throw new TrivyReportError(`${where}: Results[${e.index}] is not an object`);
      case 'item-field': {
        const c = cur!;
        const v = parse(e.text, `Results[${c.index}].${e.key}`);
        if (e.key === 'Packages') c.badList = v !== null;
        else (c.header as Record<string, unknown>)[e.key] = v;
        return undefined;
      }
      case 'inner': {
        const c = cur!;
        c.hasList = true;
        return headerComplete(c.header) ? decide(c) : undefined;
      }
      case 'item': {
        const c = cur!;
        if (c.mode === 'none' || c.mode === 'replaced') c.rows++;
        else {
          const row = parse(e.text, `Results[${c.index}].Packages[${c.rows + c.held.length}]`);
          if (c.mode === 'direct') direct(c, row);
          else c.held.push(row);
        }
        return undefined;
      }
      case 'end': {
        const c = cur!;
        cur = undefined;
        if (c.mode === 'undecided') return decideLate(c);
        finishResult(c);
        return undefined;
      }
    }
  };

  try {
    await walkNestedItems(chunks, SHAPE, onEvent);
  } catch (err) {
    if (err instanceof JsonShapeError) throw invalid(`${err.message}${cur ? ` inside Results[${cur.index}]` : ''} at character ${err.offset}`, err);
    throw err;
  }
  readHeader();
  const report = reader.finish([], { duplicates: 0, unmapped: 0 });
  report.warnings.push(...notes);
  const { packages: _none, ...rest } = report;
  return rest;
}
