/** Secret canaries: the forms a leaked secret can take, and a byte-level search over files and texts. */
import { readdir, readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/** A unique, recognisable secret value. */
export function canary(label: string): string {
  return `canary-${label}-${randomBytes(9).toString('hex')}`;
}

/** The encodings under which a secret may leak: raw, base64 (alone and as git's Basic credential), URL-encoded, hex. */
export function leakForms(secret: string): string[] {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const forms = [
    secret,
    b64(secret),
    b64(`x-access-token:${secret}`),
    Buffer.from(secret).toString('base64url'),
    encodeURIComponent(secret),
    new URLSearchParams({ token: secret }).toString().slice('token='.length),
    Buffer.from(secret).toString('hex'),
  ];
  return [...new Set(forms)];
}

/** A named blob of bytes to search. */
export interface Blob {
  name: string;
  data: Buffer;
}

/** Every regular file under `dir` (recursive, including `.git` internals); `.gz` files are also added gunzipped. */
export async function filesUnder(dir: string, opts: { skip?: (file: string) => boolean } = {}): Promise<Blob[]> {
  const out: Blob[] = [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    if (opts.skip?.(file)) continue;
    const data = await readFile(file);
    out.push({ name: file, data });
    if (file.endsWith('.gz')) out.push({ name: `${file} (gunzipped)`, data: gunzipSync(data) });
  }
  return out;
}

/** Where each secret form occurs: `blob: form of label` lines; empty when nothing leaked. */
export function findLeaks(blobs: readonly Blob[], secrets: Record<string, string>): string[] {
  const hits: string[] = [];
  for (const b of blobs) {
    const text = b.data.toString('latin1');
    for (const [label, secret] of Object.entries(secrets)) {
      for (const form of leakForms(secret)) {
        if (text.includes(Buffer.from(form).toString('latin1'))) hits.push(`${b.name}: ${label} as ${JSON.stringify(form)}`);
      }
    }
  }
  return hits;
}

/** A text as a blob. */
export function textBlob(name: string, text: string): Blob {
  return { name, data: Buffer.from(text) };
}
