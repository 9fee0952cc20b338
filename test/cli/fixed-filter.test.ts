import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { runCli } from '../helpers/cli.js';
import { FIXTURES } from '../helpers/demo.js';
import { tmpDir } from '../helpers/tmp.js';

/**
 * lodash 4.17.20 has GHSA-35jh-r3h4-6jhm (fixed in 4.17.21); hapi-auth-jwt2 5.1.1 has NSWG-ECO-81, which OSV
 * records with last_affected and no fix. --ignore-unfixed / --only-fixed keep only the first.
 */
async function setup() {
  const dir = await tmpDir();
  const osv = path.join(dir, 'osv');
  await mkdir(osv);
  for (const id of ['GHSA-35jh-r3h4-6jhm', 'NSWG-ECO-81']) await copyFile(path.join(FIXTURES, 'osv/npm', `${id}.json`), path.join(osv, `${id}.json`));
  await writeFile(path.join(dir, 'icms.yaml'), `advisories:\n  sources:\n    - {name: osv-npm, type: osv, path: ${osv}}\n`);
  await writeFile(path.join(dir, 'app.cdx.json'), JSON.stringify({
    bomFormat: 'CycloneDX', specVersion: '1.5', version: 1,
    components: [
      { type: 'library', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' },
      { type: 'library', name: 'hapi-auth-jwt2', version: '5.1.1', purl: 'pkg:npm/hapi-auth-jwt2@5.1.1' },
    ],
  }));
  await writeFile(path.join(dir, 'unfixed.cdx.json'), JSON.stringify({
    bomFormat: 'CycloneDX', specVersion: '1.6', version: 1,
    components: [{ type: 'library', name: 'hapi-auth-jwt2', version: '5.1.1', purl: 'pkg:npm/hapi-auth-jwt2@5.1.1' }],
  }));
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir });
  expect((await cli('sync-vulns')).code).toBe(0);
  return cli;
}

const packages = (list: { package: string }[]) => list.map((f) => f.package).sort();

describe('--ignore-unfixed / --only-fixed', () => {
  it('scan (ad hoc), match, report and the SBOM report hide findings without a fixed version, and they do not trip --fail-on', async () => {
    const cli = await setup();
    const adhoc = async (...extra: string[]) => JSON.parse((await cli('scan', '--sbom', 'app.cdx.json', '--format', 'json', ...extra)).stdout).targets[0].findings;
    expect(packages(await adhoc())).toEqual(['hapi-auth-jwt2', 'lodash']);
    expect(packages(await adhoc('--ignore-unfixed'))).toEqual(['lodash']);

    expect((await cli('scan', '--sbom', 'app.cdx.json', '--save', '--name', 'app')).code).toBe(0);
    const match = async (...extra: string[]) => {
      const r = await cli('match', '--format', 'json', ...extra);
      return { code: r.code, findings: JSON.parse(r.stdout).findings };
    };
    expect(packages((await match()).findings)).toEqual(['hapi-auth-jwt2', 'lodash']);
    expect(packages((await match('--only-fixed')).findings)).toEqual(['lodash']);

    const report = async (...extra: string[]) => JSON.parse((await cli('report', '--format', 'json', ...extra)).stdout).findings;
    expect(packages(await report())).toEqual(['hapi-auth-jwt2', 'lodash']);
    expect(packages(await report('--ignore-unfixed'))).toEqual(['lodash']);
    const bom = JSON.parse((await cli('report', '--format', 'cyclonedx', '--only-fixed')).stdout);
    expect(bom.vulnerabilities.map((v: { id: string }) => v.id)).toEqual(['CVE-2021-23337']); // GHSA-35jh-r3h4-6jhm's CVE
  }, 60_000);

  it('the gate: a finding without a fix does not trip --fail-on when hidden (ad hoc scan and match)', async () => {
    const cli = await setup();
    expect((await cli('scan', '--sbom', 'unfixed.cdx.json', '--fail-on', 'low')).code).toBe(1);
    expect((await cli('scan', '--sbom', 'unfixed.cdx.json', '--fail-on', 'low', '--ignore-unfixed')).code).toBe(0);
    expect((await cli('scan', '--sbom', 'unfixed.cdx.json', '--save')).code).toBe(0);
    expect((await cli('match', '--fail-on', 'low')).code).toBe(1);
    expect((await cli('match', '--fail-on', 'low', '--only-fixed')).code).toBe(0);
  }, 60_000);
});
