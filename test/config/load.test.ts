import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../../src/config/load.js';
import { ExitCode } from '../../src/shared/errors.js';
import { tmpDir } from '../helpers/tmp.js';
import { icmsErrorOf as loadError } from '../helpers/errors.js';

async function withConfig(yaml: string): Promise<string> {
  const dir = await tmpDir();
  await writeFile(path.join(dir, 'icms.yaml'), yaml);
  return dir;
}

describe('loadConfig', () => {
  it('applies defaults < file < env < flags, and records where each value came from', async () => {
    const cwd = await withConfig('scan:\n  concurrency: 2\ntrivy:\n  timeout_ms: 5000\ndb: data/x.db\n');
    const { config, origins } = loadConfig({
      cwd,
      env: { ICMS_TRIVY_TIMEOUT_MS: '7000', ICMS_SCAN_CONCURRENCY: '3' },
      flags: { 'scan.concurrency': 8 },
    });
    expect(config.scan.concurrency).toBe(8);
    expect(origins['scan.concurrency']).toBe('flag');
    expect(config.trivy.timeoutMs).toBe(7000);
    expect(origins['trivy.timeout_ms']).toBe('env');
    expect(config.db).toBe(path.join(cwd, 'data/x.db'));
    expect(origins.db).toBe('file');
    expect(config.git.timeoutMs).toBe(300000);
    expect(origins['git.timeout_ms']).toBe('default');
    expect(Object.isFrozen(config.scan)).toBe(true);
  });

  it('resolves paths in the file relative to the file, not the cwd', async () => {
    const dir = await withConfig('inventory:\n  file: inv/projects.yaml\n');
    const { config } = loadConfig({ cwd: '/', env: {}, configFlag: path.join(dir, 'icms.yaml') });
    expect(config.inventory.file).toBe(path.join(dir, 'inv/projects.yaml'));
  });

  it('uses ICMS_CONFIG when no --config is given', async () => {
    const dir = await withConfig('log_level: debug\n');
    const { config, file } = loadConfig({ cwd: '/', env: { ICMS_CONFIG: path.join(dir, 'icms.yaml') } });
    expect(file).toBe(path.join(dir, 'icms.yaml'));
    expect(config.logLevel).toBe('debug');
  });

  it.each([
    ['an unknown key, with its line and a suggestion', 'db: x.db\ninventry:\n  file: a\n', /icms\.yaml:2: unknown key "inventry"/, /did you mean inventory/],
    ['a nested unknown key', 'inventory:\n  ops:\n    urll: http://x\n', /icms\.yaml:3: unknown key "inventory\.ops\.urll"/, /inventory\.ops\.url/],
    ['a wrong type', 'scan:\n  concurrency: many\n', /icms\.yaml:2: scan\.concurrency: expected a whole number/, /scan\.concurrency/],
    ['an out-of-range number', 'scan:\n  concurrency: 0\n', /expected a whole number >= 1/, /scan\.concurrency/],
    ['a bad enum', 'inventory:\n  source: ldap\n', /expected one of ops, file/, /inventory\.source/],
    ['invalid YAML', 'db: [unclosed\n', /icms\.yaml:\d+: invalid YAML/, /syntax/],
    ['a scalar where a mapping is expected', 'inventory: yes\n', /icms\.yaml:1: inventory must be a mapping/, /inventory/],
    ['a dashboard URL that is not http(s)', 'notify:\n  dashboard_url: "javascript:alert(1)"\n', /notify\.dashboard_url must be an http\(s\) \(or file:\/\/\/\) URL without '#'/, /#maintainer=<email>/],
    ['a dashboard URL with a fragment', 'notify:\n  dashboard_url: https://sec.example.com/#x\n', /notify\.dashboard_url must be an http\(s\)/, /#maintainer=<email>/],
    ['a digest cap of 0', 'notify:\n  digest_max_items: 0\n', /notify\.digest_max_items: expected a whole number >= 1/, /digest_max_items/],
    ['a secret in the file instead of an env name', 'git:\n  auth:\n    github.com: {token: ghp_abc}\n', /token_env must name an environment variable/, /never from the config file/],
  ])('rejects %s (exit 2, names file, key, line and fix)', async (_name, yaml, message, hint) => {
    const cwd = await withConfig(yaml);
    const err = loadError(() => loadConfig({ cwd, env: {} }));
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toMatch(message);
    expect(err.hint ?? '').toMatch(hint);
  });

  it('rejects a bad environment value naming the variable', async () => {
    const err = loadError(() => loadConfig({ cwd: await_('/'), env: { ICMS_SCAN_CONCURRENCY: 'x' } }));
    expect(err.message).toMatch(/environment variable ICMS_SCAN_CONCURRENCY: expected a whole number/);
  });

  it('reports a missing --config file', () => {
    const err = loadError(() => loadConfig({ cwd: '/', env: {}, configFlag: '/nonexistent/icms.yaml' }));
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toMatch(/\/nonexistent\/icms\.yaml does not exist/);
  });

  it('notify.digest_max_items defaults to 25; notify.dashboard_url is kept as given', async () => {
    expect(loadConfig({ cwd: '/', env: {} }).config.notify).toMatchObject({ digestMaxItems: 25, dashboardUrl: undefined });
    const cwd = await withConfig('notify:\n  digest_max_items: 5\n  dashboard_url: https://sec.example.com/icms/\n');
    expect(loadConfig({ cwd, env: {} }).config.notify).toMatchObject({ digestMaxItems: 5, dashboardUrl: 'https://sec.example.com/icms/' });
  });

  it('parses list options from comma-separated environment values', () => {
    const { config } = loadConfig({ cwd: '/', env: { ICMS_INVENTORY_ALLOW_DOMAINS: 'github.com, gitee.com' } });
    expect(config.inventory.allow.domains).toEqual(['github.com', 'gitee.com']);
  });
});

function await_(s: string): string {
  return s;
}
