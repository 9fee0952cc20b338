import { describe, expect, it } from 'vitest';
import { ExitCode, IcmsError } from '../../src/shared/errors.js';
import { authHeaderFor, parseGitAuthConfig, type GitAuthConfig } from '../../src/gitsync/auth.js';

const config: GitAuthConfig = {
  'github.com': { token_env: 'GITHUB_TOKEN' },
  'gitee.com': { token_env: 'GITEE_TOKEN', username: 'ops-bot' },
  'git.corp:8443': { token_env: 'CORP_TOKEN', scheme: 'bearer' },
};
const env = { GITHUB_TOKEN: 'ghp_abc123', GITEE_TOKEN: 'gitee-tok', CORP_TOKEN: 'corp-tok' };
// Expected values computed by hand: `printf 'x-access-token:ghp_abc123' | base64` etc.
const GITHUB = 'Authorization: Basic eC1hY2Nlc3MtdG9rZW46Z2hwX2FiYzEyMw==';
const GITEE = 'Authorization: Basic b3BzLWJvdDpnaXRlZS10b2s=';

describe('authHeaderFor', () => {
  it.each([
    ['https://github.com/o/r.git', GITHUB],
    ['https://GITHUB.com/o/r', GITHUB],
    ['http://github.com/o/r', GITHUB],
    ['https://gitee.com/o/r', GITEE],
    ['https://git.corp:8443/o/r', 'Authorization: Bearer corp-tok'],
    // No entry for the host, a look-alike host, another port, or not HTTP at all: no header.
    ['https://git.corp/o/r', undefined],
    ['https://github.com.evil.example/o/r', undefined],
    ['https://api.github.com/o/r', undefined],
    ['https://gitlab.com/o/r', undefined],
    ['ssh://git@github.com/o/r', undefined],
    ['git@github.com:o/r.git', undefined],
    ['file:///srv/github.com/r', undefined],
  ])('%s -> %s', (url, header) => {
    expect(authHeaderFor(url, config, env)).toBe(header);
  });

  it('base64 of the default user name matches what the shared Redactor also masks', () => {
    expect(Buffer.from(GITHUB.slice('Authorization: Basic '.length), 'base64').toString()).toBe('x-access-token:ghp_abc123');
  });

  it('an unset token variable for a configured host is a Usage error naming the variable', () => {
    const err = (() => {
      try {
        authHeaderFor('https://github.com/o/r', config, {});
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(IcmsError);
    expect((err as IcmsError).exitCode).toBe(ExitCode.Usage);
    expect((err as IcmsError).message).toBe('git.auth.github.com: environment variable GITHUB_TOKEN is not set');
  });

  it('refuses a token with a line break (it would inject a second header)', () => {
    expect(() => authHeaderFor('https://github.com/o/r', config, { GITHUB_TOKEN: 'abc\r\nX-Evil: 1' })).toThrow(/line break/);
  });
});

describe('parseGitAuthConfig', () => {
  it('accepts the documented shape and lower-cases hosts', () => {
    expect(parseGitAuthConfig({ 'GitHub.com': { token_env: 'GITHUB_TOKEN', scheme: 'basic', username: 'bot' } })).toEqual({
      'github.com': { token_env: 'GITHUB_TOKEN', scheme: 'basic', username: 'bot' },
    });
    expect(parseGitAuthConfig(undefined)).toEqual({});
  });

  it.each([
    [[], 'must be a map'],
    [{ 'github.com': 'GITHUB_TOKEN' }, 'must be { token_env: NAME }'],
    [{ 'github.com': { token_env: 'not a var' } }, 'token_env must name an environment variable'],
    [{ 'github.com': { token_env: 'T', scheme: 'digest' } }, 'scheme must be "basic" or "bearer"'],
    [{ 'github.com': { token_env: 'T', username: 'a:b' } }, 'username must be'],
    [{ 'https://github.com': { token_env: 'T' } }, 'is not a host name'],
  ])('rejects %j', (raw, why) => {
    expect(() => parseGitAuthConfig(raw)).toThrow(why);
  });
});
