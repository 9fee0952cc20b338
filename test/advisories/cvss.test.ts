import { describe, it, expect } from 'vitest';
import { cvssBaseScore, rateAdvisory, severityFromScore, severityFromText } from '../../src/advisories/cvss.js';

// Expected scores checked by hand against the FIRST specifications / calculators (v2 guide §3.2.1, v3.1 §7, v4.0 lookup).
describe('cvssBaseScore', () => {
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    ['CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:H/I:N/A:N', 4.4],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5],
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C', 10],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3],
  ])('%s = %s', (vector, score) => {
    expect(cvssBaseScore(vector)).toBe(score);
  });

  it.each([
    // NSWG-ECO-504's vector upstream: "U" is no value of I or A
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:U/A:U',
    // a base metric missing
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H',
    'not a vector',
    '',
  ])('has no score for %j', (vector) => {
    expect(cvssBaseScore(vector)).toBeUndefined();
  });
});

describe('severity', () => {
  it.each([
    [0, 3, 'NONE'],
    [3.9, 3, 'LOW'],
    [4, 3, 'MEDIUM'],
    [6.9, 4, 'MEDIUM'],
    [7, 3, 'HIGH'],
    [8.9, 4, 'HIGH'],
    [9, 3, 'CRITICAL'],
    [3.9, 2, 'LOW'],
    [4, 2, 'MEDIUM'],
    [7, 2, 'HIGH'],
    [10, 2, 'HIGH'],
  ] as const)('score %s under CVSS v%s is %s', (score, version, band) => {
    expect(severityFromScore(score, version)).toBe(band);
  });

  it.each([
    ['MODERATE', 'MEDIUM'],
    ['Important', 'HIGH'],
    ['critical', 'CRITICAL'],
    ['High', 'HIGH'],
    ['negligible', 'LOW'],
    ['whatever', 'UNKNOWN'],
    [undefined, 'UNKNOWN'],
  ] as const)('text %s is %s', (text, band) => {
    expect(severityFromText(text)).toBe(band);
  });

  it('takes the worst band over all vectors, keeps every vector, and falls back to the text only without a score', () => {
    const rated = rateAdvisory(
      [
        { type: 'CVSS_V2', vector: 'AV:N/AC:L/Au:N/C:C/I:C/A:C' },
        { type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
        { type: 'CVSS_V3', vector: 'CVSS:3.1/broken' },
      ],
      'LOW',
    );
    expect(rated.severity).toBe('CRITICAL');
    expect(rated.baseScore).toBe(10);
    expect(rated.cvss.map((c) => c.baseScore)).toEqual([10, 9.8, undefined]);
    expect(rateAdvisory([{ type: 'CVSS_V3', vector: 'CVSS:3.1/broken' }], 'MODERATE').severity).toBe('MEDIUM');
    expect(rateAdvisory([], undefined).severity).toBe('UNKNOWN');
  });
});
