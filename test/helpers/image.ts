/** A real container image for tests: a one-layer docker-archive built with the `tar` CLI (Debian 11 dpkg + npm). */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { tmpDir } from './tmp.js';

// Three dpkg entries with the fields Debian 11 (bullseye) shipped: an epoch on binary and source (zlib1g),
// an epoch on the binary only with a differently versioned source (bsdutils), and a plain one (libssl1.1).
const DPKG_STATUS = `Package: bsdutils
Essential: yes
Status: install ok installed
Priority: required
Section: utils
Installed-Size: 393
Maintainer: util-linux packagers <util-linux@packages.debian.org>
Architecture: amd64
Multi-Arch: foreign
Source: util-linux (2.36.1-8)
Version: 1:2.36.1-8
Description: basic utilities from 4.4BSD-Lite

Package: libssl1.1
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 4126
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@lists.alioth.debian.org>
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 1.1.1k-1
Depends: libc6 (>= 2.25)
Description: Secure Sockets Layer toolkit - shared libraries

Package: zlib1g
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 166
Maintainer: Mark Brown <broonie@debian.org>
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: 1:1.2.11.dfsg-2
Provides: libz1
Depends: libc6 (>= 2.14)
Description: compression library - runtime

`;

const OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"
NAME="Debian GNU/Linux"
VERSION_ID="11"
VERSION="11 (bullseye)"
VERSION_CODENAME=bullseye
ID=debian
`;

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** Builds a one-layer docker-archive (`docker save` layout) with the `tar` CLI; returns the tar's path. */
export async function buildDebianImage(): Promise<string> {
  const base = await tmpDir('icms-image-');
  const root = path.join(base, 'rootfs');
  const files: Record<string, string> = {
    'etc/os-release': OS_RELEASE,
    'etc/debian_version': '11.7\n',
    'var/lib/dpkg/status': DPKG_STATUS,
    'app/package.json': '{"name":"app","version":"1.0.0","dependencies":{"lodash":"4.17.20"}}\n',
    'app/node_modules/lodash/package.json': '{"name":"lodash","version":"4.17.20","license":"MIT"}\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
  const image = path.join(base, 'image');
  await mkdir(image);
  await execa('tar', ['-C', root, '-cf', path.join(image, 'layer.tar'), 'etc', 'var', 'app']);
  const diffId = `sha256:${sha256(await readFile(path.join(image, 'layer.tar')))}`;
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffId] }, history: [{ created_by: 'icms test' }] });
  const configName = `${sha256(config)}.json`;
  await writeFile(path.join(image, configName), config);
  await writeFile(path.join(image, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: ['icms-test:1'], Layers: ['layer.tar'] }]));
  const tarPath = path.join(base, 'image.tar');
  await execa('tar', ['-C', image, '-cf', tarPath, 'manifest.json', configName, 'layer.tar']);
  return tarPath;
}

