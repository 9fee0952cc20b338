/**
 * A zip bomb in an OSV zip: an entry whose header declares 48 MiB (a few KB compressed), and one whose headers lie
 * (declare 2 KB, inflate to 48 MiB). Each is skipped and reported; the real records beside them are stored, the
 * source is synced; nothing inflates past the entry cap. Real zips (yazl), real OSV records from fixtures/osv.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/open.js';
import { syncAdvisories } from '../../src/advisories/sync.js';
import { countAdvisories } from '../../src/db/advisories.js';
import { silentLogger } from '../../src/shared/log.js';
import { tmpDir } from '../helpers/tmp.js';
import { OSV_DIR } from '../advisories/fixtures.js';
import { entriesFrom, writeZip } from '../advisories/zip-helper.js';

const REAL = ['npm/GHSA-277h-px4m-62q8.json', 'npm/GHSA-35jh-r3h4-6jhm.json', 'npm/NSWG-ECO-8.json'];

/** Rewrites the uncompressed size of entry `name` in its local header and central directory record. */
function lieAboutSize(zip: Buffer, name: string, size: number): void {
  for (const [sig, sizeAt, nameLenAt, nameAt] of [[0x04034b50, 22, 26, 30], [0x02014b50, 24, 28, 46]] as const) {
    for (let i = 0; i + nameAt < zip.length; i++) {
      if (zip.readUInt32LE(i) !== sig) continue;
      const len = zip.readUInt16LE(i + nameLenAt);
      if (zip.toString('utf8', i + nameAt, i + nameAt + len) === name) zip.writeUInt32LE(size, i + sizeAt);
    }
  }
}

describe('an OSV zip holding a zip bomb', () => {
  it('skips and reports the oversized entries, stores the valid ones, the source succeeds', async () => {
    const work = await tmpDir();
    const zipFile = path.join(work, 'all.zip');
    const huge = Buffer.alloc(48 * 1024 * 1024, 0x20); // valid JSON whitespace, 48 MiB
    await writeZip(zipFile, { ...entriesFrom(OSV_DIR, REAL), 'BOMB-1.json': huge, 'BOMB-2.json': huge });
    const bytes = readFileSync(zipFile);
    expect(bytes.length).toBeLessThan(1024 * 1024);
    lieAboutSize(bytes, 'BOMB-2.json', 2048);
    writeFileSync(zipFile, bytes);

    const db = openDb(path.join(work, 'icms.db'));
    try {
      const r = (await syncAdvisories(db, [{ name: 'osv-zip', type: 'osv', path: zipFile, timeoutMs: 1000, retries: 0, backoffMs: 0 }], { logger: silentLogger, now: () => new Date(), tmpDir: work })).sources[0]!;
      expect(r.error).toBeUndefined();
      expect(r).toMatchObject({ added: 3, skipped: 2 });
      expect(r.skippedSamples).toEqual([
        { file: 'BOMB-1.json', reason: expect.stringMatching(/entry too large: 50331648 bytes uncompressed, the limit is 8388608/) },
        { file: 'BOMB-2.json', reason: expect.stringMatching(/^unreadable zip entry: /) },
      ]);
      expect(countAdvisories(db, 'osv-zip')).toBe(3);
    } finally {
      db.close();
    }
  });
});
