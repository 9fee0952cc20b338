import { describe, it, expect } from 'vitest';
import { evaluateAffected } from '../../src/matcher/affected.js';
import { ecosystemKey } from '../../src/matcher/match.js';
import { schemeFor } from '../../src/versions/index.js';
import type { AffectedEntry, OsvRange } from '../../src/model/types.js';

const entry = (ranges: OsvRange[], versions: string[] = [], lastKnownAffectedRange?: string): AffectedEntry => ({
  ecosystem: 'npm',
  name: 'pkg',
  rawName: 'pkg',
  ranges,
  versions,
  lastKnownAffectedRange,
});
const eco = (...events: OsvRange['events']): OsvRange => ({ type: 'ECOSYSTEM', events });
const npm = schemeFor('npm');

// Cases follow the OSV schema v1.7 "Evaluation" section; each row: version, entry, affected?, fixed suggestion.
describe('evaluateAffected (OSV evaluation)', () => {
  it.each<[string, string, AffectedEntry, boolean, string | undefined]>([
    ['introduced 0 covers everything below fixed', '0.0.1', entry([eco({ introduced: '0' }, { fixed: '1.2.0' })]), true, '1.2.0'],
    ['fixed is exclusive', '1.2.0', entry([eco({ introduced: '0' }, { fixed: '1.2.0' })]), false, undefined],
    ['below introduced', '0.9.9', entry([eco({ introduced: '1.0.0' }, { fixed: '1.2.0' })]), false, undefined],
    ['introduced is inclusive', '1.0.0', entry([eco({ introduced: '1.0.0' }, { fixed: '1.2.0' })]), true, '1.2.0'],
    ['last_affected is inclusive', '1.4.0', entry([eco({ introduced: '1.0.0' }, { last_affected: '1.4.0' })]), true, undefined],
    ['above last_affected', '1.4.1', entry([eco({ introduced: '1.0.0' }, { last_affected: '1.4.0' })]), false, undefined],
    ['unsorted events are sorted by the scheme', '2.5.0', entry([eco({ fixed: '3.0.0' }, { introduced: '2.0.0' }, { fixed: '1.5.0' }, { introduced: '0' })]), true, '3.0.0'],
    ['between two intervals of one range', '1.7.0', entry([eco({ fixed: '3.0.0' }, { introduced: '2.0.0' }, { fixed: '1.5.0' }, { introduced: '0' })]), false, undefined],
    ['several ranges: the second matches', '5.1.0', entry([eco({ introduced: '0' }, { fixed: '1.0.0' }), eco({ introduced: '5.0.0' }, { fixed: '5.2.0' })]), true, '5.2.0'],
    ['open-ended introduced', '99.0.0', entry([eco({ introduced: '4.0.0' })]), true, undefined],
    ['limit bounds from above (exclusive)', '2.0.0', entry([eco({ introduced: '0' }, { limit: '2.0.0' })]), false, undefined],
    ['below limit', '1.9.9', entry([eco({ introduced: '0' }, { limit: '2.0.0' })]), true, undefined],
    ['prerelease orders before release (semver)', '1.2.0-rc.1', entry([eco({ introduced: '0' }, { fixed: '1.2.0' })]), true, '1.2.0'],
    ['GIT range skipped, ECOSYSTEM range still decides', '1.1.0', entry([{ type: 'GIT', repo: 'https://x', events: [{ introduced: 'abc123' }] }, eco({ introduced: '1.0.0' }, { fixed: '1.3.0' })]), true, '1.3.0'],
    ['versions list only', '0.3.1', entry([], ['0.3.0', '0.3.1']), true, undefined],
    ['versions list, not listed', '0.3.2', entry([], ['0.3.0', '0.3.1']), false, undefined],
    ['GHSA last_known_affected_version_range <= closes an open range', '2.1.0', entry([eco({ introduced: '2.0.0' })], [], '<= 2.0.5'), false, undefined],
    ['GHSA last_known_affected_version_range <= includes its bound', '2.0.5', entry([eco({ introduced: '2.0.0' })], [], '<= 2.0.5'), true, undefined],
    ['GHSA last_known_affected_version_range < is exclusive', '2.0.5', entry([eco({ introduced: '2.0.0' })], [], '< 2.0.5'), false, undefined],
    ['exclusive start (CVE Manager versionStartExcluding): the bound itself is not affected', '2.2.0', entry([{ ...eco({ introduced: '2.2.0' }, { fixed: '2.7.0' }), database_specific: { start_excluding: '2.2.0' } }]), false, undefined],
    ['exclusive start: just above the bound is affected', '2.2.1', entry([{ ...eco({ introduced: '2.2.0' }, { fixed: '2.7.0' }), database_specific: { start_excluding: '2.2.0' } }]), true, '2.7.0'],
  ])('%s: %s', (_name, version, e, affected, fixed) => {
    const v = evaluateAffected(version, e, npm);
    expect(v.affected).toBe(affected);
    expect(v.fixed).toBe(fixed);
    expect(v.problems).toEqual([]);
  });

  it('records which range and events decided', () => {
    const v = evaluateAffected('1.1.0', entry([eco({ introduced: '1.0.0' }, { fixed: '1.3.0' })]), npm);
    expect(v.reason).toEqual({ kind: 'range', rangeType: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { fixed: '1.3.0' }], scheme: 'npm' });
    const lk = evaluateAffected('2.0.1', entry([eco({ introduced: '2.0.0' })], [], '<= 2.0.5'), npm);
    expect(lk.reason?.via).toBe('last_known_affected_version_range');
  });

  it('an event version the scheme rejects makes that range a problem, not a string match', () => {
    const v = evaluateAffected('1.0.0', entry([eco({ introduced: '0' }, { fixed: 'not-a-version' }), eco({ introduced: '0.5.0' }, { fixed: '2.0.0' })]), npm);
    expect(v.affected).toBe(true);
    expect(v.problems[0]).toMatch(/"not-a-version" is not a valid npm version/);
  });

  // OSV allows "*" only as `limit`; elsewhere it once crashed the whole match ("Invalid Version: *", issue 15 item 1)
  it.each<[string, AffectedEntry]>([
    ['last_affected "*"', entry([eco({ introduced: '0' }, { last_affected: '*' })])],
    ['fixed "*"', entry([eco({ introduced: '0' }, { fixed: '*' })])],
    ['introduced "*"', entry([eco({ introduced: '*' })])],
    ['GHSA last_known_affected_version_range "<= *"', entry([eco({ introduced: '0' })], [], '<= *')],
  ])('%s makes that range a problem instead of throwing', (_name, e) => {
    for (const scheme of [npm, schemeFor('PyPI'), schemeFor('Maven'), schemeFor('Go')]) {
      const v = evaluateAffected('1.0.0', { ...e, ecosystem: scheme.ecosystem }, scheme);
      expect(v.affected).toBe(false);
      expect(v.problems).toHaveLength(1);
      expect(v.problems[0]).toMatch(/"\*" is not a valid .* \("\*" is allowed only as "limit"\)/);
    }
  });

  it('"*" as limit still means no upper bound, and the other ranges of an entry still decide', () => {
    expect(evaluateAffected('9.9.9', entry([eco({ introduced: '1.0.0' }, { limit: '*' })]), npm)).toMatchObject({ affected: true, problems: [] });
    const mixed = evaluateAffected('1.5.0', entry([eco({ introduced: '0' }, { fixed: '*' }), eco({ introduced: '1.0.0' }, { fixed: '2.0.0' })]), npm);
    expect(mixed).toMatchObject({ affected: true, fixed: '2.0.0' });
    expect(mixed.problems).toHaveLength(1);
  });

  it('orders by the ecosystem, not by strings: PyPI post-release 1.0-1 is after 1.0', () => {
    const pypi = schemeFor('PyPI');
    const e: AffectedEntry = { ...entry([eco({ introduced: '0' }, { fixed: '1.0.post1' })]), ecosystem: 'PyPI' };
    expect(evaluateAffected('1.0', e, pypi).affected).toBe(true);
    expect(evaluateAffected('1.0-1', e, pypi).affected).toBe(false); // 1.0-1 == 1.0.post1
  });

  it('orders Debian epochs: 1:1.0-1 is above 2.0-1', () => {
    const deb = schemeFor('Debian:11');
    const e: AffectedEntry = { ...entry([eco({ introduced: '0' }, { fixed: '2.0-1' })]), ecosystem: 'Debian:11' };
    expect(evaluateAffected('1.9-1', e, deb).affected).toBe(true);
    expect(evaluateAffected('1:1.0-1', e, deb).affected).toBe(false);
  });

  it('orders Go pseudo-versions before their release (SEMVER range)', () => {
    const go = schemeFor('Go');
    const e: AffectedEntry = { ...entry([{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.0.0-20220314234659-1baeb1ce4c0b' }] }]), ecosystem: 'Go' };
    expect(evaluateAffected('0.0.0-20210220032944-ac19c3e999fb', e, go).affected).toBe(true);
    expect(evaluateAffected('0.0.0-20220315000000-aaaaaaaaaaaa', e, go).affected).toBe(false);
  });
});

describe('ecosystemKey', () => {
  it.each([
    ['Ubuntu:22.04:LTS', 'Ubuntu:22.04'],
    ['Ubuntu:22.04', 'Ubuntu:22.04'],
    ['Red Hat:enterprise_linux:8::appstream', 'Red Hat:enterprise_linux:8'],
    ['Red Hat:enterprise_linux:8', 'Red Hat:enterprise_linux:8'],
    ['Debian:11', 'Debian:11'],
    ['npm', 'npm'],
  ])('%s -> %s', (eco, key) => expect(ecosystemKey(eco)).toBe(key));
});
