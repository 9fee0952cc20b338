/**
 * A JSON document of the shape `{ ..., "<outer>": [ { ..., "<inner>": [ item, ... ], ... }, ... ] }` read as a
 * stream (a trivy report: `Results[].Packages[]`, hundreds of MB). Like `json-items.ts` the scanner only tracks
 * nesting and strings; it goes one level deeper: each object of the outer array is opened, its kept fields and each
 * item of its inner array are handed out as their own text for JSON.parse, everything else is skipped unread.
 * Memory stays at one chunk plus one item (or one kept field). `onEvent` may return a promise (awaited before the walk
 * goes on), so a consumer can do asynchronous work at a few events without paying for it at every item.
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const indexOrEnd = (text: string, ch: string, from: number): number => {
  const at = text.indexOf(ch, from);
  return at < 0 ? text.length : at;
};
/** Characters of numbers, true, false and null: all that may stand outside strings besides structure and space. */
const LITERAL = new Uint8Array(128);
for (const ch of '0123456789+-.eEtrufalsn') LITERAL[ch.charCodeAt(0)] = 1;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** What the walker hands out, in document order. */
export type NestedEvent =
  | { kind: 'field'; key: string; text: string } // a kept top-level field (its value's text)
  | { kind: 'start'; index: number } // an object of the outer array begins
  | { kind: 'other'; index: number; text: string } // an item of the outer array that is not an object
  | { kind: 'item-field'; key: string; text: string } // a kept field of the current outer object (the inner key when not an array)
  | { kind: 'inner' } // the inner array of the current outer object opens
  | { kind: 'item'; text: string } // one item of the inner array
  | { kind: 'end' }; // the current outer object ends

/** Which arrays to open and which fields to keep. */
export interface NestedShape {
  outer: string;
  inner: string;
  keepTop: ReadonlySet<string>;
  keepItem: ReadonlySet<string>;
}

/** Thrown for a document the walker cannot follow (not an object, ends early, text after its end); `offset` is in characters. */
export class JsonShapeError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'JsonShapeError';
  }
}

type Role = 'top' | 'outer' | 'item' | 'inner' | 'other';
interface Frame {
  obj: boolean;
  role: Role;
}

/** Walks the document streamed as `chunks`, calling `onEvent` for each event in order (a promise it returns is awaited). */
export async function walkNestedItems(chunks: AsyncIterable<string | Buffer>, shape: NestedShape, onEvent: (e: NestedEvent) => Promise<void> | undefined): Promise<void> {
  const stack: Frame[] = [];
  let inString = false;
  let escaped = false;
  let keyParts: string[] | undefined; // collecting a key string (only keys of the top object and the outer items)
  let keyStart = -1;
  let lastKey = '';
  let expectKey = false; // after '{' or ',' in an object
  let expectValue = false; // after ':' in an object, or '[' / ',' in an array
  let pendingRole: Role | undefined; // the role of the container the current value opens
  let capture: { depth: number; parts: string[]; start: number; emit: (text: string) => NestedEvent } | undefined;
  let outerIndex = 0;
  let started = false;
  let ended = false;
  let offset = 0;

  const finishCapture = (text: string, i: number): Promise<void> | undefined => {
    const c = capture!;
    c.parts.push(text.slice(c.start, i));
    capture = undefined;
    return onEvent(c.emit(c.parts.join('').trimEnd()));
  };

  for await (const raw of chunks) {
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    if (capture) capture.start = 0;
    if (keyParts) keyStart = 0;
    let nextBackslash = -1;
    for (let i = 0; i < text.length; i++) {
      if (inString) {
        if (escaped) {
          escaped = false;
          continue;
        }
        // most of a report is string text: jump to the next quote or backslash natively instead of char by char
        if (nextBackslash < i) nextBackslash = indexOrEnd(text, '\\', i);
        const quote = indexOrEnd(text, '"', i);
        if (nextBackslash < quote) {
          i = nextBackslash;
          escaped = true;
          continue;
        }
        if (quote === text.length) {
          i = text.length;
          continue;
        }
        i = quote;
        inString = false;
        if (keyParts) {
          keyParts.push(text.slice(keyStart, i));
          lastKey = keyParts.join('');
          keyParts = undefined;
        }
        continue;
      }
      const c = text.charCodeAt(i);
      if (isSpace(c)) continue;
      if (ended) throw new JsonShapeError('text after the end of the JSON document', offset + i);
      if (!started) {
        if (c !== OPEN_OBJ) throw new JsonShapeError('not a JSON object (the document does not start with "{")', offset + i);
        started = true;
        expectKey = true;
        stack.push({ obj: true, role: 'top' });
        continue;
      }
      const frame = stack[stack.length - 1]!;
      if (expectValue) {
        expectValue = false;
        if (!capture && c !== CLOSE_ARR) {
          const p = startValue(frame, c, i);
          if (p) await p;
        }
      }
      if (c === QUOTE) {
        inString = true;
        if (expectKey) {
          expectKey = false;
          if (!capture && (frame.role === 'top' || frame.role === 'item')) {
            keyParts = [];
            keyStart = i + 1;
          }
        }
      } else if (c === COLON) {
        expectValue = true;
      } else if (c === COMMA) {
        if (capture && stack.length === capture.depth) {
          const p = finishCapture(text, i);
          if (p) await p;
        }
        if (frame.obj) expectKey = true;
        else expectValue = true;
      } else if (c === OPEN_OBJ || c === OPEN_ARR) {
        stack.push({ obj: c === OPEN_OBJ, role: pendingRole ?? 'other' });
        pendingRole = undefined;
        if (c === OPEN_OBJ) expectKey = true;
        else expectValue = true;
      } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        if ((c === CLOSE_OBJ) !== frame.obj) throw new JsonShapeError(`"${String.fromCharCode(c)}" cannot close ${frame.obj ? 'an object' : 'an array'}`, offset + i);
        if (capture && stack.length === capture.depth) {
          const p = finishCapture(text, i);
          if (p) await p;
        }
        expectKey = false;
        stack.pop();
        if (frame.role === 'item') {
          const p = onEvent({ kind: 'end' });
          if (p) await p;
        }
        if (stack.length === 0) ended = true;
      } else if (c >= 128 || LITERAL[c] !== 1) {
        throw new JsonShapeError(`unexpected character ${JSON.stringify(String.fromCharCode(c))}`, offset + i);
      }
    }
    if (capture) capture.parts.push(text.slice(capture.start));
    if (keyParts) keyParts.push(text.slice(keyStart));
    offset += text.length;
  }
  if (!started) throw new JsonShapeError('the document is empty', offset);
  if (!ended || inString) throw new JsonShapeError('it ends early', offset);

  // the value beginning with character `c` at `i` in `frame`: open the outer/inner arrays, capture kept fields and items
  function startValue(frame: Frame, c: number, i: number): Promise<void> | undefined {
    if (frame.obj) {
      const key = lastKey;
      if (frame.role === 'top') {
        if (key === shape.outer && c === OPEN_ARR) pendingRole = 'outer';
        else if (shape.keepTop.has(key) || key === shape.outer) begin(i, (t) => ({ kind: 'field', key, text: t }));
      } else if (frame.role === 'item') {
        if (key === shape.inner && c === OPEN_ARR) {
          pendingRole = 'inner';
          return onEvent({ kind: 'inner' });
        }
        if (shape.keepItem.has(key) || key === shape.inner) begin(i, (t) => ({ kind: 'item-field', key, text: t }));
      }
      return undefined;
    }
    if (frame.role === 'outer') {
      const index = outerIndex++;
      if (c === OPEN_OBJ) {
        pendingRole = 'item';
        return onEvent({ kind: 'start', index });
      }
      begin(i, (t) => ({ kind: 'other', index, text: t }));
    } else if (frame.role === 'inner') begin(i, (t) => ({ kind: 'item', text: t }));
    return undefined;
  }
  function begin(start: number, emit: (text: string) => NestedEvent): void {
    capture = { depth: stack.length, parts: [], start, emit };
  }
}
