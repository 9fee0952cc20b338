import { describe, expect, it } from 'vitest';
import { reasonSentences } from '../../src/model/match-reason.js';

describe('match reason sentences (explain, dashboard and mail say it one way)', () => {
  it('phrases a range, an explicit versions list and a name-only match', () => {
    const out = reasonSentences([
      { id: 'GHSA-xxxx', source: 'osv', fixed: '1.2.3', reason: { kind: 'range', rangeType: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2.3' }], scheme: 'npm' } },
      { id: 'PYSEC-1', source: 'osv', reason: { kind: 'versions', scheme: 'pep440' } },
      { id: 'CVE-1', source: 'vtopia', reason: { kind: 'exact-any', note: 'every version (CVE Manager lists no range)' } },
    ]);
    expect(out).toEqual([
      'because GHSA-xxxx (osv): ECOSYSTEM range [introduced 0, fixed 1.2.3] ordered by npm; fixed in 1.2.3',
      'because PYSEC-1 (osv): version listed explicitly in the advisory (pep440)',
      'because CVE-1 (vtopia): every version (CVE Manager lists no range)',
    ]);
  });
  it('says which bound closed an open range and skips what is not a verdict', () => {
    const out = reasonSentences([{ id: 'GHSA-y', source: 'osv', reason: { kind: 'range', rangeType: 'SEMVER', events: [{ introduced: '0' }], scheme: 'semver', via: 'last_known_affected_version_range' } }, 'junk', null]);
    expect(out).toEqual(['because GHSA-y (osv): SEMVER range [introduced 0] ordered by semver (closed by last_known_affected_version_range)']);
    expect(reasonSentences({ not: 'a list' })).toEqual([]);
  });
});
