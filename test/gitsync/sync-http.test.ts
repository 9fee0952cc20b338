import { randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/shared/errors.js';
import type { Logger } from '../../src/shared/log.js';
import { authHeaderFor } from '../../src/gitsync/auth.js';
import { remoteHead, syncRepo, type SyncOptions } from '../../src/gitsync/sync.js';
import { makeGitRepo } from '../helpers/git.js';
import { startGitHttpServer, startHangingServer } from '../helpers/git-http-server.js';
import { tmpDir } from '../helpers/tmp.js';
import { rejectionOf as caught } from '../helpers/errors.js';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string): void => {
    lines.push(m);
  };
  return { lines, debug: push, info: push, warn: push, error: push, progress: push };
}

/** Every file under `dir` (including .git internals), as raw bytes. */
async function allFiles(dir: string): Promise<{ file: string; data: Buffer }[]> {
  const out: { file: string; data: Buffer }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.push({ file, data: await readFile(file) });
  }
  return out;
}

async function privateRemote() {
  const token = `icms-canary-${randomBytes(12).toString('hex')}`;
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ICMS_TEST_TOKEN: token };
  const remote = await makeGitRepo({ 'package.json': '{"name":"private"}' });
  // Build the expected header by hand (not with authHeaderFor) so the server checks the real wire format.
  const expected = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
  const server = await startGitHttpServer(path.dirname(remote.bareDir), { requireAuth: expected });
  const url = `${server.baseUrl}/remote.git`;
  const auth = authHeaderFor(url, { '127.0.0.1': { token_env: 'ICMS_TEST_TOKEN' } }, env);
  const logger = recordingLogger();
  const opts: SyncOptions = { workDir: await tmpDir(), timeoutMs: 30_000, logger, env, auth };
  return { token, expected, remote, server, url, opts, logger, secrets: [token, expected.slice(6), auth!] };
}

describe('syncRepo over HTTP with a token (git http-backend on 127.0.0.1)', () => {
  it('clones and updates with the token sent as a header, and the token lands nowhere on disk or in logs', async () => {
    const { remote, server, url, opts, logger, expected, secrets } = await privateRemote();
    const first = await syncRepo({ url, branch: 'main' }, opts);
    expect(first.action).toBe('cloned');
    expect(JSON.parse(await readFile(path.join(first.dir, 'package.json'), 'utf8'))).toEqual({ name: 'private' });
    const head = await remote.commit({ 'package-lock.json': '{}' });
    expect(await syncRepo({ url, branch: 'main' }, opts)).toEqual({ dir: first.dir, head, action: 'updated' });
    expect(await remoteHead({ url, branch: 'main' }, opts)).toBe(head);

    // Every request (ls-remote, clone, fetch) carried the header; none went without it.
    expect(server.requests.length).toBeGreaterThanOrEqual(4);
    expect(server.requests.every((r) => r.authorization === expected)).toBe(true);

    const files = await allFiles(opts.workDir);
    expect(files.some((f) => f.file.endsWith(path.join('.git', 'config')))).toBe(true);
    for (const { file, data } of files) {
      for (const s of secrets) expect(data.includes(s), `${s} found in ${file}`).toBe(false);
      expect(data.toString('latin1').toLowerCase().includes('extraheader'), file).toBe(false);
    }
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const line of logger.lines) for (const s of secrets) expect(line).not.toContain(s);
  });

  it('without the token it fails at once with an auth error (no prompt, no hang)', async () => {
    const { url, opts, server } = await privateRemote();
    const err = await caught(syncRepo({ url, branch: 'main' }, { ...opts, auth: undefined }));
    expect(err.exitCode).toBe(ExitCode.External);
    expect(err.message).toMatch(new RegExp(`^authentication failed for ${url}: `));
    expect(err.message).not.toMatch(/timed out/);
    expect(err.hint).toContain('git.auth');
    expect(server.requests.every((r) => r.authorization === undefined)).toBe(true);
    expect(await readdir(path.join(opts.workDir, 'repos', '127.0.0.1%3A' + new URL(url).port))).toEqual([]);
  });

  it('a wrong token fails with an auth error that shows no part of the token', async () => {
    const { url, opts, logger } = await privateRemote();
    const wrongToken = `icms-canary-wrong-${randomBytes(8).toString('hex')}`;
    const auth = authHeaderFor(url, { '127.0.0.1': { token_env: 'T' } }, { T: wrongToken })!;
    const err = await caught(syncRepo({ url, branch: 'main' }, { ...opts, auth }));
    expect(err.message).toMatch(/^authentication failed for /);
    const everything = [err.message, err.hint ?? '', err.stack ?? '', inspect(err, { depth: 10 }), ...logger.lines].join('\n');
    for (const s of [wrongToken, auth, auth.slice('Authorization: Basic '.length)]) expect(everything).not.toContain(s);
  });
});

describe('timeouts', () => {
  it('a remote that accepts and never answers ends with a timeout error', async () => {
    const { baseUrl } = await startHangingServer();
    const opts: SyncOptions = {
      workDir: await tmpDir(),
      timeoutMs: 2_000,
      logger: recordingLogger(),
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    };
    const url = `${baseUrl}/hanging/repo.git`;
    const err = await caught(syncRepo({ url, branch: 'main' }, opts));
    expect(err.exitCode).toBe(ExitCode.External);
    expect(err.message).toBe(`git ls-remote of ${url} timed out after 2s`);
  });
});
