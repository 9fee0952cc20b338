/**
 * What every git child of `icms scan` receives in its environment: only what git needs (PATH, HOME, the ssh
 * agent, proxies, …), never the ops token, the SMTP password, nor the token variables of this or other hosts (this
 * host's token reaches git only as the per-process auth header). A `git` first on PATH records its environment and
 * runs the real git; the repository is served over HTTP with a required token.
 */
import { execFileSync } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeGitRepo } from '../helpers/git.js';
import { startGitHttpServer } from '../helpers/git-http-server.js';
import { tmpDir } from '../helpers/tmp.js';

const SECRETS = { ICMS_OPS_TOKEN: 'canary-ops-7f3a', ICMS_SMTP_PASSWORD: 'canary-smtp-91c2', OTHER_HOST_TOKEN: 'canary-other-5d0e', THIS_HOST_TOKEN: 'canary-this-b44f' };

describe('the environment of git children', () => {
  it('holds no secret variable, only what git needs', async () => {
    const dir = await tmpDir('icms-gitenv-');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    const bin = path.join(dir, 'bin');
    const dump = path.join(dir, 'git-env.txt');
    execFileSync('mkdir', [bin]);
    await writeFile(path.join(bin, 'git'), `#!/bin/sh\n{ echo "--- git $1"; env; } >> '${dump}'\nexec '${realGit}' "$@"\n`);
    await chmod(path.join(bin, 'git'), 0o755);
    const trivy = path.join(dir, 'fake-trivy');
    await writeFile(trivy, `#!/bin/sh\n[ "$1" = "--version" ] && { echo "Version: 0.44.1"; exit 0; }\nout=""; prev=""\nfor a in "$@"; do [ "$prev" = "--output" ] && out="$a"; prev="$a"; done\nprintf '{"SchemaVersion":2,"Results":[]}' > "$out"\n`);
    await chmod(trivy, 0o755);

    const remote = await makeGitRepo({ 'package.json': '{"name":"x","version":"1.0.0"}' }, 'main', 'private');
    const header = `Basic ${Buffer.from(`x-access-token:${SECRETS.THIS_HOST_TOKEN}`).toString('base64')}`;
    const srv = await startGitHttpServer(path.dirname(remote.bareDir), { requireAuth: header });
    const host = new URL(srv.baseUrl).host;
    await writeFile(path.join(dir, 'inventory.yaml'), `projects:\n  - url: ${srv.baseUrl}/private.git\n    maintainers: [{name: M, email: m@example.com}]\n`);
    await writeFile(path.join(dir, 'icms.yaml'), `inventory: {file: inventory.yaml}\ntrivy: {path: ${trivy}}\ngit:\n  auth:\n    "${host}": {token_env: THIS_HOST_TOKEN}\n    "git.example.org": {token_env: OTHER_HOST_TOKEN}\n`);
    const env = { ...SECRETS, PATH: `${bin}:${process.env.PATH}`, SSH_AUTH_SOCK: '/run/agent.sock', https_proxy: '', no_proxy: '127.0.0.1' };
    expect((await runCli(['fetch-projects'], { cwd: dir, env })).code).toBe(0);
    const r = await runCli(['scan', '--all'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);

    const seen = await readFile(dump, 'utf8');
    expect(seen).toMatch(/--- git clone/);
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(seen).not.toContain(`${name}=`);
      expect(seen).not.toContain(value);
    }
    expect(seen).toContain(`PATH=${bin}:`);
    expect(seen).toContain('SSH_AUTH_SOCK=/run/agent.sock');
    expect(seen).toContain('no_proxy=127.0.0.1');
    // the host's token went as the auth header, which the server required
    expect(srv.requests.some((q) => q.authorization === header)).toBe(true);
  });
});
