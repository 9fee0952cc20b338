import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/icms.js', import.meta.url));
const execFileP = promisify(execFile);

describe('icms CLI basics', () => {
  it('--help lists the subcommands and the exit codes', async () => {
    const r = await runCli(['--help'], { cwd: await tmpDir() });
    expect(r.code).toBe(0);
    for (const cmd of ['fetch-projects', 'projects', 'config', 'doctor']) expect(r.stdout).toContain(cmd);
    expect(r.stdout).toMatch(/Exit codes:[\s\S]*3 +partial/);
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version'], { cwd: await tmpDir() });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each([[['no-such-command']], [['fetch-projects', '--format', 'xml']], [['projects', '--bogus']]])('usage errors exit 2: %j', async (argv) => {
    const r = await runCli(argv, { cwd: await tmpDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error/);
  });

  it('config show prints effective values with their origin and never a secret value', async () => {
    const dir = await tmpDir();
    await writeFile(path.join(dir, 'icms.yaml'), 'scan:\n  concurrency: 2\ngit:\n  auth:\n    github.com: {token_env: GH_TOKEN}\n');
    const r = await runCli(['config', 'show', '--format', 'json'], { cwd: dir, env: { GH_TOKEN: 'ghp_canary_123456', ICMS_TRIVY_TIMEOUT_MS: '9000' } });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.values).toContainEqual({ key: 'scan.concurrency', value: 2, origin: 'file' });
    expect(out.values).toContainEqual({ key: 'trivy.timeout_ms', value: 9000, origin: 'env' });
    expect(out.secrets).toContainEqual({ name: 'GH_TOKEN', purpose: 'git token for github.com', state: 'set' });
    expect(r.stdout).not.toContain('ghp_canary_123456');
  });

  it('config keys --format markdown documents every key with its env variable', async () => {
    const r = await runCli(['config', 'keys', '--format', 'markdown'], { cwd: await tmpDir() });
    expect(r.stdout).toContain('| `inventory.ops.url` | string |  | `ICMS_INVENTORY_OPS_URL` |');
  });

  it('doctor reports each check; a broken config is a FAIL with exit 2', async () => {
    const dir = await tmpDir();
    const good = await runCli(['doctor', '--format', 'json'], { cwd: dir, env: { ICMS_INVENTORY_FILE: path.join(dir, 'missing.yaml') } });
    const report = JSON.parse(good.stdout);
    expect(report.checks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['config', 'database', 'work dir', 'git', 'trivy', 'inventory']));
    expect(report.checks.find((c: { name: string }) => c.name === 'trivy')).toMatchObject({ ok: true, detail: expect.stringMatching(/trivy.* \((path|bundled|config), version \S+\)/) });
    expect(report.checks.find((c: { name: string }) => c.name === 'inventory')).toMatchObject({ ok: false, hint: expect.stringMatching(/inventory\.file/) });
    expect(good.code).toBe(4);
    await writeFile(path.join(dir, 'icms.yaml'), 'scan: {concurrency: lots}\n');
    const bad = await runCli(['doctor'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/FAIL/);
    expect(bad.stdout).toMatch(/scan\.concurrency/);
    await writeFile(path.join(dir, 'icms.yaml'), '');
    const noTrivy = JSON.parse((await runCli(['doctor', '--format', 'json'], { cwd: dir, env: { ICMS_TRIVY: '/nonexistent/trivy' } })).stdout);
    expect(noTrivy.checks.find((c: { name: string }) => c.name === 'trivy')).toMatchObject({ ok: false, detail: expect.stringMatching(/nonexistent/) });
  });

  it('doctor only looks: it creates neither icms.db nor .icms/ in the current directory', async () => {
    const dir = await tmpDir();
    const r = await runCli(['doctor', '--format', 'json'], { cwd: dir, env: { ICMS_INVENTORY_FILE: path.join(dir, 'missing.yaml') } });
    const checks = JSON.parse(r.stdout).checks as { name: string; ok: boolean; detail: string }[];
    expect(checks.find((c) => c.name === 'database')).toMatchObject({ ok: true, detail: expect.stringMatching(/icms\.db does not exist yet/) });
    expect(checks.find((c) => c.name === 'work dir')).toMatchObject({ ok: true, detail: expect.stringMatching(/\.icms does not exist yet/) });
    expect(checks.find((c) => c.name === 'trivy')?.detail).toMatch(/version \S+\)/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('bin/icms.js runs as a process: plain timestamped logs on stderr without a TTY, data on stdout', async () => {
    const dir = await tmpDir();
    await writeFile(path.join(dir, 'inv.yaml'), 'projects:\n  - url: https://github.com/o/r\n    maintainers: [{email: a@example.com}]\n');
    const { stdout, stderr } = await execFileP(process.execPath, [BIN, 'fetch-projects', '--file', 'inv.yaml', '--format', 'json'], { cwd: dir, env: { PATH: process.env.PATH } });
    expect(JSON.parse(stdout).counts.added).toBe(1);
    expect(stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO {2}fetching the inventory/m);
    const failed = await execFileP(process.execPath, [BIN, 'fetch-projects', '--file', 'nope.yaml'], { cwd: dir, env: { PATH: process.env.PATH } }).catch((e: { code: number; stderr: string }) => e);
    expect((failed as { code: number }).code).toBe(2);
    expect((failed as { stderr: string }).stderr).toMatch(/cannot read inventory file .*nope\.yaml/);
  });

  it('--quiet hides info logs', async () => {
    const dir = await tmpDir();
    await writeFile(path.join(dir, 'inv.yaml'), 'projects:\n  - url: https://github.com/o/r\n    maintainers: [{email: a@example.com}]\n');
    const r = await runCli(['--quiet', 'fetch-projects', '--file', 'inv.yaml'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});
