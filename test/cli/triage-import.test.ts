import { beforeAll, describe, it, expect } from 'vitest';
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { buildSbomStore, type SbomStore } from '../helpers/sbom-store.js';

let store: SbomStore;
const REGISTER = '# the team register\n- id: CVE-2021-3995\n  kind: accepted\n  scope: {project: shop}\n  reason: su and mount are not in the runtime path\n  expires: 2099-12-31\n  by: alice\n';

beforeAll(async () => {
  store = await buildSbomStore();
}, 120_000);

function statusOf(id: string): string {
  const db = new Database(path.join(store.dir, 'icms.db'), { readonly: true });
  try {
    return (db.prepare('SELECT status FROM findings WHERE group_id = ?').get(id) as { status: string }).status;
  } finally {
    db.close();
  }
}

describe('icms triage import --format openvex: a VEX document becomes register entries, reviewed, then loaded', () => {
  it('exported VEX -> appended entry scoped to the package the purl names (epoch included) -> triage import covers the finding', async () => {
    expect((await store.cli('triage', 'export', '--format', 'openvex', 'shop.vex.json')).code).toBe(0);
    expect((await store.cli('triage', 'revoke', '2')).code).toBe(0); // the false positive on CVE-2022-37434
    expect(statusOf('CVE-2022-37434')).not.toBe('false_positive');
    const file = path.join(store.dir, 'register.yaml');
    await writeFile(file, REGISTER);

    const r = await store.cli('triage', 'import', '--format', 'openvex', 'shop.vex.json', '--project', 'shop', '--register', 'register.yaml', '--by', 'carol');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${file}: 1 entry appended from shop.vex.json, 0 already there, 1 skipped; review them, then run \`icms triage import\`\n`);
    expect(r.stderr).toContain('skipped shop.vex.json statement #1 (CVE-2021-3995): status affected is not a reason to silence a finding');
    const text = await readFile(file, 'utf8');
    expect(text.startsWith(REGISTER)).toBe(true);
    expect(text.slice(REGISTER.length).replace(/\d{4}-\d{2}-\d{2}/, 'DAY')).toBe([
      '',
      '# imported DAY from shop.vex.json (openvex) by icms triage import; review before `icms triage import`',
      '- id: CVE-2022-37434',
      '  kind: false_positive',
      '  scope:',
      '    project: shop',
      '    package: zlib1g',
      '    version: 1:1.2.11.dfsg-2',
      '  reason: "VEX from alice, bob (shop.vex.json statement #2): inflateGetHeader is never called"',
      '  by: carol',
      '',
    ].join('\n'));

    expect((await store.cli('triage', 'import', 'register.yaml')).code).toBe(0);
    expect(statusOf('CVE-2022-37434')).toBe('false_positive');
    // importing the same document again adds nothing
    const again = await store.cli('triage', 'import', '--format', 'openvex', 'shop.vex.json', '--project', 'shop', '--register', 'register.yaml');
    expect(again.stdout).toContain('0 entries appended from shop.vex.json, 1 already there');
  });
});

describe('icms triage import --format cyclonedx-vex', () => {
  it('the exported CycloneDX VEX reads back: not_affected on zlib1g by its bom-ref purl; exploitable and resolved skipped', async () => {
    expect((await store.cli('triage', 'export', '--format', 'cyclonedx-vex', 'shop.vex.cdx.json')).code).toBe(0);
    const r = await store.cli('triage', 'import', '--format', 'cyclonedx-vex', 'shop.vex.cdx.json', '--all-projects');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('- id: CVE-2022-37434\n  kind: false_positive\n  scope:\n    all_projects: true\n    package: zlib1g\n    version: 1:1.2.11.dfsg-2\n');
    expect(r.stdout).not.toContain('CVE-2021-3995');
    expect(r.stderr).toMatch(/skipped shop\.vex\.cdx\.json vulnerabilities\[\d\] \(CVE-2021-3995\): analysis state exploitable is not a reason to silence a finding/);
  });
});

describe('icms triage import --from trivyignore|osv-scanner|grype', () => {
  it('.trivyignore ids become accepted entries naming the file and line; loaded, they accept the finding', async () => {
    await writeFile(path.join(store.dir, '.trivyignore'), '# openssl: client TLS only\nCVE-2021-4160 exp:2099-06-30 # reviewed by sec\nAVD-DS-0002\n');
    const r = await store.cli('triage', 'import', '--from', 'trivyignore', '.trivyignore', '--project', 'shop', '--register', 'ignores.yaml');
    expect(r.code, r.stderr).toBe(0);
    const text = await readFile(path.join(store.dir, 'ignores.yaml'), 'utf8');
    expect(text).toContain('- id: CVE-2021-4160\n  kind: accepted\n  scope:\n    project: shop\n  reason: "from .trivyignore:2: reviewed by sec"\n  expires: 2099-06-30\n');
    expect((await store.cli('triage', 'import', 'ignores.yaml')).code).toBe(0);
    expect(statusOf('CVE-2021-4160')).toBe('accepted');
  });

  it('without a register file the entries are printed; a missing scope or file is a usage error', async () => {
    await writeFile(path.join(store.dir, 'osv-scanner.toml'), '[[IgnoredVulns]]\nid = "CVE-2018-25032"\nignoreUntil = 2099-01-01\nreason = "zlib deflate is not used"\n');
    const r = await store.cli('triage', 'import', '--from', 'osv-scanner', 'osv-scanner.toml', '--all-projects');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.replace(/\d{4}-\d{2}-\d{2}/, 'DAY')).toBe([
      '# imported DAY from osv-scanner.toml (osv-scanner) by icms triage import; review before `icms triage import`',
      '- id: CVE-2018-25032',
      '  kind: accepted',
      '  scope:',
      '    all_projects: true',
      '  reason: "from osv-scanner.toml [[IgnoredVulns]] #1: zlib deflate is not used"',
      '  expires: 2099-01-01',
      '',
    ].join('\n'));
    const noScope = await store.cli('triage', 'import', '--from', 'grype', 'osv-scanner.toml');
    expect(noScope.code).toBe(2);
    expect(noScope.stderr).toContain('give exactly one of --project <name> or --all-projects');
    const missing = await store.cli('triage', 'import', '--from', 'grype', 'none.yaml', '--all-projects');
    expect(missing.code).toBe(2);
  });
});
