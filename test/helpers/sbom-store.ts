/** A store built from a real SBOM: the Debian test image's trivy CycloneDX SBOM, matched and triaged through the CLI. */
import path from 'node:path';
import { copyFile, writeFile } from 'node:fs/promises';
import { expect } from 'vitest';
import { runCli, type CliResult } from './cli.js';
import { FIXTURES } from './demo.js';
import { buildDebianImage } from './image.js';
import { tmpDir } from './tmp.js';
import { trivySbom } from '../scanner/sbom-helpers.js';

/** The store's directory, the SBOM file stored as project "shop", and a CLI bound to the directory. */
export interface SbomStore {
  dir: string;
  sbom: string;
  cli: (...argv: string[]) => Promise<CliResult>;
}

/**
 * sync-vulns (four real DSAs), `scan --sbom <image sbom> --save --name shop`, match, then CVE-2021-3995 (util-linux)
 * accepted by alice until 2099-12-31 and CVE-2022-37434 on zlib1g marked a false positive by bob.
 */
export async function buildSbomStore(opts: { falsePositiveReason?: string } = {}): Promise<SbomStore> {
  const dir = await tmpDir();
  const sbom = path.join(dir, 'image.cdx.json');
  await copyFile(await trivySbom('image', await buildDebianImage(), 'cyclonedx'), sbom);
  await writeFile(path.join(dir, 'icms.yaml'), `advisories:\n  sources:\n    - {name: debian, type: osv, path: ${path.join(FIXTURES, 'images/osv-debian')}}\n`);
  const cli = (...argv: string[]) => runCli(argv, { cwd: dir });
  for (const argv of [
    ['sync-vulns'],
    ['scan', '--sbom', sbom, '--save', '--name', 'shop'],
    ['match'],
    ['triage', 'accept', 'CVE-2021-3995', '--project', 'shop', '--reason', 'su and mount are not in the runtime path', '--by', 'alice', '--expires', '2099-12-31'],
    ['triage', 'false-positive', 'CVE-2022-37434', '--project', 'shop', '--package', 'zlib1g', '--reason', opts.falsePositiveReason ?? 'inflateGetHeader is never called', '--by', 'bob'],
  ]) {
    const r = await cli(...argv);
    expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
  }
  return { dir, sbom, cli };
}
