/**
 * Reads a zip entry by entry (yauzl, lazyEntries): only the entry being read is in memory, and an
 * entry the caller does not ask for is never inflated.
 */
import type yauzl from 'yauzl';

/**
 * The most one entry may inflate to: the largest real OSV record is 195 KB, so 8 MiB leaves room and stops a zip
 * bomb (a few KB that inflate to GBs) long before memory does.
 */
export const MAX_ENTRY_BYTES = 8 * 1024 * 1024;

/** One entry could not be read (too large, corrupt): the caller skips it and goes on with the others. */
export class UnreadableEntry extends Error {}

/** One file of the zip; `read()` inflates it (at most once, before the next entry is requested). */
export interface ZipEntry {
  name: string;
  crc32: number;
  size: number;
  read(): Promise<string>;
}

/** Iterates the files of the zip at `file`; throws if the zip is invalid (before or while reading). */
export async function* readZipEntries(file: string): AsyncGenerator<ZipEntry, void, undefined> {
  let zip: yauzl.ZipFile;
  try {
    const { default: lib } = await import('yauzl'); // only zip sources need it
    zip = await lib.openPromise(file, { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: false });
  } catch (err) {
    throw new Error(`invalid zip: ${(err as Error).message}`, { cause: err });
  }
  try {
    for (;;) {
      const entry = await nextEntry(zip);
      if (!entry) return;
      if (entry.fileName.endsWith('/')) continue;
      yield {
        name: entry.fileName,
        crc32: entry.crc32,
        size: entry.uncompressedSize,
        read: () => readEntry(zip, entry),
      };
    }
  } finally {
    zip.close();
  }
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (e: yauzl.Entry): void => (cleanup(), resolve(e));
    const onEnd = (): void => (cleanup(), resolve(undefined));
    const onError = (err: Error): void => (cleanup(), reject(new Error(`invalid zip: ${err.message}`, { cause: err })));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<string> {
  if (entry.uncompressedSize > MAX_ENTRY_BYTES) {
    throw new UnreadableEntry(`entry too large: ${entry.uncompressedSize} bytes uncompressed, the limit is ${MAX_ENTRY_BYTES}`);
  }
  try {
    const stream = await zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stream) {
      // yauzl also stops at the declared size (validateEntrySizes); this bounds memory whatever the header says
      total += (chunk as Buffer).length;
      if (total > MAX_ENTRY_BYTES) {
        stream.destroy();
        throw new Error(`inflates past ${MAX_ENTRY_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    throw new UnreadableEntry(`unreadable zip entry: ${(err as Error).message}`, { cause: err });
  }
}
