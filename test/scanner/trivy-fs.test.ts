import { describe, it, expect } from 'vitest';
import { cp, mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { runTrivyFs, trivyVersion, pickEnv } from '../../src/scanner/trivy.js';
import { parseTrivyReport } from '../../src/scanner/trivy-report.js';
import { ExitCode } from '../../src/shared/errors.js';
import type { Package } from '../../src/model/types.js';
import { tmpDir } from '../helpers/tmp.js';
import { FIXTURES, bundledTrivy, fakeTrivy, runOptions } from './trivy-helpers.js';
import { rejectionOf as thrown } from '../helpers/errors.js';

const key = (p: Package): string => `${p.target} ${p.ecosystem} ${p.name}@${p.version} indirect=${p.indirect}`;

describe('runTrivyFs with the real bundled trivy', () => {
  const trivy = bundledTrivy();

  it('reports the bundled build as "dev" (cached per path)', async () => {
    expect(await trivyVersion(trivy)).toBe('dev');
    expect(trivyVersion(trivy)).toBe(trivyVersion(trivy));
  });

  it.each([
    'opensourceways__issue_pr_board@2fc35b2',
    'opensourceways__infraAIService@ab91cd0',
    'spring-projects__spring-petclinic@d47820b',
    'DataDog__vulnerable-java-application@eda3f31',
    'psf__requests-html@c561e9b',
    'gothinkster__rails-realworld-example-app@a2ae4ff',
  ])('finds in %s the packages of the recorded trivy run', async (name) => {
    const opts = await runOptions();
    const got = await runTrivyFs(trivy, path.join(FIXTURES, 'repos', name), opts);
    const recorded = parseTrivyReport(JSON.parse(await readFile(path.join(FIXTURES, 'trivy', `${name}.json`), 'utf8')));
    expect(got.packages.length).toBeGreaterThan(0);
    expect(got.packages.map(key).sort()).toEqual(recorded.packages.map(key).sort());
    expect(got.artifact.type).toBe('filesystem');
    expect(await readdir(opts.tmpDir)).toEqual([]); // the report file is removed
  });

  it('scans a directory whose name starts with "-" (never taken for an option)', async () => {
    const base = await tmpDir();
    const dir = path.join(base, '-repo');
    await mkdir(dir);
    await cp(path.join(FIXTURES, 'repos/opensourceways__infraAIService@ab91cd0/requirements.txt'), path.join(dir, 'requirements.txt'));
    const got = await runTrivyFs(trivy, '-repo', await runOptions({ cwd: base }));
    expect(got.packages).toHaveLength(18);
    expect(got.artifact.name).toBe(dir);
  });

  it('a directory that does not exist is an External error before trivy runs', async () => {
    const err = await thrown(runTrivyFs(trivy, '/nonexistent/icms-repo', await runOptions()));
    expect(err.exitCode).toBe(ExitCode.External);
    expect(err.message).toBe('trivy fs: /nonexistent/icms-repo is not a directory');
  });
});

describe('runTrivyFs failures (fake trivy scripts)', () => {
  it('passes exactly the documented arguments, in tmpDir, with a secret-free environment', async () => {
    const base = await tmpDir();
    const record = path.join(base, 'argv');
    const trivy = await fakeTrivy(
      `printf '%s\\n' "$@" > ${record}; pwd >> ${record}; env | sort >> ${record}; printf '{"SchemaVersion":2,"ArtifactName":"x","ArtifactType":"filesystem"}' > "$out"`,
    );
    const opts = await runOptions({
      timeoutMs: 90_000, extraArgs: ['--skip-dirs', 'vendor'],
      env: pickEnv({ PATH: '/usr/bin:/bin', HOME: '/root', ICMS_OPS_TOKEN: 'sekrit-token', GITHUB_TOKEN: 'ghp_x', TRIVY_SCANNERS: 'vuln' }),
    });
    const got = await runTrivyFs(trivy, base, opts);
    expect(got.packages).toEqual([]);
    const lines = (await readFile(record, 'utf8')).trimEnd().split('\n');
    const outFile = lines[14] ?? '';
    expect(lines.slice(0, 17)).toEqual([
      'fs', base, '--list-all-pkgs', '--format', 'json', '--scanners', 'license', '--offline-scan', '--quiet',
      '--cache-dir', opts.cacheDir, '--timeout', '90s', '--output', outFile, '--skip-dirs', 'vendor',
    ]);
    expect(lines[17]).toBe(opts.tmpDir); // trivy's cwd: a repository's trivy.yaml is never picked up
    expect(path.dirname(outFile)).toBe(opts.tmpDir);
    const env = lines.slice(18).join('\n');
    expect(env).toContain('HOME=/root');
    expect(env).not.toMatch(/sekrit|ghp_|TRIVY_SCANNERS/);
  });

  it('non-zero exit -> External error with the last 20 stderr lines', async () => {
    const trivy = await fakeTrivy('i=1; while [ $i -le 30 ]; do echo "stderr line $i" >&2; i=$((i+1)); done; exit 3');
    const err = await thrown(runTrivyFs(trivy, await tmpDir(), await runOptions()));
    expect(err.exitCode).toBe(ExitCode.External);
    expect(err.message).toMatch(/^trivy fs \S+ exited 3\n--- trivy stderr \(last lines\) ---\nstderr line 11\n/);
    expect(err.message).toMatch(/stderr line 30$/);
    expect(err.message).not.toContain('stderr line 10\n');
  });

  it('non-zero exit without stderr (the cdxgen build prints nothing) says so', async () => {
    const trivy = await fakeTrivy('exit 1');
    const err = await thrown(runTrivyFs(trivy, await tmpDir(), await runOptions()));
    expect(err.message).toMatch(/exited 1 without an error message/);
  });

  it('truncated JSON -> External error naming the size and the stderr tail', async () => {
    const trivy = await fakeTrivy('printf \'{"SchemaVersion":2,"Results":[{"Target":"go.mod"\' > "$out"; echo "disk full?" >&2');
    const err = await thrown(runTrivyFs(trivy, await tmpDir(), await runOptions()));
    expect(err.exitCode).toBe(ExitCode.External);
    expect(err.message).toMatch(/report is not valid JSON \(48 bytes, truncated\?\): it ends early inside Results\[0\] at character 48\n--- trivy stderr \(last lines\) ---\ndisk full\?$/);
  });

  it('valid JSON of the wrong shape -> External error from the parser', async () => {
    const trivy = await fakeTrivy('printf \'{"Results":{"a":1}}\' > "$out"');
    const err = await thrown(runTrivyFs(trivy, await tmpDir(), await runOptions()));
    expect(err.message).toMatch(/"Results" is not an array/);
  });

  it('exit 0 without a report file -> External error', async () => {
    const trivy = await fakeTrivy('exit 0');
    const err = await thrown(runTrivyFs(trivy, await tmpDir(), await runOptions()));
    expect(err.message).toMatch(/exited 0 but wrote no report/);
  });

  it('a run past the timeout is killed -> External error with what it printed', async () => {
    const trivy = await fakeTrivy('echo "analyzing..." >&2; exec sleep 30');
    const err = await thrown(runTrivyFs(trivy, await tmpDir(), await runOptions({ timeoutMs: 300 })));
    expect(err.exitCode).toBe(ExitCode.External);
    expect(err.message).toMatch(/timed out after 300 ms\n--- trivy stderr \(last lines\) ---\nanalyzing\.\.\.$/);
  });

  it('a stderr tail with credentials in URLs is redacted', async () => {
    const trivy = await fakeTrivy('echo "fetch https://user:hunter22@example.invalid/x failed" >&2; exit 2');
    const err = await thrown(runTrivyFs(trivy, await tmpDir(), await runOptions()));
    expect(err.message).toContain('https://***@example.invalid/x');
    expect(err.message).not.toContain('hunter22');
  });

  it('a relative directory without a cwd is a bug, not a guess', async () => {
    const err = await thrown(runTrivyFs(await fakeTrivy('exit 0'), 'repo', await runOptions()));
    expect(err.exitCode).toBe(ExitCode.Bug);
  });

  it('trivyVersion of something that is not trivy -> External error', async () => {
    const notTrivy = await fakeTrivy('echo "hello"');
    const err = await thrown(trivyVersion(notTrivy));
    expect(err.message).toMatch(/--version printed no "Version:" line/);
  });
});
