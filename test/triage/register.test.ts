import { describe, it, expect } from 'vitest';
import { parseRegister, renderRegister } from '../../src/triage/register.js';
import { IcmsError } from '../../src/shared/errors.js';

describe('parseRegister', () => {
  it('reads entries with their lines; ids normalised; numbers kept as written', () => {
    const text = `# register
- id: ghsa-CPH5-m8f7-6c5x
  scope: {project: web, package: axios, version: 1.10}
  reason: internal only
  expires: 2024-06-01
- id: CVE-2022-0155
  kind: false_positive
  scope:
    all_projects: true
  reason: not reachable
  by: bob
`;
    expect(parseRegister(text, 'r.yaml')).toEqual([
      { id: 'GHSA-cph5-m8f7-6c5x', kind: 'accepted', scope: { allProjects: false, project: 'web', package: 'axios', version: '1.10' }, reason: 'internal only', expires: '2024-06-01', line: 2 },
      { id: 'CVE-2022-0155', kind: 'false_positive', scope: { allProjects: true }, reason: 'not reachable', by: 'bob', line: 6 },
    ]);
  });

  it('reads an empty file as no entries', () => {
    expect(parseRegister('', 'r.yaml')).toEqual([]);
    expect(parseRegister('[]\n', 'r.yaml')).toEqual([]);
  });

  it.each([
    // two bad entries: both are named, in one error
    ['a missing reason', '- id: CVE-2021-3749\n  scope: {project: web}\n- id: CVE-2020-28168\n  scope: {project: web}\n  reason: " "\n', '2 bad register entries:\n  r.yaml:1', /reason is required[^]*\n {2}r\.yaml:3: entry 2 \(CVE-2020-28168\): reason is required/],
    ['a bad date', '- id: CVE-2021-3749\n  scope: {project: web}\n  reason: ok\n  expires: 2024-13-01\n', 'r.yaml:4', /expires must be a date/],
    ['a date that does not exist', '- id: CVE-2021-3749\n  scope: {project: web}\n  reason: ok\n- id: CVE-2021-3750\n  scope: {project: web}\n  reason: ok\n  expires: 2023-02-29\n', 'r.yaml:7', /expires must be a date/],
    ['no scope', '- id: CVE-2021-3749\n  reason: ok\n', 'r.yaml:1', /scope must be a mapping/],
    ['both scopes', '- id: CVE-2021-3749\n  scope: {project: web, all_projects: true}\n  reason: ok\n', 'r.yaml:2', /exactly one of project or all_projects/],
    ['a version without a package', '- id: CVE-2021-3749\n  scope: {project: web, version: 1.0.0}\n  reason: ok\n', 'r.yaml:2', /scope.version needs scope.package/],
    ['an unknown kind', '- id: CVE-2021-3749\n  kind: ignored\n  scope: {project: web}\n  reason: ok\n', 'r.yaml:2', /kind must be accepted or false_positive/],
    ['an unknown key', '- id: CVE-2021-3749\n  scope: {project: web}\n  reason: ok\n  owner: me\n', 'r.yaml:4', /unknown key "owner"/],
    ['not a list', 'id: CVE-2021-3749\n', 'r.yaml:1', /expected a YAML list/],
  ])('rejects %s with file:line (exit 2)', (_what, text, where, message) => {
    let err: unknown;
    try {
      parseRegister(text, 'r.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IcmsError);
    expect((err as IcmsError).exitCode).toBe(2);
    expect((err as IcmsError).message.startsWith(`${where}: `)).toBe(true);
    expect((err as IcmsError).message).toMatch(message);
  });

  it('round-trips through renderRegister', () => {
    const entries = parseRegister(`- id: CVE-2021-3749
  kind: accepted
  scope: {project: web, package: axios, version: "1.10"}
  reason: "internal: only admins"
  expires: 2024-06-01
  by: alice
- id: CVE-2022-0155
  kind: false_positive
  scope: {all_projects: true}
  reason: not reachable
`, 'r.yaml');
    const text = renderRegister(entries);
    expect(text).toContain('version: "1.10"');
    expect(parseRegister(text, 'again.yaml').map(({ line: _l, ...e }) => e)).toEqual(entries.map(({ line: _l, ...e }) => e));
  });
});
