import { describe, it, expect } from 'vitest';
import { attentionOrder, bySeverity } from '../../src/report/model.js';
import type { DigestRow } from '../../src/notify/digest.js';
import { byPriority } from '../../src/notify/todo.js';
import type { Severity } from '../../src/model/types.js';

const kev = { date_added: '2024-01-01', due_date: null, ransomware: false, cve: 'CVE-2024-1' };
const epss = (score: number) => ({ score, percentile: 0.5, date: '2026-12-05', cve: 'CVE-2024-1' });
const row = (groupId: string, severity: Severity, extra: { kev?: typeof kev; epss?: ReturnType<typeof epss> } = {}) => ({ groupId, severity, project: 'p', package: 'x', kev: extra.kev ?? null, epss: extra.epss ?? null });

describe('order of attention', () => {
  it.each([
    ['KEV-listed before any severity', [row('A', 'CRITICAL'), row('B', 'MEDIUM', { kev })], ['B', 'A']],
    ['then most severe', [row('A', 'LOW', { epss: epss(0.9) }), row('B', 'HIGH')], ['B', 'A']],
    ['then the higher EPSS score', [row('A', 'HIGH', { epss: epss(0.1) }), row('B', 'HIGH', { epss: epss(0.7) }), row('C', 'HIGH')], ['B', 'A', 'C']],
  ])('report: %s', (_name, rows, order) => {
    expect([...rows].sort(bySeverity).map((r) => r.groupId)).toEqual(order);
  });

  it('orders on the environmental re-score when that is the basis', () => {
    const rows = [{ ...row('A', 'HIGH'), envSeverity: 'LOW' as Severity }, { ...row('B', 'MEDIUM'), envSeverity: 'CRITICAL' as Severity }];
    expect([...rows].sort(attentionOrder((f) => (f as (typeof rows)[number]).envSeverity)).map((r) => r.groupId)).toEqual(['B', 'A']);
    expect([...rows].sort(bySeverity).map((r) => r.groupId)).toEqual(['A', 'B']);
  });

  it('digest and alert rows follow the same order', () => {
    const base = { ageDays: 1, envSeverity: null } as unknown as DigestRow;
    const rows = [row('A', 'CRITICAL'), row('B', 'LOW', { kev }), row('C', 'CRITICAL', { epss: epss(0.5) })].map((r) => ({ ...base, ...r }) as DigestRow);
    expect(rows.sort(byPriority).map((r) => r.groupId)).toEqual(['B', 'C', 'A']);
  });
});
