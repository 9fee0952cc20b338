import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { InvalidRecord, normalizePackageName, parseOsvText } from '../../src/advisories/normalize.js';
import { OSV_DIR, OSV_INVALID_DIR, osvFixtureFiles } from './fixtures.js';

const load = (rel: string) => parseOsvText(readFileSync(path.join(OSV_DIR, rel), 'utf8'), 'osv');

describe('parseOsvText on real records', () => {
  it('accepts every fixture, keeping its id', () => {
    for (const rel of osvFixtureFiles()) {
      const raw = JSON.parse(readFileSync(path.join(OSV_DIR, rel), 'utf8')) as { id: string };
      expect(load(rel).id).toBe(raw.id);
    }
  });

  it('keeps a GHSA last_known_affected_version_range, both CVSS vectors and the GitHub severity', () => {
    const adv = load('npm/GHSA-277h-px4m-62q8.json');
    expect(adv.affected).toHaveLength(1);
    expect(adv.affected[0]).toMatchObject({
      ecosystem: 'npm',
      name: '@saltcorn/server',
      lastKnownAffectedRange: '<= 1.0.0-beta.13',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0.0-beta.14' }] }],
    });
    expect(adv.cvss.map((c) => c.type)).toEqual(['CVSS_V3', 'CVSS_V4']);
    // CVSS:3.1/AV:N/AC:H/PR:H/UI:N/S:U/C:H/I:N/A:N = 4.4 (computed by hand with the v3.1 formulas)
    expect(adv.cvss[0]?.baseScore).toBe(4.4);
    expect(adv.severityText).toBe('MODERATE');
    expect(adv.aliases).toEqual([]);
    expect(adv.modified).toBe('2024-10-03T19:46:12.000Z');
  });

  it('scores CVSS v3 (Log4Shell 10.0 CRITICAL)', () => {
    const adv = load('Maven/GHSA-jfh8-c2jp-5v3q.json');
    // the vector carries a temporal metric (E:H); the base score ignores it
    expect(adv.cvss[0]?.vector).toBe('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/E:H');
    expect(adv.baseScore).toBe(10);
    expect(adv.severity).toBe('CRITICAL');
    expect(adv.aliases).toContain('CVE-2021-44228');
  });

  it("rates a RubyGems advisory-db record by its numeric database_specific.cvss_v3 (no vector)", () => {
    const adv = load('RubyGems/GHSA-cr3x-7m39-c6jq.json');
    expect(adv.baseScore).toBe(8.8);
    expect(adv.severity).toBe('HIGH');
    expect(adv.cvss).toEqual([{ type: 'CVSS_V3', vector: '', baseScore: 8.8, source: 'database_specific.cvss_v3' }]);
  });

  it.each([
    [{ cvss_v4: 6.3 }, 'MEDIUM', 6.3],
    [{ cvss_v2: 7.5, cvss_v3: 5.3 }, 'MEDIUM', 5.3],
    [{ cvss_v2: 9.3 }, 'HIGH', 9.3], // v2 has no CRITICAL
    [{ cvss_v3: 'high' }, 'UNKNOWN', undefined],
    [{ cvss_v3: 11 }, 'UNKNOWN', undefined],
  ])('numeric database_specific %j rates %s', (db, severity, score) => {
    const text = JSON.stringify({ id: 'GHSA-xxxx-xxxx-xxxx', modified: '2024-01-01T00:00:00Z', affected: [], database_specific: db });
    expect(parseOsvText(text, 'osv')).toMatchObject({ severity, baseScore: score });
  });

  it('flags withdrawn records and keeps an affected entry without ranges', () => {
    const adv = load('PyPI/PYSEC-2022-15.json');
    expect(adv.withdrawn).toBe('2022-02-22T16:15:07.000Z');
    expect(adv.affected[0]).toMatchObject({ ecosystem: 'PyPI', name: 'loguru', ranges: [], versions: [] });
  });

  it('normalises PyPI names per PEP 503 and keeps the raw name and purl', () => {
    const adv = load('PyPI/PYSEC-2020-341.json');
    expect(adv.affected[0]).toMatchObject({ name: 'jw-util', rawName: 'jw.util', purl: 'pkg:pypi/jw-util' });
  });

  it('keeps GIT ranges with their repo next to ECOSYSTEM ranges', () => {
    const adv = load('PyPI/PYSEC-2017-72.json');
    const types = adv.affected[0]?.ranges.map((r) => r.type);
    expect(types).toEqual(['GIT', 'ECOSYSTEM']);
    expect(adv.affected[0]?.ranges[0]?.repo).toMatch(/^https:\/\//);
  });

  it('keeps distro ecosystem suffixes and AlmaLinux related CVEs out of the aliases', () => {
    expect(new Set(load('Alpine/ALPINE-CVE-2022-41860.json').affected.map((a) => a.ecosystem))).toEqual(
      new Set(['Alpine:v3.15', 'Alpine:v3.16']),
    );
    expect(new Set(load('Debian/DSA-5037-1.json').affected.map((a) => a.ecosystem))).toEqual(new Set(['Debian:10', 'Debian:11']));
    const alma = load('AlmaLinux/ALSA-2024_3043.json');
    expect(alma.affected.every((a) => a.ecosystem === 'AlmaLinux:8')).toBe(true);
    expect(alma.aliases).toEqual([]);
    expect((alma.raw as { related?: string[] }).related?.length).toBeGreaterThan(0);
  });

  it('accepts the 0001-01-01 placeholder as a modified time', () => {
    expect(load('PyPI/PYSEC-2024-55.json').modified).toBe('0001-01-01T00:00:00.000Z');
  });
});

describe('normalizePackageName', () => {
  it.each([
    ['PyPI', 'Flask_SQLAlchemy', 'flask-sqlalchemy'],
    ['PyPI', 'zope.interface', 'zope-interface'],
    ['any', 'uWSGI', 'uwsgi'],
    ['npm', 'JSONStream', 'JSONStream'],
    ['Maven', 'org.apache.logging.log4j:log4j-core', 'org.apache.logging.log4j:log4j-core'],
  ])('%s %s -> %s', (eco, name, expected) => {
    expect(normalizePackageName(eco, name)).toBe(expected);
  });
});

describe('parseOsvText on broken records', () => {
  const reasons: Record<string, RegExp> = {
    'bad-json.json': /invalid JSON/,
    'missing-id.json': /missing "id"/,
    'missing-modified.json': /missing or invalid "modified"/,
    'no-introduced.json': /without "introduced"/,
    'fixed-and-last-affected.json': /both "fixed" and "last_affected"/,
    'unknown-range-type.json': /unknown range type "SEMVER2"/,
  };
  it('covers every invalid fixture', () => {
    expect(readdirSync(OSV_INVALID_DIR).filter((f) => f.endsWith('.json')).sort()).toEqual(Object.keys(reasons).sort());
  });
  it.each(Object.entries(reasons))('%s is rejected: %s', (file, reason) => {
    const text = readFileSync(path.join(OSV_INVALID_DIR, file), 'utf8');
    expect(() => parseOsvText(text, 'osv')).toThrow(InvalidRecord);
    expect(() => parseOsvText(text, 'osv')).toThrow(reason);
  });
});
