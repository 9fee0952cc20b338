/** YAML parsing that keeps line numbers, so input errors can say `file:line`. */
import { parseDocument, LineCounter, type Document, type Node } from 'yaml';
import { IcmsError, ExitCode } from './errors.js';

export interface YamlWithLines {
  /** Plain JS value of the document. */
  value: unknown;
  /** 1-based line of the node at `path` (keys and indexes), or of the nearest existing parent. */
  lineOf(path: readonly (string | number)[]): number;
  doc: Document;
}

/** Parses YAML text; a syntax error is a Usage error naming `file:line`. */
export function parseYamlWithLines(text: string, file: string): YamlWithLines {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new IcmsError(`${file}:${counter.linePos(e.pos[0]).line}: invalid YAML: ${e.message.split('\n')[0]}`, ExitCode.Usage, {
      hint: 'fix the YAML syntax (indentation, quotes, colons)',
    });
  }
  const lineOf = (path: readonly (string | number)[]): number => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as Node | undefined;
      if (node && typeof node === 'object' && node.range) return counter.linePos(node.range[0]).line;
    }
    return 1;
  };
  return { value: doc.toJS({ maxAliasCount: 100 }) as unknown, lineOf, doc };
}
