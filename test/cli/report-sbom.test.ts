import { beforeAll, describe, it, expect } from 'vitest';
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { cyclonedxValidator, spdxValidator } from '../helpers/schemas.js';
import { tmpDir } from '../helpers/tmp.js';
import { buildSbomStore, type SbomStore } from '../helpers/sbom-store.js';

type Row = { ecosystem: string; name: string; version: string; matchName: string; matchVersion: string };
const keys = (rows: Row[]) => rows.map((r) => `${r.ecosystem} ${r.name} ${r.version} ${r.matchName} ${r.matchVersion}`).sort();
/** A package of `scan --format json` (snake_case, schema_version 2) as a Row. */
const fromJson = (p: { ecosystem: string; name: string; version: string; match_name: string; match_version: string }): Row => ({ ecosystem: p.ecosystem, name: p.name, version: p.version, matchName: p.match_name, matchVersion: p.match_version });

let dir: string;
let cli: SbomStore['cli'];

beforeAll(async () => {
  ({ dir, cli } = await buildSbomStore());
}, 120_000);

function storedPackages(): Row[] {
  const db = new Database(path.join(dir, 'icms.db'), { readonly: true });
  try {
    return db.prepare('SELECT ecosystem, name, version, match_name AS matchName, match_version AS matchVersion FROM packages').all() as Row[];
  } finally {
    db.close();
  }
}

describe('icms report --format cyclonedx', () => {
  it('is a valid CycloneDX 1.6 BOM: components with purls, vulnerabilities with ratings and the triage state as analysis', async () => {
    const r = await cli('report', '--format', 'cyclonedx', '--project', 'shop');
    expect(r.code, r.stderr).toBe(0);
    const bom = JSON.parse(r.stdout);
    const validate = cyclonedxValidator('1.6');
    expect(validate(bom), JSON.stringify(validate.errors)).toBe(true);
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6', metadata: { component: { name: 'shop' }, tools: { components: [{ name: 'icms' }] } } });
    expect(bom.components.map((c: { purl: string }) => c.purl).sort()).toEqual([
      'pkg:deb/debian/bsdutils@2.36.1-8?arch=amd64&epoch=1&distro=debian-11.7',
      'pkg:deb/debian/libssl1.1@1.1.1k-1?arch=amd64&distro=debian-11.7',
      'pkg:deb/debian/zlib1g@1.2.11.dfsg-2?arch=amd64&epoch=1&distro=debian-11.7',
      'pkg:npm/app@1.0.0',
      'pkg:npm/lodash@4.17.20',
    ]);
    const byId = Object.fromEntries(bom.vulnerabilities.map((v: { id: string }) => [v.id, v]));
    expect(Object.keys(byId).sort()).toEqual(['CVE-2018-25032', 'CVE-2021-3995', 'CVE-2021-4160', 'CVE-2022-37434']);
    expect(byId['CVE-2021-3995']).toMatchObject({
      source: { name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-3995' },
      analysis: { state: 'exploitable', response: ['will_not_fix'], detail: 'su and mount are not in the runtime path (accepted until 2099-12-31)' },
      recommendation: 'upgrade bsdutils to 2.36.1-8+deb11u1',
    });
    expect(byId['CVE-2022-37434'].analysis).toEqual({ state: 'false_positive', detail: 'inflateGetHeader is never called' });
    expect(byId['CVE-2021-4160'].analysis).toEqual({ state: 'in_triage' });
    expect(byId['CVE-2021-4160'].ratings[0].severity).toMatch(/^(unknown|low|medium|high|critical)$/);
    const bsdutils = bom.components.find((c: { name: string }) => c.name === 'bsdutils');
    expect(byId['CVE-2021-3995'].affects).toEqual([{ ref: bsdutils['bom-ref'], versions: [{ version: '1:2.36.1-8', status: 'affected' }] }]);
  });

  it('round trip: scan --sbom of the exported BOM gives the same packages, so the same findings', async () => {
    expect((await cli('report', '--format', 'cyclonedx', '--project', 'shop', '--output', 'shop.cdx.json')).code).toBe(0);
    const r = await cli('scan', '--sbom', 'shop.cdx.json', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const [target] = JSON.parse(r.stdout).targets as { packages: Parameters<typeof fromJson>[0][]; findings: unknown[] }[];
    expect(keys(target!.packages.map(fromJson))).toEqual(keys(storedPackages()));
    expect(target!.findings).toHaveLength(4);
  });
});

describe('icms report --format spdx', () => {
  it('is a valid SPDX 2.3 document describing the project, its packages by purl and findings as advisory references', async () => {
    const r = await cli('report', '--format', 'spdx', '--project', 'shop', '--output', 'shop.spdx.json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(await readFile(path.join(dir, 'shop.spdx.json'), 'utf8'));
    const validate = spdxValidator();
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc).toMatchObject({ spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', name: 'shop' });
    expect(doc.packages).toHaveLength(6);
    const zlib = doc.packages.find((p: { name: string }) => p.name === 'zlib1g');
    expect(zlib.sourceInfo).toBe('built package from: zlib 1:1.2.11.dfsg-2');
    expect(zlib.externalRefs.filter((e: { referenceCategory: string }) => e.referenceCategory === 'SECURITY').map((e: { comment: string }) => e.comment.replace(/ (HIGH|MEDIUM|LOW|CRITICAL|UNKNOWN)( [\d.]+)?/, ''))).toEqual([
      'CVE-2018-25032, fixed in 1:1.2.11.dfsg-2+deb11u1; open',
      'CVE-2022-37434, fixed in 1:1.2.11.dfsg-2+deb11u2; false positive: inflateGetHeader is never called',
    ]);
    const back = await cli('scan', '--sbom', 'shop.spdx.json', '--format', 'json');
    expect(back.code, back.stderr).toBe(0);
    expect(keys(JSON.parse(back.stdout).targets[0].packages.map(fromJson))).toEqual(keys(storedPackages()));
  });

  it('an SBOM describes one project: several without --project is an input error', async () => {
    const other = await tmpDir();
    await writeFile(path.join(other, 'a.json'), JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [{ type: 'library', name: 'a', purl: 'pkg:npm/a@1.0.0' }] }));
    await writeFile(path.join(other, 'b.json'), JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, components: [{ type: 'library', name: 'b', purl: 'pkg:npm/b@1.0.0' }] }));
    expect((await runCli(['scan', '--sbom', 'a.json', '--sbom', 'b.json', '--save'], { cwd: other })).code).toBe(0);
    const r = await runCli(['report', '--format', 'spdx'], { cwd: other });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/an SBOM describes one project; the store has 2: .*a\.json.*b\.json/);
  });
});
