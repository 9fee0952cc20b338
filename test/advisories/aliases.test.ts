import { describe, it, expect } from 'vitest';
import { canonicalId, groupAliases } from '../../src/advisories/aliases.js';

describe('canonicalId', () => {
  it.each([
    [['GHSA-aaaa-bbbb-cccc', 'CVE-2021-10000', 'CVE-2021-9999'], 'CVE-2021-9999'],
    [['CVE-2022-1', 'CVE-2021-44228'], 'CVE-2021-44228'],
    [['PYSEC-2021-1', 'GHSA-xxxx-yyyy-zzzz', 'GO-2022-0001'], 'GHSA-xxxx-yyyy-zzzz'],
    [['RUSTSEC-2020-0053'], 'RUSTSEC-2020-0053'],
  ])('of %j is %s', (members, expected) => {
    expect(canonicalId(members)).toBe(expected);
  });
});

describe('groupAliases', () => {
  it('closes aliases transitively and names each group by its smallest CVE', () => {
    const groups = groupAliases([
      { id: 'GO-2024-3122', aliases: ['GHSA-q3hw-3gm4-w5cr'] },
      { id: 'GHSA-q3hw-3gm4-w5cr', aliases: ['CVE-2024-45039'] },
      { id: 'PYSEC-2021-368', aliases: ['CVE-2021-32811', 'GHSA-qcx9-j53g-ccgf'] },
      { id: 'RUSTSEC-2020-0053', aliases: [] },
    ]);
    expect(groups.get('GO-2024-3122')).toBe('CVE-2024-45039');
    expect(groups.get('GHSA-q3hw-3gm4-w5cr')).toBe('CVE-2024-45039');
    expect(groups.get('CVE-2024-45039')).toBe('CVE-2024-45039');
    expect(groups.get('GHSA-qcx9-j53g-ccgf')).toBe('CVE-2021-32811');
    expect(groups.get('RUSTSEC-2020-0053')).toBe('RUSTSEC-2020-0053');
    expect(new Set(groups.values()).size).toBe(3);
  });

  it('merges two groups when a later record links them', () => {
    const groups = groupAliases([
      { id: 'A-1', aliases: ['CVE-2020-2'] },
      { id: 'B-1', aliases: ['CVE-2020-1'] },
      { id: 'C-1', aliases: ['A-1', 'B-1'] },
    ]);
    expect(new Set(['A-1', 'B-1', 'C-1', 'CVE-2020-1', 'CVE-2020-2'].map((id) => groups.get(id)))).toEqual(new Set(['CVE-2020-1']));
  });
});
