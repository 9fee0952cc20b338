import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/demo.js';
import { buildDebianImage } from '../helpers/image.js';
import { tmpDir } from '../helpers/tmp.js';

describe('icms scan --image-tar (real trivy on an image built in the test) and distro matching', () => {
  it('stores OS and language packages of the image and matches Debian advisories by source package and epoch', async () => {
    const dir = await tmpDir();
    const tar = await buildDebianImage();
    await writeFile(path.join(dir, 'icms.yaml'), `advisories:\n  sources:\n    - {name: debian, type: osv, path: ${path.join(FIXTURES, 'images/osv-debian')}}\n`);
    const cli = (...argv: string[]) => runCli(argv, { cwd: dir });

    const scan = await cli('scan', '--image-tar', tar, '--label', '4.1.0', '--format', 'json');
    expect(scan.code, scan.stderr).toBe(0);
    // npm: lodash and the app's own package.json (trivy's node-pkg lists every package.json in the image)
    expect(JSON.parse(scan.stdout)).toMatchObject({ scanned: 1, per_ecosystem: { 'Debian:11': 3, npm: 2 } });
    const db = new Database(path.join(dir, 'icms.db'), { readonly: true });
    expect(db.prepare("SELECT kind, url FROM projects").all()).toEqual([{ kind: 'image', url: tar }]);
    expect(db.prepare("SELECT name, version, match_name, match_version FROM packages WHERE ecosystem = 'Debian:11' ORDER BY name").all()).toEqual([
      { name: 'bsdutils', version: '1:2.36.1-8', match_name: 'util-linux', match_version: '2.36.1-8' },
      { name: 'libssl1.1', version: '1.1.1k-1', match_name: 'openssl', match_version: '1.1.1k-1' },
      { name: 'zlib1g', version: '1:1.2.11.dfsg-2', match_name: 'zlib', match_version: '1:1.2.11.dfsg-2' },
    ]);
    expect(db.prepare("SELECT label FROM scans").all()).toEqual([{ label: '4.1.0' }]);
    db.close();

    expect((await cli('sync-vulns')).code).toBe(0);
    const match = await cli('match', '--format', 'json');
    expect(match.code, match.stderr).toBe(0);
    const found = (JSON.parse(match.stdout).findings as { package: string; advisory_id: string; fixed_version: string }[])
      .map((f) => `${f.package} ${f.advisory_id} -> ${f.fixed_version}`)
      .sort();
    // Checked by hand against the DSA texts: each fixed version is above the installed *source* version.
    // bsdutils is the epoch trap: its binary version 1:2.36.1-8 would sort above the fix 2.36.1-8+deb11u1,
    // but the advisory names the source util-linux, whose version 2.36.1-8 is below it.
    expect(found).toEqual([
      'bsdutils CVE-2021-3995 -> 2.36.1-8+deb11u1',
      'libssl1.1 CVE-2021-4160 -> 1.1.1k-1+deb11u2',
      'zlib1g CVE-2018-25032 -> 1:1.2.11.dfsg-2+deb11u1',
      'zlib1g CVE-2022-37434 -> 1:1.2.11.dfsg-2+deb11u2',
    ]);
  }, 90_000);
});
