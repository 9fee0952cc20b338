/**
 * Conditional download of a large file (an OSV all.zip) to a temp file: the body is streamed to disk,
 * never held in memory; ETag / Last-Modified make an unchanged file a cheap 304.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { HttpError, openUrl, withRetries, type HttpOptions } from '../shared/http.js';
import type { HttpValidators } from './source.js';

/** Result of a conditional download. */
export type DownloadResult = { notModified: true } | { notModified: false; file: string; bytes: number; validators: HttpValidators };

/** Bytes a download must advance within each timeoutMs window (a modem does 16 KiB in 3 s). */
const MIN_PROGRESS_BYTES = 16 * 1024;

/** Downloads `url` to `file` unless the server says it did not change since `previous`. */
export async function downloadIfChanged(
  url: string,
  file: string,
  previous: HttpValidators,
  opts: HttpOptions & { onProgress?: ((bytes: number, total: number | undefined) => void) | undefined },
): Promise<DownloadResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (previous.etag) headers['if-none-match'] = previous.etag;
  if (previous.lastModified) headers['if-modified-since'] = previous.lastModified;
  return withRetries(url, opts, async () => {
    const open = await openUrl(url, { ...opts, headers, idle: true });
    try {
      const { response } = open;
      if (response.status === 304) return { notModified: true } as const;
      if (!response.body) throw new HttpError('empty response body', true);
      const total = Number(response.headers.get('content-length')) || undefined;
      let bytes = 0;
      let touchedAt = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          // the idle timer restarts only on real progress: a server trickling a byte now and then cannot hold the sync
          if (bytes - touchedAt >= MIN_PROGRESS_BYTES) {
            touchedAt = bytes;
            open.touch();
          }
          opts.onProgress?.(bytes, total);
          cb(null, chunk);
        },
      });
      try {
        await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), counter, createWriteStream(file));
      } catch (err) {
        await rm(file, { force: true });
        throw new HttpError(`download interrupted after ${bytes} bytes: ${(err as Error).message}`, true);
      }
      if (total !== undefined && bytes !== total) {
        await rm(file, { force: true });
        throw new HttpError(`download truncated: ${bytes} of ${total} bytes`, true);
      }
      const validators: HttpValidators = {
        etag: response.headers.get('etag') ?? undefined,
        lastModified: response.headers.get('last-modified') ?? undefined,
      };
      return { notModified: false, file, bytes, validators } as const;
    } finally {
      open.done();
    }
  });
}
