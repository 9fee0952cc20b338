import { describe, it, expect } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseGitAuthConfig, registryAuthFor } from '../../src/gitsync/auth.js';
import { runTrivyImage } from '../../src/scanner/trivy.js';
import { ExitCode } from '../../src/shared/errors.js';
import { fakeTrivy, runOptions } from '../scanner/trivy-helpers.js';
import { tmpDir } from '../helpers/tmp.js';

const auth = parseGitAuthConfig({ 'registry.example.com': { token_env: 'REG_TOKEN', username: 'ci-bot' }, 'localhost:5000': { token_env: 'LOCAL_TOKEN' } });

describe('registry credentials for inventory images (git.auth per host, token from the environment)', () => {
  it.each([
    ['registry.example.com/acme/shop:4.1.0', { username: 'ci-bot', password: 's3cret' }],
    ['localhost:5000/shop@sha256:abc', { username: 'x-access-token', password: 'l0cal' }],
    ['other.example.com/acme/shop:1', undefined],
    ['acme/shop:1', undefined], // Docker Hub: no host in the ref
    ['shop:1', undefined],
  ])('%s', (ref, expected) => {
    expect(registryAuthFor(ref, auth, { REG_TOKEN: 's3cret', LOCAL_TOKEN: 'l0cal' })).toEqual(expected);
  });

  it('an unset variable is a usage error naming the entry and the variable', () => {
    expect(() => registryAuthFor('registry.example.com/acme/shop:1', auth, {})).toThrow(
      expect.objectContaining({ exitCode: ExitCode.Usage, message: 'git.auth.registry.example.com: environment variable REG_TOKEN is not set (needed to pull registry.example.com/acme/shop:1)' }),
    );
  });

  it('trivy gets them as TRIVY_USERNAME / TRIVY_PASSWORD in its environment, never as arguments', async () => {
    const out = path.join(await tmpDir(), 'seen');
    const trivy = await fakeTrivy(`env > ${out}.env; echo "$@" > ${out}.args; echo '{"SchemaVersion":2,"ArtifactName":"x","ArtifactType":"container_image","Results":[]}' > "$out"`);
    await runTrivyImage(trivy, 'registry.example.com/acme/shop:4.1.0', await runOptions({ registryAuth: { username: 'ci-bot', password: 's3cret' } }));
    const env = await readFile(`${out}.env`, 'utf8');
    expect(env).toContain('TRIVY_USERNAME=ci-bot\n');
    expect(env).toContain('TRIVY_PASSWORD=s3cret\n');
    expect(await readFile(`${out}.args`, 'utf8')).not.toContain('s3cret');
  });
});
