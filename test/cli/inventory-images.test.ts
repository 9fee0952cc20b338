import { describe, it, expect, onTestFinished } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { copyFile, writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/demo.js';
import { makeGitRepo } from '../helpers/git.js';
import { buildDebianImage } from '../helpers/image.js';
import { tmpDir } from '../helpers/tmp.js';

describe('images in the inventory (real git remote, real trivy on an image tar built in the test)', () => {
  it('fetch-projects stores the image; scan --all scans it with trivy image; its findings are its own; dropping it removes it', async () => {
    const dir = await tmpDir();
    await copyFile(await buildDebianImage(), path.join(dir, 'shop-4.1.0.tar'));
    const remote = await makeGitRepo({ 'package.json': '{"name":"shop","version":"1.0.0"}\n' });
    const inventory = (images: string) => `projects:\n  - url: ${remote.url}\n    maintainers: [{name: Alice, email: alice@example.com}]\n    labels: {exposure: internet}\n${images}`;
    await writeFile(path.join(dir, 'inventory.yaml'), inventory('    images: [{ref: shop-4.1.0.tar}]\n'));
    await writeFile(path.join(dir, 'icms.yaml'), `inventory: {source: file, file: inventory.yaml}\nadvisories:\n  sources:\n    - {name: debian, type: osv, path: ${path.join(FIXTURES, 'images/osv-debian')}}\n`);
    const cli = (...argv: string[]) => runCli(argv, { cwd: dir });
    const tar = path.join(dir, 'shop-4.1.0.tar');

    // an ad hoc scan of the same tar first: the inventory takes that project over instead of duplicating it
    expect((await cli('scan', '--image-tar', tar)).code).toBe(0);
    const fetch = await cli('fetch-projects');
    expect(fetch.code, fetch.stderr).toBe(0);
    const db = () => new Database(path.join(dir, 'icms.db'), { readonly: true });
    let d = db();
    expect(d.prepare("SELECT kind, url, status, labels FROM projects WHERE kind = 'image'").all()).toEqual([
      { kind: 'image', url: tar, status: 'active', labels: JSON.stringify({ exposure: 'internet', image: 'shop-4.1.0.tar', repo: remote.url.replace(/\.git$/, '') }) },
    ]);
    d.close();

    const scan = await cli('scan', '--all', '--label', '4.1.0', '--format', 'json');
    expect(scan.code, scan.stderr).toBe(0);
    expect(JSON.parse(scan.stdout)).toMatchObject({ scanned: 2, failed: 0, per_ecosystem: { 'Debian:11': 3 } });
    expect((await cli('sync-vulns')).code).toBe(0);
    const match = await cli('match', '--format', 'json');
    expect(match.code, match.stderr).toBe(0);
    const findings = JSON.parse(match.stdout).findings as { project: string; package: string }[];
    expect([...new Set(findings.map((f) => f.project))]).toEqual([tar]);
    expect(findings.map((f) => f.package).sort()).toEqual(['bsdutils', 'libssl1.1', 'zlib1g', 'zlib1g']);

    // the release captain's check over the images of the release: one CVE accepted in the table, three new
    await writeFile(path.join(dir, 'accepted.md'), '| CVE | Component | Justification |\n|-----|-----------|---------------|\n| CVE-2021-4160 | libssl1.1 | client TLS only |\n');
    const diff = await cli('triage', 'diff', '--table', 'accepted.md', '--label', 'image=shop-4.1.0.tar', '--format', 'json');
    expect(diff.code, diff.stderr).toBe(1);
    const checked = JSON.parse(diff.stdout) as { new: { ids?: string[]; groupId?: string; id?: string }[]; accepted?: unknown[] };
    expect(checked.new).toHaveLength(3);
    expect(JSON.stringify(checked.new)).not.toContain('CVE-2021-4160');
    const none = await cli('triage', 'diff', '--table', 'accepted.md', '--label', 'image=other.tar', '--format', 'json');
    expect(JSON.parse(none.stdout).new).toHaveLength(0);

    await writeFile(path.join(dir, 'inventory.yaml'), inventory(''));
    expect((await cli('fetch-projects')).code).toBe(0);
    d = db();
    expect(d.prepare("SELECT status FROM projects WHERE kind = 'image'").all()).toEqual([{ status: 'removed' }]);
    d.close();
  }, 120_000);

  it('an inventory entry may point at an SBOM (a path, or a URL fetched over HTTP) instead of a repository', async () => {
    const dir = await tmpDir();
    const bom = (name: string, version: string) => JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'library', name, version, purl: `pkg:npm/${name}@${version}` }] });
    await writeFile(path.join(dir, 'billing.cdx.json'), bom('lodash', '4.17.20'));
    const server = http.createServer((req, res) => {
      if (req.url !== '/shop/sbom.json') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(bom('semver', '7.3.0'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => void server.close());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/shop/sbom.json`;
    await writeFile(path.join(dir, 'inventory.yaml'), `projects:\n  - sbom: billing.cdx.json\n    maintainers: [{email: bill@example.com}]\n  - sbom: ${url}\n    maintainers: [{email: shop@example.com}]\n    labels: {exposure: internet}\n`);
    await writeFile(path.join(dir, 'icms.yaml'), 'inventory: {source: file, file: inventory.yaml}\n');
    const cli = (...argv: string[]) => runCli(argv, { cwd: dir });
    expect((await cli('fetch-projects')).code).toBe(0);
    const scan = await cli('scan', '--all', '--format', 'json');
    expect(scan.code, scan.stderr).toBe(0);
    expect(JSON.parse(scan.stdout)).toMatchObject({ scanned: 2, failed: 0, per_ecosystem: { npm: 2 } });
    const d = new Database(path.join(dir, 'icms.db'), { readonly: true });
    expect(d.prepare('SELECT p.url, k.name, k.version FROM packages k JOIN projects p ON p.id = k.project_id ORDER BY k.name').all()).toEqual([
      { url: path.join(dir, 'billing.cdx.json'), name: 'lodash', version: '4.17.20' },
      { url, name: 'semver', version: '7.3.0' },
    ]);
    d.close();
  }, 60_000);
});

