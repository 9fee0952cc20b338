/**
 * The items of one array inside a JSON document too big to parse whole (an NVD feed file is hundreds of MB): the text
 * streams through a scanner that only tracks nesting and strings, and each item of the array under the top-level key
 * is handed out as its own text for JSON.parse. Memory stays at one chunk plus one item.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;

/** Yields the text of each item of the array at top-level `key` of the JSON document streamed as `chunks`. */
export async function* jsonArrayItems(chunks: AsyncIterable<string | Buffer>, key: string): AsyncGenerator<string> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let stringStart = -1;
  let lastString = '';
  let partialString = '';
  let inArray = false;
  let itemParts: string[] = [];
  let itemStart = -1;
  let found = false;
  for await (const raw of chunks) {
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    itemStart = inArray && itemParts.length > 0 ? 0 : -1;
    if (inString && depth === 1) stringStart = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (depth === 1 && stringStart >= 0) {
            lastString = partialString + text.slice(stringStart, i);
            partialString = '';
            stringStart = -1;
          }
        }
        continue;
      }
      if (c === QUOTE) {
        inString = true;
        if (depth === 1) stringStart = i + 1;
      } else if (c === OPEN_OBJ || c === OPEN_ARR) {
        if (inArray && depth === 2) itemStart = i;
        if (depth === 1 && c === OPEN_ARR && lastString === key) {
          inArray = true;
          found = true;
        }
        depth++;
      } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        depth--;
        if (inArray && depth === 2 && itemStart >= 0) {
          itemParts.push(text.slice(itemStart, i + 1));
          yield itemParts.join('');
          itemParts = [];
          itemStart = -1;
        } else if (inArray && depth === 1) inArray = false;
      }
    }
    if (inArray && itemStart >= 0) itemParts.push(text.slice(itemStart));
    if (inString && depth === 1 && stringStart >= 0) partialString += text.slice(stringStart);
  }
  if (depth !== 0 || inString) throw new Error('the JSON document ends early (truncated file?)');
  if (!found) throw new Error(`no "${key}" array at the top level`);
}
