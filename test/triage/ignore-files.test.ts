import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseIgnoreFile } from '../../src/triage/ignore-files.js';
import { parseVexFile } from '../../src/triage/vex-import.js';
import { appendToRegister } from '../../src/triage/register-append.js';
import { parseRegister } from '../../src/triage/register.js';
import type { PurlResolver } from '../../src/triage/imported.js';
import { ExitCode } from '../../src/shared/errors.js';

const DIR = path.resolve(import.meta.dirname, '../../fixtures/ignore-files');
const read = (f: string) => readFileSync(path.join(DIR, f), 'utf8');
/** A stand-in resolver with the names icms gives these purls (the real one is tested through the CLI). */
const resolve: PurlResolver = (purl) => ({
  'pkg:deb/debian/libssl1.1': { name: 'libssl1.1' },
  'pkg:maven/org.springframework/spring-web@5.3.20': { name: 'org.springframework:spring-web', version: '5.3.20' },
  'pkg:npm/%40babel/core@7.22.0': { name: '@babel/core', version: '7.22.0' },
})[purl];

describe('ignore files of other scanners, read as each tool reads them', () => {
  it('.trivyignore: ids per line, exp: dates, trailing comments as reason; misconfiguration and secret rules skipped', () => {
    const r = parseIgnoreFile('trivyignore', read('.trivyignore'), '.trivyignore', resolve);
    expect(r.entries).toEqual([
      { id: 'CVE-2018-14618', kind: 'accepted', reason: 'from .trivyignore:2', expires: undefined },
      { id: 'CVE-2019-14697', kind: 'accepted', reason: 'from .trivyignore:5', expires: '2099-01-01' },
      { id: 'CVE-2017-0001', kind: 'accepted', reason: 'from .trivyignore:8', expires: '2020-01-01' },
      { id: 'CVE-2019-1543', kind: 'accepted', reason: 'from .trivyignore:11: openssl is only used for client TLS', expires: undefined },
    ]);
    expect(r.skipped).toEqual([
      '.trivyignore:14: AVD-DS-0002 is not a vulnerability id (misconfiguration, secret or licence rule)',
      '.trivyignore:17: generic-unwanted-rule is not a vulnerability id (misconfiguration, secret or licence rule)',
      '.trivyignore:18: aws-account-id is not a vulnerability id (misconfiguration, secret or licence rule)',
    ]);
  });

  it('.trivyignore.yaml: statement as reason, expired_at, purls as package scope, paths named in the reason', () => {
    const r = parseIgnoreFile('trivyignore', read('trivyignore.yaml'), 'trivyignore.yaml', resolve);
    expect(r.entries.map((e) => [e.id, e.package ?? '-', e.version ?? '-', e.expires ?? '-'])).toEqual([
      ['CVE-2022-40897', '-', '-', '-'],
      ['CVE-2023-2650', '-', '-', '-'],
      ['CVE-2023-3446', 'libssl1.1', '-', '2099-09-01'],
      ['CVE-2023-3817', 'org.springframework:spring-web', '5.3.20', '-'],
      ['CVE-2023-3817', '@babel/core', '7.22.0', '-'],
    ]);
    expect(r.entries[0]!.reason).toBe('from trivyignore.yaml:2: Accept the risk (trivy limited it to usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA; icms scopes by project and package)');
    expect(r.skipped).toEqual(['trivyignore.yaml: misconfigurations (2) are not vulnerabilities', 'trivyignore.yaml: secrets (2) are not vulnerabilities', 'trivyignore.yaml: licenses (1) are not vulnerabilities']);
  });

  it('osv-scanner.toml: [[IgnoredVulns]] with ignoreUntil (TOML date or date-time) and reason; package overrides skipped', () => {
    const r = parseIgnoreFile('osv-scanner', read('osv-scanner.toml'), 'osv-scanner.toml', resolve);
    expect(r.entries).toEqual([
      { id: 'GO-2022-0968', kind: 'accepted', reason: 'from osv-scanner.toml [[IgnoredVulns]] #1: No ssh servers are connected to or hosted in Go lang', expires: undefined },
      { id: 'GO-2022-1059', kind: 'accepted', reason: 'from osv-scanner.toml [[IgnoredVulns]] #2: No external http servers are written in Go lang.', expires: '2099-11-09' },
      { id: 'GHSA-cph5-m8f7-6c5x', kind: 'accepted', reason: 'from osv-scanner.toml [[IgnoredVulns]] #3: ReDoS only reachable from trusted admin input', expires: '2099-01-01' },
    ]);
    expect(r.skipped).toEqual(['osv-scanner.toml: 1 [[PackageOverrides]] ignore whole packages, not vulnerabilities; accept those by id']);
  });

  it('.grype.yaml: rules by vulnerability (package name/version as scope, vex-status not_affected as false positive); package-only rules skipped', () => {
    const r = parseIgnoreFile('grype', read('grype.yaml'), 'grype.yaml', resolve);
    expect(r.entries).toEqual([
      { id: 'CVE-2008-4318', kind: 'accepted', package: 'libcurl', version: '1.5.1', reason: 'from grype.yaml:3: location /usr/local/lib/node_modules/**' },
      { id: 'CVE-2014-54321', kind: 'accepted', package: undefined, version: undefined, reason: 'from grype.yaml:12' },
      { id: 'GHSA-74fj-2j2h-c42q', kind: 'false_positive', package: 'follow-redirects', version: undefined, reason: 'from grype.yaml:19: no cookies are sent on redirects; vulnerable_code_not_in_execute_path' },
    ]);
    expect(r.skipped).toEqual(['grype.yaml:15: a rule without a vulnerability (by package, fix-state or location) has no register equivalent']);
  });

  it.each([
    ['trivyignore', 'CVE-2020-1 exp:2020-13-01\n', '.trivyignore', /\.trivyignore:1: exp:2020-13-01 is not a date/],
    ['osv-scanner', '[[IgnoredVulns]\nid = 1', 'osv-scanner.toml', /osv-scanner\.toml: invalid TOML/],
    ['grype', 'ignore: {vulnerability: CVE-1}\n', '.grype.yaml', /\.grype\.yaml:1: ignore must be a list/],
  ] as const)('%s: a broken file is an input error naming where', (format, text, name, message) => {
    expect(() => parseIgnoreFile(format, text, name, resolve)).toThrow(expect.objectContaining({ exitCode: ExitCode.Usage, message: expect.stringMatching(message) }));
  });
});

describe('VEX documents from suppliers', () => {
  it('OpenVEX: not_affected statements become false positives on the subcomponent packages; other statuses are skipped', () => {
    const doc = {
      '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'https://openvex.dev/docs/public/vex-1', author: 'ACME PSIRT', timestamp: '2024-01-01T00:00:00Z', version: 1,
      statements: [
        { vulnerability: { name: 'CVE-2023-3817' }, products: [{ '@id': 'pkg:oci/app@sha256%3Aabc', subcomponents: [{ '@id': 'pkg:npm/%40babel/core@7.22.0' }] }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', impact_statement: 'never parses user input' },
        { vulnerability: { name: 'CVE-2023-2650' }, status: 'affected', action_statement: 'upgrade' },
      ],
    };
    const r = parseVexFile('openvex', JSON.stringify(doc), 'acme.vex.json', resolve);
    expect(r.entries).toEqual([{ id: 'CVE-2023-3817', kind: 'false_positive', package: '@babel/core', version: '7.22.0', reason: 'VEX from ACME PSIRT (acme.vex.json statement #1): vulnerable_code_not_in_execute_path: never parses user input' }]);
    expect(r.skipped).toEqual(['acme.vex.json statement #2 (CVE-2023-2650): status affected is not a reason to silence a finding']);
  });

  it('a document of the other kind is an input error', () => {
    expect(() => parseVexFile('openvex', '{"bomFormat":"CycloneDX"}', 'x.json', resolve)).toThrow(/x\.json: not an OpenVEX document/);
    expect(() => parseVexFile('cyclonedx-vex', '{"@context":"https://openvex.dev/ns/v0.2.0"}', 'x.json', resolve)).toThrow(/x\.json: not a CycloneDX document/);
  });
});

describe('appendToRegister: the user keeps the register', () => {
  const existing = '# our register\n- id: CVE-2021-3749\n  kind: accepted   # keep this comment\n  scope: {project: web}\n  reason: internal only\n';
  const entry = (id: string) => ({ id, kind: 'accepted' as const, scope: { allProjects: false, project: 'web' }, reason: 'from .trivyignore:2' });

  it('keeps what is there byte for byte, appends new entries under a comment, skips ones already there', () => {
    const r = appendToRegister(existing, [entry('CVE-2021-3749'), entry('CVE-2018-14618')], 'register.yaml', 'imported from .trivyignore');
    expect(r).toMatchObject({ added: 1, duplicates: 1 });
    expect(r.text.startsWith(existing)).toBe(true);
    expect(r.text.slice(existing.length)).toBe('\n# imported from .trivyignore\n- id: CVE-2018-14618\n  kind: accepted\n  scope:\n    project: web\n  reason: from .trivyignore:2\n');
    expect(parseRegister(r.text, 'register.yaml').map((e) => e.id)).toEqual(['CVE-2021-3749', 'CVE-2018-14618']);
  });

  it('an empty exported register ([]) becomes a list; nothing new leaves the text as it was', () => {
    const empty = '# Accepted vulnerabilities\n[]\n';
    expect(parseRegister(appendToRegister(empty, [entry('CVE-1')], 'r.yaml', 'x').text, 'r.yaml')).toHaveLength(1);
    expect(appendToRegister(existing, [entry('CVE-2021-3749')], 'r.yaml', 'x')).toEqual({ text: existing, added: 0, duplicates: 1 });
  });
});
