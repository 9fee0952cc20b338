import { beforeAll, describe, it, expect } from 'vitest';
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { runCli } from '../helpers/cli.js';
import { tmpDir } from '../helpers/tmp.js';
import { buildSbomStore, type SbomStore } from '../helpers/sbom-store.js';
import { cyclonedxValidator, openvexValidator } from '../helpers/schemas.js';

let store: SbomStore;
const ZLIB_FIXED = 'pkg:deb/debian/zlib1g@1.2.11.dfsg-2%2Bdeb11u1?arch=amd64&epoch=1&distro=debian-11.7';

/** The same SBOM with zlib1g upgraded to the DSA-5218-1 fix (source release 2+deb11u1): CVE-2018-25032 becomes fixed. */
async function upgradeZlib(file: string): Promise<void> {
  const bom = JSON.parse(await readFile(file, 'utf8'));
  const z = bom.components.find((c: { name: string }) => c.name === 'zlib1g');
  z.version = '1.2.11.dfsg-2+deb11u1';
  z.purl = ZLIB_FIXED;
  for (const p of z.properties) if (p.name === 'aquasecurity:trivy:SrcRelease') p.value = '2+deb11u1';
  await writeFile(file, JSON.stringify(bom));
}

beforeAll(async () => {
  store = await buildSbomStore({ falsePositiveReason: 'vulnerable_code_not_in_execute_path: inflateGetHeader is never called' });
  await upgradeZlib(store.sbom);
  for (const argv of [['scan', '--sbom', store.sbom, '--save'], ['match']]) expect((await store.cli(...argv)).code).toBe(0);
}, 120_000);

type Statement = { vulnerability: { name: string; aliases?: string[] }; products?: { '@id': string }[]; status: string; [k: string]: unknown };

describe('icms triage export --format openvex', () => {
  it('states the register: accepted risk as affected, false positive as not_affected, fixed as fixed, by purl; valid OpenVEX 0.2.0', async () => {
    const r = await store.cli('triage', 'export', '--format', 'openvex');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const validate = openvexValidator();
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc).toMatchObject({ '@context': 'https://openvex.dev/ns/v0.2.0', author: 'alice, bob', version: 1 });
    expect(doc['@id']).toMatch(/^https:\/\/openvex\.dev\/docs\/public\/vex-[0-9a-f]{64}$/);
    const by = Object.fromEntries((doc.statements as Statement[]).map((s) => [s.vulnerability.name, s]));
    expect(Object.keys(by).sort()).toEqual(['CVE-2018-25032', 'CVE-2021-3995', 'CVE-2022-37434']);
    expect(by['CVE-2021-3995']).toMatchObject({
      status: 'affected',
      products: [{ '@id': 'pkg:deb/debian/bsdutils@2.36.1-8?arch=amd64&epoch=1&distro=debian-11.7' }],
      action_statement: 'su and mount are not in the runtime path (risk accepted until 2099-12-31; upgrade before then)',
      status_notes: expect.stringMatching(/^risk accepted in shop by alice, until 2099-12-31 \(icms acceptance #\d+\)$/),
    });
    expect(by['CVE-2022-37434']).toMatchObject({
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      impact_statement: 'vulnerable_code_not_in_execute_path: inflateGetHeader is never called',
      products: [{ '@id': ZLIB_FIXED }],
    });
    expect(by['CVE-2018-25032']).toMatchObject({ status: 'fixed', products: [{ '@id': ZLIB_FIXED }] });
    expect(by['CVE-2018-25032']!.status_notes).toMatch(/zlib1g 1:1\.2\.11\.dfsg-2 upgraded/);
  });

  it('--author and a file: written atomically; an empty register is an input error', async () => {
    expect((await store.cli('triage', 'export', '--format', 'openvex', '--author', 'ACME PSIRT', 'shop.vex.json')).code).toBe(0);
    expect(JSON.parse(await readFile(path.join(store.dir, 'shop.vex.json'), 'utf8')).author).toBe('ACME PSIRT');
    const empty = await runCli(['triage', 'export', '--format', 'openvex'], { cwd: await tmpDir() });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('nothing to state: no active acceptance, false positive or fixed finding');
  });
});

describe('icms triage export --format cyclonedx-vex', () => {
  it('is a valid CycloneDX 1.6 VEX BOM with the analysis of each statement', async () => {
    const r = await store.cli('triage', 'export', '--format', 'cyclonedx-vex');
    expect(r.code, r.stderr).toBe(0);
    const bom = JSON.parse(r.stdout);
    const validate = cyclonedxValidator('1.6');
    expect(validate(bom), JSON.stringify(validate.errors)).toBe(true);
    const by = Object.fromEntries(bom.vulnerabilities.map((v: { id: string; analysis: unknown; affects: { ref: string }[] }) => [v.id, { analysis: v.analysis, refs: v.affects.map((a) => a.ref) }]));
    expect(by['CVE-2021-3995'].analysis).toEqual({ state: 'exploitable', response: ['will_not_fix'], detail: 'su and mount are not in the runtime path (risk accepted until 2099-12-31; upgrade before then)' });
    expect(by['CVE-2022-37434']).toEqual({ analysis: { state: 'not_affected', justification: 'code_not_reachable', detail: 'vulnerable_code_not_in_execute_path: inflateGetHeader is never called' }, refs: [ZLIB_FIXED] });
    expect(by['CVE-2018-25032'].analysis.state).toBe('resolved');
    expect(bom.components.map((c: { purl: string }) => c.purl).sort()).toEqual(['pkg:deb/debian/bsdutils@2.36.1-8?arch=amd64&epoch=1&distro=debian-11.7', ZLIB_FIXED]);
  });
});
