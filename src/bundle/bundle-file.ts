/**
 * Bundles on disk: one gzip member holding one JSON document. node:zlib and JSON are all it takes (no
 * library): gzip is RFC 1952 and `gunzip -c shard-0.json.gz | jq` reads a bundle without icms.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeFileAtomic } from '../shared/atomic-write.js';
import { errorMessage, usageError } from '../shared/errors.js';
import type { ScanBundle } from './format.js';
import { validateBundle } from './validate.js';

/** Writes the bundle gzipped, atomically (a reader never sees half a bundle). */
export async function writeBundle(file: string, bundle: ScanBundle): Promise<void> {
  await writeFileAtomic(file, gzipSync(JSON.stringify(bundle)));
}

/** Reads, unzips and validates a bundle; any fault is an input error (exit 2) naming the file. */
export async function readBundle(file: string): Promise<ScanBundle> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch (err) {
    throw unreadable(file, err);
  }
  return parseBundle(raw, file);
}

/** `readBundle` without awaiting: for the second pass of an import, inside its transaction. */
export function readBundleSync(file: string): ScanBundle {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (err) {
    throw unreadable(file, err);
  }
  return parseBundle(raw, file);
}

const unreadable = (file: string, err: unknown) => usageError(`${file}: cannot read the bundle: ${errorMessage(err)}`, 'check the path (and that the shard wrote it)');

function parseBundle(raw: Buffer, file: string): ScanBundle {
  let text: string;
  try {
    text = gunzipSync(raw).toString('utf8');
  } catch (err) {
    throw usageError(`${file}: not a gzip file (${errorMessage(err)})`, 'give the .json.gz files `icms scan --all --export <file>` wrote; a truncated copy must be copied again');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw usageError(`${file}: the bundle is not valid JSON (${errorMessage(err)})`, 'the file is damaged; scan that shard again');
  }
  return validateBundle(value, file);
}

/** True when the file starts with the gzip magic bytes (a bundle rather than a YAML inventory). */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}
