import { describe, it, expect } from 'vitest';
import { parseRepoUrl, projectName } from '../../src/model/repo-url.js';
import { mergeProjects, isEmail } from '../../src/inventory/normalize.js';
import { filterProjects } from '../../src/inventory/filter.js';
import type { Project } from '../../src/model/types.js';

describe('parseRepoUrl', () => {
  it.each([
    ['https://github.com/org/repo.git', 'https://github.com/org/repo', 'github.com'],
    ['https://github.com/org/repo/', 'https://github.com/org/repo', 'github.com'],
    ['HTTPS://GitHub.COM/Org/Repo.git/', 'https://github.com/Org/Repo', 'github.com'],
    ['https://gitee.com/openeuler/kernel', 'https://gitee.com/openeuler/kernel', 'gitee.com'],
    ['git@github.com:org/repo.git', 'git@github.com:org/repo', 'github.com'],
    ['ssh://git@GitHub.com/org/repo.git', 'ssh://git@github.com/org/repo', 'github.com'],
    ['https://user:secret@github.com/org/repo', 'https://github.com/org/repo', 'github.com'],
    ['file:///srv/git/demo.git', 'file:///srv/git/demo', 'local'],
    ['http://127.0.0.1:8080/org/repo.git', 'http://127.0.0.1:8080/org/repo', '127.0.0.1'],
  ])('%s -> %s', (input, url, host) => {
    const parts = parseRepoUrl(input);
    expect(parts?.url).toBe(url);
    expect(parts?.host).toBe(host);
  });

  it('flags and drops credentials embedded in the URL', () => {
    const parts = parseRepoUrl('https://user:ghp_secret@github.com/org/repo');
    expect(parts?.hadCredentials).toBe(true);
    expect(parts?.url).not.toContain('ghp_secret');
  });

  it.each(['', 'not a url', '-oProxyCommand=x', 'https://github.com/', 'ftp://h/o/r', 'javascript:alert(1)'])('rejects %j', (input) => {
    expect(parseRepoUrl(input)).toBeUndefined();
  });

  it('names projects host/owner/repo@branch', () => {
    expect(projectName({ kind: 'repo', url: 'https://github.com/org/repo', branch: 'dev' })).toBe('github.com/org/repo@dev');
  });
});

const p = (url: string, branch: string, ...emails: string[]): Project => ({
  kind: 'repo',
  url,
  branch,
  maintainers: emails.map((e) => ({ name: e.split('@')[0]!, email: e })),
  labels: {},
});

describe('mergeProjects', () => {
  it('merges the same url+branch and unites maintainers case-insensitively; other branches stay apart', () => {
    const merged = mergeProjects([
      p('https://github.com/o/r', 'main', 'a@x.io'),
      p('https://github.com/o/r', 'main', 'A@X.io', 'b@x.io'),
      p('https://github.com/o/r', 'dev', 'c@x.io'),
    ]);
    expect(merged).toHaveLength(2);
    expect(merged[0]!.maintainers.map((m) => m.email)).toEqual(['a@x.io', 'b@x.io']);
    expect(merged[1]!.branch).toBe('dev');
  });
});

describe('filterProjects', () => {
  it('keeps allowed hosts and organisations, and says why the rest were skipped', () => {
    const { kept, skipped } = filterProjects(
      [p('https://github.com/opensourceways/a', 'main'), p('https://github.com/evil/b', 'main'), p('https://gitlab.com/opensourceways/c', 'main'), p('https://GITEE.com/OpenEuler/d', 'main')],
      { domains: ['github.com', 'gitee.com'], organizations: ['opensourceways', 'openeuler'] },
    );
    expect(kept.map((k) => k.url)).toEqual(['https://github.com/opensourceways/a', 'https://GITEE.com/OpenEuler/d']);
    expect(skipped.map((s) => s.reason)).toEqual([
      'organisation evil not in inventory.allow.organizations',
      'host gitlab.com not in inventory.allow.domains',
    ]);
  });

  it('keeps everything when the allowlist is empty', () => {
    expect(filterProjects([p('https://x.org/a/b', 'main')], { domains: [], organizations: [] }).kept).toHaveLength(1);
  });
});

describe('isEmail', () => {
  it.each([
    ['a@b.co', true],
    ['first.last+tag@sub.example.org', true],
    ['no-at-sign', false],
    ['a@b', false],
    ['a@b.co\r\nBcc: x@y.z', false],
    ['"A" <a@b.co>', false],
  ])('%j -> %s', (s, ok) => expect(isEmail(s)).toBe(ok));
});
