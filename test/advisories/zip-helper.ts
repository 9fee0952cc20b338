/** Builds zips with yazl, as osv.dev lays out `<Ecosystem>/all.zip` (entries `<ID>.json`). */
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';

/** Writes a zip at `file` holding `entries` (name -> content). */
export async function writeZip(file: string, entries: Record<string, string | Buffer>): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
}

/** Entries for the fixture files under `dir`, named by their base name (flat, like all.zip). */
export function entriesFrom(dir: string, rels: readonly string[]): Record<string, Buffer> {
  return Object.fromEntries(rels.map((rel) => [path.basename(rel), readFileSync(path.join(dir, rel))]));
}
