import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { runTrivyImage } from '../../src/scanner/trivy.js';
import { ExitCode } from '../../src/shared/errors.js';
import { buildDebianImage } from '../helpers/image.js';
import { bundledTrivy, runOptions } from './trivy-helpers.js';
import { rejectionOf as thrown } from '../helpers/errors.js';

describe('runTrivyImage with the real bundled trivy', () => {
  const trivy = bundledTrivy();

  it('lists dpkg packages of a docker-archive tar as Debian:11 with their source packages, plus npm packages', async () => {
    const tarPath = await buildDebianImage();
    const r = await runTrivyImage(trivy, { tarPath }, await runOptions());
    expect(r.artifact).toMatchObject({ type: 'container_image', os: { family: 'debian', release: '11.7' } });
    const os = r.packages.filter((p) => p.pkgType === 'debian').map((p) => [p.ecosystem, p.name, p.version, p.matchName, p.matchVersion]);
    expect(os.sort()).toEqual([
      ['Debian:11', 'bsdutils', '1:2.36.1-8', 'util-linux', '2.36.1-8'],
      ['Debian:11', 'libssl1.1', '1.1.1k-1', 'openssl', '1.1.1k-1'],
      ['Debian:11', 'zlib1g', '1:1.2.11.dfsg-2', 'zlib', '1:1.2.11.dfsg-2'],
    ]);
    expect(r.packages.find((p) => p.name === 'lodash')).toMatchObject({ ecosystem: 'npm', version: '4.17.20', indirect: false });
    expect(r.warnings).toEqual([]);
  });

  it('a relative tar path is resolved against cwd', async () => {
    const tarPath = await buildDebianImage();
    const r = await runTrivyImage(trivy, { tarPath: 'image.tar' }, await runOptions({ cwd: path.dirname(tarPath) }));
    expect(r.packages.filter((p) => p.ecosystem === 'Debian:11')).toHaveLength(3);
  });

  it('an image that cannot be read or pulled is an External error with the docker-save hint', async () => {
    // A registry on a closed loopback port: no traffic leaves the machine.
    const err = await thrown(runTrivyImage(trivy, '127.0.0.1:1/icms/none:1', await runOptions({ timeoutMs: 60_000 })));
    expect(err.exitCode).toBe(ExitCode.External);
    expect(err.message).toMatch(/^trivy image 127\.0\.0\.1:1\/icms\/none:1 exited 1/);
    expect(err.hint).toMatch(/docker save IMAGE -o image\.tar/);
  });

  it('a missing tar fails before trivy runs; a ref that looks like an option is a usage error', async () => {
    const missing = await thrown(runTrivyImage(trivy, { tarPath: '/nonexistent/image.tar' }, await runOptions()));
    expect(missing.message).toBe('trivy image: /nonexistent/image.tar is not a file');
    const bad = await thrown(runTrivyImage(trivy, '--config=/etc/passwd', await runOptions()));
    expect(bad.exitCode).toBe(ExitCode.Usage);
  });
});
