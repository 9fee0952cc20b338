import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { archiveName, pruneArchives, writeArchive } from '../../src/report/archive.js';
import { IcmsError } from '../../src/shared/errors.js';
import { tmpDir } from '../helpers/tmp.js';
import { DAY4, makeStore } from './store.js';

describe('compliance archive', () => {
  it('writes <dir>/<YYYY-MM-DD>.json.gz with every finding, the projects and the acceptances', async () => {
    const { db } = await makeStore();
    const dir = await tmpDir();
    const r = await writeArchive(db, { dir, now: DAY4, force: false, retentionDays: 400 });
    expect(r).toMatchObject({ file: path.join(dir, '2024-06-02.json.gz'), findings: 4, replaced: false, deleted: [] });
    const doc = JSON.parse(gunzipSync(readFileSync(r.file)).toString('utf8'));
    expect(doc).toMatchObject({ schema_version: 2, kind: 'icms-archive', created_at: DAY4.toISOString(), totals: { findings: 4 } });
    expect(doc.findings.map((f: { package: string; status: string }) => `${f.package}:${f.status}`).sort()).toEqual(['axios:fixed', 'axios:open', 'grep-cli:open', 'lodash:accepted']);
    expect(doc.acceptances).toEqual([expect.objectContaining({ advisory_id: 'CVE-2021-23337', reason: 'lodash.template is never called', project: 'github.com/acme/web@main' })]);
    expect(doc.projects).toHaveLength(2);
  });

  it('never overwrites an earlier archive of the same day unless forced (exit 2 with a hint)', async () => {
    const { db } = await makeStore();
    const dir = await tmpDir();
    await writeArchive(db, { dir, now: DAY4, force: false, retentionDays: 400 });
    const before = readFileSync(path.join(dir, '2024-06-02.json.gz'));
    const err = await writeArchive(db, { dir, now: DAY4, force: false, retentionDays: 400 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IcmsError);
    expect(err).toMatchObject({ exitCode: 2, hint: expect.stringContaining('--force') });
    expect(readFileSync(path.join(dir, '2024-06-02.json.gz')).equals(before)).toBe(true);
    const forced = await writeArchive(db, { dir, now: new Date(DAY4.getTime() + 3600_000), force: true, retentionDays: 400 });
    expect(forced.replaced).toBe(true);
    expect(readdirSync(dir)).toEqual(['2024-06-02.json.gz']); // no temp files left
  });

  it('retention deletes only date-named archives older than the limit', async () => {
    const dir = await tmpDir();
    for (const f of ['2024-01-01.json.gz', '2024-05-02.json.gz', '2024-05-03.json.gz', '2024-06-01.json.gz', 'notes.txt', '2023-01-01.json', 'x2023-01-01.json.gz']) writeFileSync(path.join(dir, f), 'x');
    expect(pruneArchives(dir, DAY4, 31)).toEqual(['2024-01-01.json.gz']); // cutoff 2024-05-02 is kept
    expect(pruneArchives(dir, DAY4, 30)).toEqual(['2024-05-02.json.gz']);
    expect(readdirSync(dir).sort()).toEqual(['2023-01-01.json', '2024-05-03.json.gz', '2024-06-01.json.gz', 'notes.txt', 'x2023-01-01.json.gz']);
  });

  it('names archives by the UTC date', () => {
    expect(archiveName(new Date('2024-12-31T23:59:59Z'))).toBe('2024-12-31.json.gz');
  });
});
