/**
 * JSON documents too big for one string: a report of a few hundred thousand findings is hundreds of MB, close to
 * V8's longest string. `jsonChunks` yields exactly the text `JSON.stringify(doc, null, indent)` would give, with
 * one key's array produced item by item, so the document is written in pieces and never held whole.
 */

/** Yields `JSON.stringify({ ...doc, [key]: [...items] }, null, indent)` in pieces (one per item and per other key). */
export function* jsonChunks(doc: Record<string, unknown>, key: string, items: Iterable<unknown>, indent: 0 | 2 = 0): Generator<string> {
  const nl = (depth: number): string => (indent ? `\n${' '.repeat(indent * depth)}` : '');
  const str = (value: unknown, depth: number): string | undefined => {
    const text = JSON.stringify(value, null, indent || undefined) as string | undefined;
    return text === undefined || !indent ? text : text.replace(/\n/g, nl(depth));
  };
  const sep = indent ? ': ' : ':';
  const keys = Object.keys({ ...doc, [key]: null }); // the order JSON.stringify would follow (integer-like keys first)
  let first = true;
  yield '{';
  for (const k of keys) {
    if (k === key) {
      yield `${first ? '' : ','}${nl(1)}${JSON.stringify(k)}${sep}[`;
      let n = 0;
      for (const item of items) yield `${n++ === 0 ? '' : ','}${nl(2)}${str(item, 2) ?? 'null'}`;
      yield n === 0 ? ']' : `${nl(1)}]`;
      first = false;
      continue;
    }
    const text = str(doc[k], 1);
    if (text === undefined) continue; // JSON.stringify leaves out undefined values and functions
    yield `${first ? '' : ','}${nl(1)}${JSON.stringify(k)}${sep}${text}`;
    first = false;
  }
  yield first ? '}' : `${nl(0)}}`;
}

/** Joins small pieces into strings of about `size` characters (fewer, larger writes). */
export function* batched(chunks: Iterable<string>, size = 1 << 20): Generator<string> {
  let parts: string[] = [];
  let length = 0;
  for (const c of chunks) {
    parts.push(c);
    length += c.length;
    if (length >= size) {
      yield parts.join('');
      parts = [];
      length = 0;
    }
  }
  if (parts.length > 0) yield parts.join('');
}
