import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { openDb, inTransaction } from '../../src/db/open.js';
import {
  countAdvisories,
  createAdvisoryWriter,
  deleteMissing,
  getAdvisory,
  groupOf,
  loadAliasRecords,
  saveAliasGroups,
} from '../../src/db/advisories.js';
import type { Advisory } from '../../src/model/types.js';
import { tmpDir } from '../helpers/tmp.js';

function advisory(id: string, over: Partial<Advisory> = {}): Advisory {
  return {
    source: 's',
    id,
    aliases: [],
    modified: '2024-01-01T00:00:00.000Z',
    cvss: [{ type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', baseScore: 9.8 }],
    baseScore: 9.8,
    severity: 'CRITICAL',
    references: [{ type: 'WEB', url: 'https://example.org' }],
    affected: [
      {
        ecosystem: 'PyPI',
        name: 'jw-util',
        rawName: 'jw.util',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.3' }] }],
        versions: ['1.0'],
        lastKnownAffectedRange: '<= 1.2',
        databaseSpecific: { k: 1 },
      },
    ],
    raw: { id },
    ...over,
  };
}

async function db() {
  const d = openDb(path.join(await tmpDir(), 'icms.db'));
  return d;
}

describe('advisory store', () => {
  it('round-trips an advisory with its affected entries and raw record', async () => {
    const d = await db();
    try {
      const w = createAdvisoryWriter(d, 's');
      const adv = advisory('A-1', { aliases: ['CVE-2020-1'] });
      expect(inTransaction(d, () => w.upsert(adv, JSON.stringify(adv.raw), { groupId: 'CVE-2020-1' }))).toBe('added');
      const { source: _s, ...rest } = adv;
      expect(getAdvisory(d, 's', 'A-1')).toEqual({ source: 's', ...rest, groupId: 'CVE-2020-1', published: undefined, withdrawn: undefined, summary: undefined, details: undefined, severityText: undefined, affected: [{ ...adv.affected[0], purl: undefined, ecosystemSpecific: undefined }] });
    } finally {
      d.close();
    }
  });

  it('replaces by newer modified, or by a different content hash when one is given', async () => {
    const d = await db();
    try {
      const w = createAdvisoryWriter(d, 's');
      inTransaction(d, () => w.upsert(advisory('A-1'), '{}'));
      expect(w.upsert(advisory('A-1', { summary: 'same time' }), '{}')).toBe('unchanged');
      expect(w.upsert(advisory('A-1', { modified: '2023-01-01T00:00:00.000Z', summary: 'older' }), '{}')).toBe('unchanged');
      expect(w.upsert(advisory('A-1', { modified: '2025-01-01T00:00:00.000Z', summary: 'newer', affected: [] }), '{}')).toBe('updated');
      expect(getAdvisory(d, 's', 'A-1')).toMatchObject({ summary: 'newer', affected: [] });

      const v = createAdvisoryWriter(d, 'v');
      expect(v.upsert(advisory('CVE-1'), '{"a":1}', { contentHash: 'h1' })).toBe('added');
      expect(v.upsert(advisory('CVE-1'), '{"a":1}', { contentHash: 'h1' })).toBe('unchanged');
      expect(v.upsert(advisory('CVE-1', { summary: 'x' }), '{"a":2}', { contentHash: 'h2' })).toBe('updated');
      expect(getAdvisory(d, 'v', 'CVE-1')?.raw).toEqual({ a: 2 });
      // sources are separate: the same id in another source is another row
      expect(countAdvisories(d, 's') + countAdvisories(d, 'v')).toBe(2);
    } finally {
      d.close();
    }
  });

  it('deletes what a complete read did not see, with its affected rows', async () => {
    const d = await db();
    try {
      const w = createAdvisoryWriter(d, 's');
      for (const id of ['A-1', 'A-2', 'A-3']) w.upsert(advisory(id), '{}');
      expect(deleteMissing(d, 's', new Set(['A-2']))).toBe(2);
      expect(d.prepare('SELECT COUNT(*) FROM affected').pluck().get()).toBe(1);
      expect(d.prepare('SELECT COUNT(*) FROM advisory_raw').pluck().get()).toBe(1);
    } finally {
      d.close();
    }
  });

  it('saves alias groups as differences and points advisories at their group', async () => {
    const d = await db();
    try {
      const w = createAdvisoryWriter(d, 's');
      w.upsert(advisory('GHSA-1', { aliases: ['CVE-2020-5'] }), '{}');
      w.upsert(advisory('PYSEC-1', { aliases: ['GHSA-1'] }), '{}');
      expect(loadAliasRecords(d)).toEqual([
        { id: 'GHSA-1', aliases: ['CVE-2020-5'] },
        { id: 'PYSEC-1', aliases: ['GHSA-1'] },
      ]);
      const groups = new Map([['GHSA-1', 'CVE-2020-5'], ['CVE-2020-5', 'CVE-2020-5'], ['PYSEC-1', 'CVE-2020-5'], ['OLD', 'OLD']]);
      expect(saveAliasGroups(d, groups)).toBe(2);
      groups.delete('OLD');
      expect(saveAliasGroups(d, groups)).toBe(1);
      expect(groupOf(d, 'OLD')).toBeUndefined();
      expect(groupOf(d, 'PYSEC-1')).toBe('CVE-2020-5');
      expect(d.prepare('SELECT DISTINCT group_id FROM advisories').pluck().all()).toEqual(['CVE-2020-5']);
    } finally {
      d.close();
    }
  });
});
