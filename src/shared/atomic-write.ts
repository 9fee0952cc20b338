/** Atomic file writes: write a sibling temp file, fsync, rename over the target. */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { batched } from './json-stream.js';

/** The whole content, or its pieces in order (a document too big to hold as one string). */
export type FileContent = string | Uint8Array | Iterable<string> | AsyncIterable<string | Uint8Array>;

/** Writes `data` to `file` so readers see the old or the new content, never a part. */
export async function writeFileAtomic(file: string, data: FileContent, opts: { mode?: number } = {}): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await fs.open(tmp, 'w', opts.mode ?? 0o644);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
    // writeFile on a handle writes from the current position and loops until every byte is out
    else if (Symbol.asyncIterator in data) for await (const chunk of data) await handle.writeFile(chunk);
    else for (const chunk of batched(data)) await handle.writeFile(chunk);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    if (opts.mode !== undefined) await fs.chmod(tmp, opts.mode);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
