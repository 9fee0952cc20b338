import { describe, it, expect } from 'vitest';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../src/db/open.js';
import { replaceInventory } from '../../src/db/projects.js';
import { completeScan, startScan } from '../../src/db/scans.js';
import type { Package } from '../../src/model/types.js';
import { runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const DAY1 = new Date('2026-12-01T06:00:00Z');
const DAY2 = new Date('2026-12-02T06:00:00Z');

const pkg = (ecosystem: string, name: string, version: string, extra: Partial<Package> = {}): Package => ({
  ecosystem, name, version, pkgType: 'x', target: 'lockfile', indirect: false, matchName: name, matchVersion: version, ...extra,
});

/**
 * One project with three packages the fixture OSV records name: actionview 4.2.0 (GHSA-cr3x-7m39-c6jq rates it with
 * RubyGems' numeric cvss_v3 8.8), log4j-core 2.14.1 (GHSA-jfh8-c2jp-5v3q, CVE-2021-44228, KEV-listed) and Debian's
 * lxml 4.3.2-1 (DSA-5043-1 rates nothing; NVD rates CVE-2021-43818).
 */
async function setup(): Promise<{ dir: string; configure: (sources: string[], extra?: string) => void }> {
  const dir = await tmpDir();
  const osv = path.join(dir, 'osv');
  mkdirSync(osv);
  for (const f of ['RubyGems/GHSA-cr3x-7m39-c6jq.json', 'Maven/GHSA-jfh8-c2jp-5v3q.json', 'Debian/DSA-5043-1.json']) cpSync(path.join(FIXTURES, 'osv', f), path.join(osv, path.basename(f)));
  const db = openDb(path.join(dir, 'icms.db'));
  try {
    replaceInventory(db, [{ kind: 'repo', url: 'https://git.example.com/acme/shop', branch: 'main', maintainers: [{ name: 'Dev', email: 'dev@example.com' }], labels: {} }], DAY1, 'test');
    const id = db.prepare('SELECT id FROM projects').pluck().get() as number;
    completeScan(db, id, startScan(db, { projectId: id, startedAt: DAY1 }), [
      pkg('RubyGems', 'actionview', '4.2.0'),
      pkg('Maven', 'org.apache.logging.log4j:log4j-core', '2.14.1'),
      pkg('Debian:10', 'python3-lxml', '4.3.2-1', { srcName: 'lxml', srcVersion: '4.3.2-1', matchName: 'lxml' }),
    ], { finishedAt: DAY1, commitSha: 'abc', durationMs: 1 });
  } finally {
    db.close();
  }
  const all: Record<string, string> = {
    osv: `{name: osv, type: osv, path: ${osv}}`,
    nvd: `{name: nvd, type: nvd, path: ${path.join(FIXTURES, 'nvd/records')}}`,
    kev: `{name: kev, type: kev, path: ${path.join(FIXTURES, 'kev/known_exploited_vulnerabilities.json')}}`,
    epss: `{name: epss, type: epss, path: ${path.join(FIXTURES, 'epss/epss_scores-2026-12-05.csv')}}`,
  };
  const configure = (sources: string[], extra = ''): void =>
    writeFileSync(path.join(dir, 'icms.yaml'), `db: icms.db\nwork_dir: work\nadvisories:\n  sources:\n${sources.map((s) => `    - ${all[s]}`).join('\n')}\n${extra}`);
  return { dir, configure };
}

type Json = Record<string, unknown>;
const byPackage = (stdout: string): Record<string, Json> => Object.fromEntries((JSON.parse(stdout) as { findings: Json[] }).findings.map((f) => [String(f.package), f]));

describe('ratings over the alias group, with provenance', () => {
  it('rates an unrated finding from NVD on the next match, without reopening or re-announcing it, and attaches KEV and EPSS', async () => {
    const { dir, configure } = await setup();
    const cli = (argv: string[], now = DAY1) => runCli(['--config', path.join(dir, 'icms.yaml'), ...argv], { cwd: dir, now: () => now });
    configure(['osv']);
    expect((await cli(['sync-vulns'])).code).toBe(0);
    const before = byPackage((await cli(['match', '--format', 'json'])).stdout);
    expect(before['python3-lxml']).toMatchObject({ severity: 'UNKNOWN', severity_source: null, cvss_score: null, kev: null, epss: null, status: 'new' });
    expect(before.actionview).toMatchObject({ severity: 'HIGH', cvss_score: 8.8, severity_source: 'osv:GHSA-cr3x-7m39-c6jq' });
    expect(before['org.apache.logging.log4j:log4j-core']).toMatchObject({ severity: 'CRITICAL', severity_source: 'osv:GHSA-jfh8-c2jp-5v3q', kev: null });

    configure(['osv', 'nvd', 'kev', 'epss']);
    expect((await cli(['sync-vulns'], DAY2)).code).toBe(0);
    const after = await cli(['match', '--format', 'json'], DAY2);
    const f = byPackage(after.stdout);
    expect(f['python3-lxml']).toMatchObject({ severity: 'HIGH', cvss_score: 7.1, severity_source: 'nvd:CVE-2021-43818 (nvd@nist.gov, Primary)', status: 'open', epss: { cve: 'CVE-2021-43818', score: 0.0061, percentile: 0.6922, date: '2026-12-05' } });
    expect(f['python3-lxml']!.cvss_vector).toMatch(/^CVSS:3\.1\//);
    // the matching advisory's own rating comes first (default severity_order)
    expect(f.actionview).toMatchObject({ severity: 'HIGH', cvss_score: 8.8, severity_source: 'osv:GHSA-cr3x-7m39-c6jq', epss: { score: 0.9387 } });
    expect(f['org.apache.logging.log4j:log4j-core']).toMatchObject({ kev: { cve: 'CVE-2021-44228', date_added: '2021-12-10', due_date: '2021-12-24', ransomware: true } });
    // re-rated, not re-announced: one 'new' event per finding, nothing since
    const db = openDb(path.join(dir, 'icms.db'));
    try {
      expect(db.prepare("SELECT COUNT(*) FROM finding_events WHERE to_status IN ('new', 'reopened')").pluck().get()).toBe(3);
      // the second match only moved each from new to open, as any finding seen again
      expect(db.prepare("SELECT COUNT(*) FROM finding_events WHERE from_status = 'new' AND to_status = 'open'").pluck().get()).toBe(3);
      // and log4j's group became KEV-listed: one event for the security alert, no status change
      expect(db.prepare("SELECT f.package, e.from_status, e.to_status FROM finding_events e JOIN findings f ON f.id = e.finding_id WHERE e.note = 'kev-listed'").all()).toEqual([
        { package: 'org.apache.logging.log4j:log4j-core', from_status: 'open', to_status: 'open' },
      ]);
      expect(db.prepare('SELECT COUNT(*) FROM finding_events').pluck().get()).toBe(7);
    } finally {
      db.close();
    }
    // report JSON carries the same keys
    const report = JSON.parse((await cli(['report', '--format', 'json'], DAY2)).stdout) as { findings: Json[] };
    expect(report.findings.find((x) => x.package === 'python3-lxml')).toMatchObject({ severity_source: 'nvd:CVE-2021-43818 (nvd@nist.gov, Primary)', kev: null });

    // explain shows every rating of the group side by side, which won and why
    const explained = (await cli(['explain', 'CVE-2021-43818'], DAY2)).stdout;
    expect(explained).toContain('ratings (advisories.severity_order: own > ghsa > nvd-primary > nvd-secondary > other):');
    expect(explained).toMatch(/ {4}\* nvd:CVE-2021-43818 \(nvd@nist\.gov, Primary\): HIGH 7\.1 CVSS:3\.1\//);
    expect(explained).toMatch(/ {6}nvd:CVE-2021-43818 \(security-advisories@github\.com, Secondary\): HIGH 8\.2/);
    expect(explained).toMatch(/ {6}osv:DSA-5043-1: UNKNOWN \[matching advisory\]/);
    expect(explained).toContain('- own: osv:DSA-5043-1 rates nothing');
    expect(explained).toContain('- ghsa: no record');
    expect(explained).toMatch(/- nvd-primary: nvd:CVE-2021-43818 \(nvd@nist\.gov, Primary\) rates it HIGH \(CVSS 7\.1\): the first rating in severity_order, so it wins/);
    expect(explained).toContain('exploitation: not in CISA KEV; EPSS 0.0061 (percentile 0.6922, 2026-12-05)');
    const asJson = JSON.parse((await cli(['explain', 'CVE-2021-43818', '--format', 'json'], DAY2)).stdout) as { findings: { rating: { ratings: Json[]; why: string[] } }[] };
    expect(asJson.findings[0]!.rating.ratings.filter((r) => r.won)).toEqual([expect.objectContaining({ record: 'CVE-2021-43818', scorer: 'nvd@nist.gov', nvd_type: 'Primary', counts_as: ['nvd-primary', 'other'] })]);
  });

  it('follows advisories.severity_order: NVD Primary before the matching advisory', async () => {
    const { dir, configure } = await setup();
    configure(['osv', 'nvd']);
    writeFileSync(path.join(dir, 'icms.yaml'), readFileSync(path.join(dir, 'icms.yaml'), 'utf8').replace('advisories:\n', 'advisories:\n  severity_order: [nvd-primary, own]\n'));
    const cli = (argv: string[]) => runCli(['--config', path.join(dir, 'icms.yaml'), ...argv], { cwd: dir, now: () => DAY1 });
    expect((await cli(['sync-vulns'])).code).toBe(0);
    const f = byPackage((await cli(['match', '--format', 'json'])).stdout);
    expect(f.actionview).toMatchObject({ severity: 'HIGH', cvss_score: 8.8, severity_source: 'nvd:CVE-2020-8163 (nvd@nist.gov, Primary)' });
    // the Debian record rates nothing: NVD's Primary v3.1 score, not the GitHub CNA's Secondary 8.2
    expect(f['python3-lxml']).toMatchObject({ cvss_score: 7.1, severity_source: 'nvd:CVE-2021-43818 (nvd@nist.gov, Primary)' });
  });

  it('refuses an unknown severity_order entry', async () => {
    const { dir, configure } = await setup();
    configure(['osv']);
    writeFileSync(path.join(dir, 'icms.yaml'), `db: icms.db\nadvisories:\n  severity_order: [own, redhat]\n`);
    const r = await runCli(['--config', path.join(dir, 'icms.yaml'), 'match'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/advisories\.severity_order: unknown entries redhat/);
  });
});

describe('gates', () => {
  it('--fail-on-kev trips on a KEV-listed finding and says which; an unrated finding counts as triage.unknown_severity', async () => {
    const { dir, configure } = await setup();
    configure(['osv', 'kev']);
    const cli = (argv: string[]) => runCli(['--config', path.join(dir, 'icms.yaml'), ...argv], { cwd: dir, now: () => DAY1 });
    expect((await cli(['sync-vulns'])).code).toBe(0);
    const kev = await cli(['match', '--fail-on-kev']);
    expect(kev.code).toBe(1);
    expect(kev.stderr).toMatch(/gate --fail-on-kev tripped by 1 finding:\n {2}\w+ CVE-2021-44228 org\.apache\.logging\.log4j:log4j-core@2\.14\.1 in \S+ \(explain \d+\) — KEV-listed 2021-12-10\n/);
    // lxml is unrated: with the default unknown_severity (high) it trips --fail-on high ...
    const high = await cli(['match', '--fail-on', 'critical']);
    expect(high.code).toBe(1);
    expect(high.stderr).not.toMatch(/lxml/);
    const strict = await cli(['match', '--fail-on', 'high', '--format', 'json']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/HIGH CVE-2021-43818 \S*lxml@4\.3\.2-1 in \S+ \(explain \d+\) — unrated, counted as HIGH\n/);
    // ... and not when configured to count as low
    writeFileSync(path.join(dir, 'icms.yaml'), `${readFileSync(path.join(dir, 'icms.yaml'), 'utf8')}triage:\n  unknown_severity: low\n`);
    expect((await cli(['match', '--fail-on', 'medium'])).stderr).not.toMatch(/lxml/);
    expect((await cli(['match', '--fail-on', 'unknown'])).stderr).toMatch(/tripped by 3 finding/);
  });

  it('--fail-on-epss trips at or above the threshold', async () => {
    const { dir, configure } = await setup();
    configure(['osv', 'epss']);
    const cli = (argv: string[]) => runCli(['--config', path.join(dir, 'icms.yaml'), ...argv], { cwd: dir, now: () => DAY1 });
    await cli(['sync-vulns']);
    const r = await cli(['match', '--fail-on-epss', '0.5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/gate --fail-on-epss 0\.5 tripped by 1 finding:\n {2}\w+ CVE-2020-8163 actionview@4\.2\.0 in \S+ \(explain \d+\) — EPSS 0\.9387\n/);
    expect((await cli(['match', '--fail-on-epss', '95%'])).code).toBe(0);
    expect((await cli(['match', '--fail-on-epss', '2'])).code).toBe(2);
  });
});
