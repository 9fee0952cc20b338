import { describe, it, expect } from 'vitest';
import { parseInventoryYaml } from '../../src/inventory/yaml-file.js';
import { IcmsError, ExitCode } from '../../src/shared/errors.js';

describe('parseInventoryYaml', () => {
  it('reads projects with maintainers and labels, normalising URLs', () => {
    const { projects, warnings } = parseInventoryYaml(
      `projects:
  - url: https://GitHub.com/org/api.git
    branch: release
    maintainers:
      - {name: Alice, email: alice@example.com}
      - {email: bob@example.com}
    labels: {exposure: internet, tier: 1}
  - url: git@gitee.com:org/web.git
    maintainers: [{name: Carol, email: carol@example.com}]
`,
      'inv.yaml',
    );
    expect(warnings).toEqual([]);
    expect(projects).toEqual([
      { kind: 'repo', url: 'https://github.com/org/api', branch: 'release', maintainers: [{ name: 'Alice', email: 'alice@example.com' }, { name: 'bob@example.com', email: 'bob@example.com' }], labels: { exposure: 'internet', tier: '1' } },
      { kind: 'repo', url: 'git@gitee.com:org/web', branch: 'main', maintainers: [{ name: 'Carol', email: 'carol@example.com' }], labels: {} },
    ]);
  });

  it.each([
    ['no projects list', 'items: []\n', /inv\.yaml:1: expected a top-level `projects:` list/],
    ['a missing url', 'projects:\n  - branch: main\n    maintainers: [{email: a@b.co}]\n', /inv\.yaml:2: projects\[0\]\.url is missing/],
    ['a bad url', 'projects:\n  - url: not a url\n    maintainers: [{email: a@b.co}]\n', /inv\.yaml:2: projects\[0\]\.url "not a url" is not a repository URL/],
    ['no maintainers', 'projects:\n  - url: https://h.io/o/r\n', /inv\.yaml:2: projects\[0\]\.maintainers must list at least one/],
    ['a bad email on line 5', 'projects:\n  - url: https://h.io/o/r\n    maintainers:\n      - {email: a@b.co}\n      - {email: "x\\r\\nBcc: y@z.io"}\n', /inv\.yaml:5: projects\[0\]\.maintainers\[1\]\.email/],
    ['an unknown key', 'projects:\n  - url: https://h.io/o/r\n    maintainer: [{email: a@b.co}]\n', /inv\.yaml:3: projects\[0\]: unknown key "maintainer"/],
  ])('rejects %s with exit 2 and the line', (_n, text, message) => {
    let err: unknown;
    try {
      parseInventoryYaml(text, 'inv.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IcmsError);
    expect((err as IcmsError).exitCode).toBe(ExitCode.Usage);
    expect((err as IcmsError).message).toMatch(message);
  });

  it('drops credentials from URLs with a warning', () => {
    const { projects, warnings } = parseInventoryYaml('projects:\n  - url: https://u:tok3n@h.io/o/r\n    maintainers: [{email: a@b.co}]\n', 'inv.yaml');
    expect(projects[0]!.url).toBe('https://h.io/o/r');
    expect(warnings[0]).toMatch(/inv\.yaml:2: credentials in the URL were dropped/);
  });
});
