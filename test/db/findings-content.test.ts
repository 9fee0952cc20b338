/**
 * saveFindings serialises the part of a finding that projects share once per (group, package version) and reuses it
 * only when it is equal: each stored row must hold exactly the JSON of its own finding.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/open.js';
import { listProjects, replaceInventory } from '../../src/db/projects.js';
import { startRun } from '../../src/db/runs.js';
import { listFindings } from '../../src/db/findings.js';
import { saveFindings } from '../../src/db/finding-writer.js';
import type { FindingAdvisory, MatchedFinding } from '../../src/model/match.js';
import { tmpDir } from '../helpers/tmp.js';

const NOW = new Date('2025-04-01T06:00:00Z');

const advisory = (id: string, fixed: string): FindingAdvisory => ({
  id, source: 'osv', severity: 'HIGH', baseScore: 7.5, fixed, reason: { kind: 'range', rangeType: 'SEMVER', events: [{ introduced: '0' }, { fixed }], scheme: 'npm' },
});

describe('finding content', () => {
  it('each row holds its own finding: shared parts are reused only when equal', async () => {
    const db = openDb(path.join(await tmpDir(), 'icms.db'));
    try {
      replaceInventory(db, ['a', 'b', 'c', 'd'].map((n) => ({ kind: 'repo' as const, url: `https://git.example.com/acme/${n}`, branch: 'main', maintainers: [], labels: {} })), NOW, 'test');
      const [a, b, c, d] = listProjects(db).map((p) => p.id) as [number, number, number, number];
      const shared = advisory('GHSA-aaaa-bbbb-cccc', '1.2.0');
      const base = { groupId: 'CVE-2024-0001', ecosystem: 'npm', package: 'left-pad', version: '1.0.0', severity: 'HIGH' as const, cvssScore: 7.5, cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', fixedVersion: '1.2.0' };
      const findings: MatchedFinding[] = [
        { ...base, projectId: a, advisories: [shared], aliases: ['GHSA-aaaa-bbbb-cccc', 'CVE-2024-0001'], targets: ['package-lock.json'] },
        // same key and the same verdict object: shares the serialised part, its own targets
        { ...base, projectId: b, advisories: [shared], aliases: ['GHSA-aaaa-bbbb-cccc', 'CVE-2024-0001'], targets: ['web/package-lock.json', 'api/package-lock.json'] },
        // same key, one more advisory in the group and a higher fix: must not reuse a's part
        { ...base, projectId: c, advisories: [shared, advisory('OSV-2024-9', '1.3.0')], aliases: ['GHSA-aaaa-bbbb-cccc', 'CVE-2024-0001', 'OSV-2024-9'], fixedVersion: '1.3.0', targets: ['package-lock.json'] },
        // same key, equal content in a different object, another rating
        { ...base, projectId: d, advisories: [advisory('GHSA-aaaa-bbbb-cccc', '1.2.0')], aliases: ['GHSA-aaaa-bbbb-cccc', 'CVE-2024-0001'], severity: 'CRITICAL', cvssScore: 9.8, targets: ['package-lock.json'] },
      ];
      saveFindings(db, findings, { now: NOW, runId: startRun(db, { command: 'match', at: NOW }), projectIds: [a, b, c, d] });
      const rows = db.prepare('SELECT project_id, advisory_ids, aliases, cvss_vector, severity, cvss_score, fixed_version, targets, reason, details_id FROM findings_full ORDER BY project_id').all() as Record<string, unknown>[];
      expect(rows).toHaveLength(4);
      for (const [i, f] of findings.entries()) {
        const r = rows[i]!;
        expect(r.project_id).toBe(f.projectId);
        expect(r.advisory_ids).toBe(JSON.stringify(f.advisories.map((x) => x.id)));
        expect(r.aliases).toBe(JSON.stringify(f.aliases));
        expect(r.reason).toBe(JSON.stringify(f.advisories));
        expect(r.cvss_vector).toBe(f.cvssVector);
        expect(r.severity).toBe(f.severity);
        expect(r.cvss_score).toBe(f.cvssScore);
        expect(r.fixed_version).toBe(f.fixedVersion);
        expect(r.targets).toBe(JSON.stringify(f.targets));
      }
      // the advisory text is stored once per distinct text: a, b and d (an equal verdict in another object) share one
      expect(rows.map((r) => r.details_id)).toEqual([rows[0]!.details_id, rows[0]!.details_id, rows[2]!.details_id, rows[0]!.details_id]);
      expect(rows[2]!.details_id).not.toBe(rows[0]!.details_id);
      expect(db.prepare('SELECT COUNT(*) FROM finding_details').pluck().get()).toBe(2);

      // read back: equal texts share one parsed, frozen value; values are what was stored
      const listed = listFindings(db).sort((x, y) => x.projectId - y.projectId);
      expect(listed.map((f) => f.reason)).toEqual(findings.map((f) => JSON.parse(JSON.stringify(f.advisories)) as unknown));
      expect(listed[0]!.reason).toBe(listed[1]!.reason);
      expect(listed[0]!.aliases).toBe(listed[1]!.aliases);
      expect(listed[2]!.reason).not.toBe(listed[0]!.reason);
      expect(Object.isFrozen(listed[0]!.reason)).toBe(true);
      expect(() => (listed[0]!.aliases as string[]).push('x')).toThrow(TypeError);

      // the next run: c's extra advisory is gone, so c now uses the shared text and its old text is deleted;
      // nothing else is rewritten (same content: only last_seen moves)
      const later = new Date(NOW.getTime() + 86_400_000);
      const next = findings.map((f) => (f.projectId === c ? { ...findings[0]!, projectId: c } : f));
      saveFindings(db, next, { now: later, runId: startRun(db, { command: 'match', at: later }), projectIds: [a, b, c, d] });
      const after = db.prepare('SELECT project_id, details_id, reason, status, last_seen FROM findings_full ORDER BY project_id').all() as Record<string, unknown>[];
      expect(after.map((r) => r.details_id)).toEqual([rows[0]!.details_id, rows[0]!.details_id, rows[0]!.details_id, rows[0]!.details_id]);
      expect(after[2]!.reason).toBe(JSON.stringify([shared]));
      expect(after.map((r) => r.status)).toEqual(['open', 'open', 'open', 'open']);
      expect(after.every((r) => r.last_seen === later.toISOString())).toBe(true);
      expect(db.prepare('SELECT id FROM finding_details').pluck().all()).toEqual([rows[0]!.details_id]);
    } finally {
      db.close();
    }
  });
});
