import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExitCode, IcmsError } from '../../src/shared/errors.js';
import { checkBranchName, encodeComponent, parseRepoUrl, repoDir } from '../../src/gitsync/repo-path.js';

const WORK = '/var/lib/icms';
const ROOT = '/var/lib/icms/repos';

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IcmsError);
    expect((err as IcmsError).exitCode).toBe(ExitCode.Usage);
    return (err as IcmsError).message;
  }
  throw new Error('expected a Usage error');
}

describe('repoDir: accepted URLs map to one inert directory each', () => {
  it.each([
    ['https://github.com/owner/repo.git', 'main', 'github.com/owner/repo@main'],
    ['HTTPS://GitHub.com/owner/repo/', 'main', 'github.com/owner/repo@main'],
    ['git@github.com:owner/repo.git', 'feature/x', 'github.com/owner/repo@feature%2Fx'],
    ['ssh://git@gitee.com:2222/group/sub/repo.git', 'main', 'gitee.com%3A2222/group/sub/repo@main'],
    ['file:///srv/git/app.git', 'main', 'local/srv/git/app@main'],
    ['file://localhost/srv/git/app', 'dev', 'local/srv/git/app@dev'],
    ['http://127.0.0.1:8080/x/y', 'main', '127.0.0.1%3A8080/x/y@main'],
    ['https://[::1]:8443/o/r', 'main', '%5B%3A%3A1%5D%3A8443/o/r@main'],
    ['https://host/owner/repo%20name', 'main', 'host/owner/repo%20name@main'],
    ['https://host/o/$(touch%20x)', 'main', 'host/o/%24%28touch%20x%29@main'],
    ['https://host/o/"quoted\'', 'main', 'host/o/%22quoted%27@main'],
    ['https://host/o/répo', 'fix/ünï', 'host/o/r%C3%A9po@fix%2F%C3%BCn%C3%AF'],
    ['https://host/o/a@b', 'c', 'host/o/a%40b@c'],
    ['https://host/o/a', 'b@c', 'host/o/a@b%40c'],
    ['https://host/o/r', '$(touch)', 'host/o/r@%24%28touch%29'],
    ['https://host/o/r', 'a%2fb', 'host/o/r@a%252fb'],
    ['https://host/o/r', 'release-1.0_rc', 'host/o/r@release-1.0_rc'],
  ])('%s @ %s -> %s', (url, branch, rel) => {
    expect(repoDir(WORK, url, branch)).toBe(path.join(ROOT, rel));
  });
});

describe('repoDir: hostile URLs are Usage errors naming the URL', () => {
  it.each([
    ['-oProxyCommand=touch%20x', 'starts with "-"'],
    ['ssh://-oProxyCommand=x/repo', 'not a valid host name'],
    ['git@-oProxyCommand=x:owner/repo', 'not a valid host name'],
    ['ext::sh%20-c%20touch%25%20/tmp/pwned', 'transport "::" syntax'],
    ['/etc/passwd', 'unsupported URL form'],
    ['../../etc', 'unsupported URL form'],
    ['https://host/../../etc', 'is empty, "." or ".."'],
    ['https://host/%2e%2e/repo', 'is empty, "." or ".."'],
    ['https://host/owner/..%2f', 'contains a slash'],
    ['https://host/owner/..%5Cx', 'contains a slash'],
    ['https://host/owner/.', 'is empty, "." or ".."'],
    ['https://host//repo', 'is empty, "." or ".."'],
    ['https://host/owner/-repo', 'starts with "-"'],
    ['https://host/owner/%00', 'control characters'],
    ['https://host/o/r\u0000', 'control characters'],
    ['https://ho st/o/r', 'white space'],
    ['https://host/o/r x', 'white space'],
    ['https://host', 'no repository path'],
    ['https://host/o/.git', 'no repository name'],
    ['https://host/o/%zz', 'bad percent-encoding'],
    ['file://otherhost/srv/x', 'file:///absolute/path'],
    ['C:\\repos\\x', 'contains a slash'],
    ['ftp://host/o/r', 'unsupported URL form'],
    ['', 'empty URL'],
  ])('%j', (url, why) => {
    const msg = usageMessage(() => repoDir(WORK, url, 'main'));
    expect(msg).toContain(why);
    expect(msg.startsWith('repository URL "')).toBe(true);
  });

  it('does not repeat credentials found in a URL', () => {
    const msg = usageMessage(() => parseRepoUrl('https://user:s3cr3t-pw@host/o/r'));
    expect(msg).toContain('credentials in the URL are not allowed');
    expect(msg).not.toContain('s3cr3t-pw');
  });
});

describe('checkBranchName: git check-ref-format rules, no options, no revisions', () => {
  it.each([
    '', '-x', '--upload-pack=touch', '../x', 'a..b', '..%2f', 'a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[', 'a\\b',
    'a@{1}', '@', 'HEAD', '/a', 'a/', 'a//b', 'a.', '.a', 'a/.b', 'a.lock', 'a/b.lock/c', 'a\u0001', 'a\u007f', '$(touch x)',
  ])('rejects %j', (branch) => {
    usageMessage(() => checkBranchName(branch));
    usageMessage(() => repoDir(WORK, 'https://host/o/r', branch));
  });

  it.each(['main', 'feature/x', 'release-1.0', 'fix/ünï', 'a@b', 'v1.2.3_rc'])('accepts %j', (branch) => {
    expect(checkBranchName(branch)).toBe(branch);
  });
});

describe('properties', () => {
  it('any owner/repo/branch gives a path strictly inside <workDir>/repos, or a Usage error', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (owner, repo, branch) => {
        for (const url of [`https://host/${owner}/${repo}`, `git@host:${owner}/${repo}`, `file:///${owner}/${repo}`]) {
          let dir: string;
          try {
            dir = repoDir(WORK, url, branch);
          } catch (err) {
            if (err instanceof IcmsError && err.exitCode === ExitCode.Usage) continue;
            throw err;
          }
          const rel = path.relative(ROOT, path.resolve(dir));
          expect(rel.startsWith('..') || path.isAbsolute(rel) || rel === '').toBe(false);
          for (const comp of rel.split(path.sep)) expect(comp).toMatch(/^[A-Za-z0-9._%@~-]+$/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('encodeComponent is injective and yields no separators', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (a, b) => {
        expect(encodeComponent(a)).toMatch(/^[A-Za-z0-9._%-]*$/);
        if (a !== b) expect(encodeComponent(a)).not.toBe(encodeComponent(b));
      }),
    );
  });

  it('keeps very long names within file name limits by hashing', () => {
    const long = 'x/'.repeat(200) + 'y';
    const leaf = path.basename(repoDir(WORK, 'https://host/o/r', long));
    expect(leaf.length).toBeLessThan(255);
    expect(leaf).not.toBe(path.basename(repoDir(WORK, 'https://host/o/r', `${long}z`)));
  });
});
