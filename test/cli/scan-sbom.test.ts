import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/demo.js';
import { buildDebianImage } from '../helpers/image.js';
import { tmpDir } from '../helpers/tmp.js';
import { trivySbom } from '../scanner/sbom-helpers.js';

const DSA_FINDINGS = [
  'bsdutils CVE-2021-3995 -> 2.36.1-8+deb11u1',
  'libssl1.1 CVE-2021-4160 -> 1.1.1k-1+deb11u2',
  'zlib1g CVE-2018-25032 -> 1:1.2.11.dfsg-2+deb11u1',
  'zlib1g CVE-2022-37434 -> 1:1.2.11.dfsg-2+deb11u2',
];
type JsonFinding = { package: string; advisory_id: string; fixed_version: string };
const summary = (fs: JsonFinding[]) => fs.map((f) => `${f.package} ${f.advisory_id} -> ${f.fixed_version}`).sort();

describe('icms scan --sbom (SBOMs written by the real trivy from an image built in the test)', () => {
  it('ad hoc: lists and matches the packages of a CycloneDX and an SPDX SBOM, storing no project', async () => {
    const dir = await tmpDir();
    const tar = await buildDebianImage();
    const cdx = await trivySbom('image', tar, 'cyclonedx');
    const spdx = await trivySbom('image', tar, 'spdx-json');
    await writeFile(path.join(dir, 'icms.yaml'), `advisories:\n  sources:\n    - {name: debian, type: osv, path: ${path.join(FIXTURES, 'images/osv-debian')}}\n`);
    const cli = (...argv: string[]) => runCli(argv, { cwd: dir });
    expect((await cli('sync-vulns')).code).toBe(0);

    const r = await cli('scan', '--sbom', cdx, '--sbom', spdx, '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const targets = JSON.parse(r.stdout).targets as { target: string; packages: unknown[]; findings: { package: string; advisory_id: string; fixed_version: string }[] }[];
    expect(targets.map((t) => [t.target, t.packages.length])).toEqual([[cdx, 5], [spdx, 5]]);
    for (const t of targets) expect(t.findings.map((f) => `${f.package} ${f.advisory_id} -> ${f.fixed_version}`).sort()).toEqual(DSA_FINDINGS);
    const db = new Database(path.join(dir, 'icms.db'), { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM projects').get()).toEqual({ n: 0 });
    db.close();
  }, 90_000);

  it('--save --name stores the SBOM as a project whose findings match like the image scanned by trivy', async () => {
    const dir = await tmpDir();
    const cdx = await trivySbom('image', await buildDebianImage(), 'cyclonedx');
    await writeFile(path.join(dir, 'icms.yaml'), `advisories:\n  sources:\n    - {name: debian, type: osv, path: ${path.join(FIXTURES, 'images/osv-debian')}}\n`);
    const cli = (...argv: string[]) => runCli(argv, { cwd: dir });
    expect((await cli('sync-vulns')).code).toBe(0);

    const scan = await cli('scan', '--sbom', cdx, '--save', '--name', 'shop-image', '--format', 'json');
    expect(scan.code, scan.stderr).toBe(0);
    expect(JSON.parse(scan.stdout)).toMatchObject({ scanned: 1, per_ecosystem: { 'Debian:11': 3, npm: 2 } });
    const db = new Database(path.join(dir, 'icms.db'), { readonly: true });
    expect(db.prepare('SELECT kind, url, name FROM projects').all()).toEqual([{ kind: 'local', url: cdx, name: 'shop-image' }]);
    db.close();
    const match = await cli('match', '--format', 'json');
    expect(match.code, match.stderr).toBe(0);
    expect(summary(JSON.parse(match.stdout).findings)).toEqual(DSA_FINDINGS);
  }, 90_000);

  it('a file that is not an SBOM, or no file, is an input error (exit 2) naming it; --name names one target', async () => {
    const dir = await tmpDir();
    await writeFile(path.join(dir, 'trivy.json'), '{"SchemaVersion":2,"Results":[]}');
    const bad = await runCli(['scan', '--sbom', 'trivy.json'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${path.join(dir, 'trivy.json')}: neither CycloneDX`);
    const missing = await runCli(['scan', '--sbom', 'nope.cdx.json', '--save'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--sbom ${path.join(dir, 'nope.cdx.json')}: no such file`);
    const name = await runCli(['scan', '--sbom', 'trivy.json', '--sbom', 'trivy.json', '--name', 'x'], { cwd: dir });
    expect(name.code).toBe(2);
    expect(name.stderr).toContain('--name names one target');
  });
});
