import { describe, expect, it } from 'vitest';
import { gitEnv } from '../../src/gitsync/git-env.js';
import { gitFailure, redactGitText, stderrTail } from '../../src/gitsync/git-errors.js';
import { ExitCode } from '../../src/shared/errors.js';

describe('gitEnv', () => {
  const inherited = {
    PATH: '/usr/bin',
    HOME: '/home/icms',
    https_proxy: 'http://proxy:3128',
    SSH_AUTH_SOCK: '/run/agent',
    GIT_DIR: '/somewhere/.git',
    GIT_TRACE_CURL: '1',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'core.sshCommand',
    GIT_CONFIG_VALUE_0: 'touch /tmp/pwned',
    EDITOR: 'vim',
    PAGER: 'less',
    SSH_ASKPASS: '/usr/bin/ksshaskpass',
    LANG: 'de_DE.UTF-8',
    LC_MESSAGES: 'de_DE.UTF-8',
    UNSET: undefined,
  };

  it('keeps the operator environment (proxy, agent, home) and drops what changes git behaviour', () => {
    const env = gitEnv(inherited, { ceiling: '/w/repos/h', timeoutMs: 60_000 });
    expect(env).toMatchObject({ PATH: '/usr/bin', HOME: '/home/icms', https_proxy: 'http://proxy:3128', SSH_AUTH_SOCK: '/run/agent' });
    for (const k of ['GIT_DIR', 'GIT_TRACE_CURL', 'EDITOR', 'PAGER', 'SSH_ASKPASS', 'LANG', 'LC_MESSAGES', 'UNSET']) expect(env).not.toHaveProperty(k);
    expect(env).toMatchObject({
      LC_ALL: 'C',
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: 'false',
      GCM_INTERACTIVE: 'never',
      GIT_ALLOW_PROTOCOL: 'https:http:ssh:file',
      GIT_CEILING_DIRECTORIES: '/w/repos/h',
      GIT_HTTP_LOW_SPEED_LIMIT: '1',
      GIT_HTTP_LOW_SPEED_TIME: '60',
      GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o ConnectTimeout=60 -o ServerAliveInterval=15 -o ServerAliveCountMax=4',
    });
    // The inherited GIT_CONFIG_* (core.sshCommand!) is replaced by ours: only the helper reset.
    expect(env.GIT_CONFIG_COUNT).toBe('1');
    expect(env.GIT_CONFIG_KEY_0).toBe('credential.helper');
    expect(env.GIT_CONFIG_VALUE_0).toBe('');
  });

  it('hands the auth header over as process-local config, and keeps an operator ssh command', () => {
    const env = gitEnv({ GIT_SSH_COMMAND: 'ssh -i /keys/icms' }, { authHeader: 'Authorization: Basic eHg6eXk=', ceiling: '/', timeoutMs: 1500 });
    expect(env.GIT_CONFIG_COUNT).toBe('2');
    expect([env.GIT_CONFIG_KEY_1, env.GIT_CONFIG_VALUE_1]).toEqual(['http.extraHeader', 'Authorization: Basic eHg6eXk=']);
    expect(env.GIT_SSH_COMMAND?.startsWith('ssh -i /keys/icms -o BatchMode=yes -o ConnectTimeout=2 ')).toBe(true);
  });
});

describe('git error text', () => {
  const header = 'Authorization: Basic eC1hY2Nlc3MtdG9rZW46Z2hwX2FiYzEyMw=='; // x-access-token:ghp_abc123

  it('masks the header, its base64 credential, the decoded pair and the bare token', () => {
    const text = `a ${header} b eC1hY2Nlc3MtdG9rZW46Z2hwX2FiYzEyMw== c x-access-token:ghp_abc123 d ghp_abc123 https://u:p@h/x`;
    const out = redactGitText(text, header);
    expect(out).not.toMatch(/ghp_abc123|eC1hY2Nlc3Mt|u:p@/);
    expect(out).toBe('a *** b *** c *** d *** https://***@h/x');
  });

  it('keeps the last lines of stderr, without blank and askpass noise', () => {
    const stderr = "error: unable to read askpass response from 'false'\n\nfatal: one\nremote: \nfatal: two\n";
    expect(stderrTail(stderr)).toBe('fatal: one | fatal: two');
  });

  it.each([
    ['warning: Could not find remote branch x to clone.\nfatal: Remote branch x not found in upstream origin', /^branch "x" not found on https:\/\/h\/o\/r: /],
    ["fatal: could not read Username for 'https://h': terminal prompts disabled", /^authentication failed for https:\/\/h\/o\/r: /],
    ['remote: Invalid username or password.\nfatal: Authentication failed for \'https://h/o/r/\'', /^authentication failed for /],
    ['git@h: Permission denied (publickey).\nfatal: Could not read from remote repository.', /^authentication failed for /],
    ['Host key verification failed.\nfatal: Could not read from remote repository.', /^ssh host key of https:\/\/h\/o\/r is not trusted/],
    ["remote: Repository not found.\nfatal: repository 'https://h/o/r/' not found", /^repository https:\/\/h\/o\/r not found \(deleted, renamed or no access\)/],
    ["fatal: unable to access 'https://h/o/r/': Could not resolve host: h", /^cannot reach https:\/\/h\/o\/r: /],
    ['fatal: something new', /^git clone failed for https:\/\/h\/o\/r: fatal: something new$/],
  ])('classifies %j', (stderr, expected) => {
    const err = gitFailure({ url: 'https://h/o/r', branch: 'x', command: 'clone', timeoutMs: 1000 }, stderr, false);
    expect(err.exitCode).toBe(ExitCode.External);
    expect(err.message).toMatch(expected);
  });

  it('says timeout when the command was killed for taking too long', () => {
    const err = gitFailure({ url: 'https://h/o/r', branch: 'x', command: 'fetch', timeoutMs: 2000 }, 'block timeout reached', true);
    expect(err.message).toBe('git fetch of https://h/o/r timed out after 2s');
  });
});
