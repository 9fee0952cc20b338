import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { parseSbom, parseSbomText } from '../../src/scanner/sbom.js';
import { readSbomFile } from '../../src/scanner/sbom-file.js';
import { runTrivyFs, runTrivyImage } from '../../src/scanner/trivy.js';
import type { Package } from '../../src/model/types.js';
import { ExitCode } from '../../src/shared/errors.js';
import { buildDebianImage } from '../helpers/image.js';
import { tmpDir } from '../helpers/tmp.js';
import { bundledTrivy, FIXTURES, runOptions } from './trivy-helpers.js';
import { trivySbom } from './sbom-helpers.js';

/** What matching depends on, per package: the set compared between trivy's JSON and its SBOMs. */
const matchKeys = (ps: readonly Package[]): string[] =>
  [...new Set(ps.map((p) => [p.ecosystem, p.name, p.version, p.matchName, p.matchVersion, p.unmapped ? 'unmapped' : ''].join(' ')))].sort();

describe('SBOMs written by the real trivy give the packages trivy itself lists', () => {
  const trivy = bundledTrivy();

  it.each(['cyclonedx', 'spdx-json'] as const)('image tar, %s: Debian:11 by source package and epoch, plus npm', async (format) => {
    const tar = await buildDebianImage();
    const direct = await runTrivyImage(trivy, { tarPath: tar }, await runOptions());
    const sbom = await readSbomFile(await trivySbom('image', tar, format), '/');
    expect(matchKeys(sbom.packages)).toEqual(matchKeys(direct.packages));
    expect(sbom.packages.find((p) => p.name === 'bsdutils')).toMatchObject({ ecosystem: 'Debian:11', version: '1:2.36.1-8', matchName: 'util-linux', matchVersion: '2.36.1-8' });
    expect(sbom.artifact.os).toEqual({ family: 'debian', release: '11.7' });
    expect(sbom.warnings).toEqual([]);
  }, 60_000);

  it.each([
    ['opensourceways__issue_pr_board@2fc35b2', 'cyclonedx'],
    ['DataDog__vulnerable-java-application@eda3f31', 'spdx-json'],
    ['gothinkster__rails-realworld-example-app@a2ae4ff', 'spdx-json'],
  ] as const)('trivy fs %s as %s', async (repo, format) => {
    const dir = path.join(FIXTURES, 'repos', repo);
    const direct = await runTrivyFs(trivy, dir, await runOptions());
    const sbom = await readSbomFile(await trivySbom('fs', dir, format), '/');
    expect(sbom.packages.length).toBeGreaterThan(5);
    expect(matchKeys(sbom.packages)).toEqual(matchKeys(direct.packages));
  }, 60_000);
});

describe('parseSbom: purls as other tools write them', () => {
  const cdx = (components: unknown[], specVersion = '1.6') => ({ bomFormat: 'CycloneDX', specVersion, version: 1, components });
  const one = (purl: string, extra: object = {}) => {
    const r = parseSbom(cdx([{ type: 'library', name: 'x', purl, ...extra }]), 'sbom.json');
    expect(r.packages).toHaveLength(1);
    return r.packages[0]!;
  };

  it.each([
    // syft: epoch in the version, source package in `upstream`
    ['pkg:deb/debian/bsdutils@1:2.36.1-8?arch=amd64&upstream=util-linux%402.36.1-8&distro=debian-11', 'Debian:11', 'bsdutils', '1:2.36.1-8', 'util-linux', '2.36.1-8'],
    ['pkg:deb/ubuntu/libssl3@3.0.2-0ubuntu1.10?arch=amd64&upstream=openssl&distro=ubuntu-22.04', 'Ubuntu:22.04:LTS', 'libssl3', '3.0.2-0ubuntu1.10', 'openssl', '3.0.2-0ubuntu1.10'],
    ['pkg:apk/alpine/libcrypto3@3.1.4-r0?arch=x86_64&upstream=openssl&distro=alpine-3.18.4', 'Alpine:v3.18', 'libcrypto3', '3.1.4-r0', 'openssl', '3.1.4-r0'],
    // RPM distros: OSV names binary packages with the epoch
    ['pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?arch=x86_64&epoch=1&distro=rocky-9.3', 'Rocky Linux:9', 'openssl-libs', '1:3.0.7-24.el9', 'openssl-libs', '1:3.0.7-24.el9'],
    ['pkg:rpm/redhat/openssl@1.1.1k-7.el8_6?arch=x86_64&epoch=1&distro=redhat-8.6', 'Red Hat:enterprise_linux:8', 'openssl', '1:1.1.1k-7.el8_6', 'openssl', '1:1.1.1k-7.el8_6'],
    // language packages: names as trivy spells them, Go without the leading v
    ['pkg:golang/github.com/gin-gonic/gin@v1.9.0', 'Go', 'github.com/gin-gonic/gin', 'v1.9.0', 'github.com/gin-gonic/gin', '1.9.0'],
    ['pkg:maven/org.springframework/spring-core@5.3.20', 'Maven', 'org.springframework:spring-core', '5.3.20', 'org.springframework:spring-core', '5.3.20'],
    ['pkg:npm/%40babel/core@7.22.0', 'npm', '@babel/core', '7.22.0', '@babel/core', '7.22.0'],
    ['pkg:pypi/Django_REST@3.14.0', 'PyPI', 'django-rest', '3.14.0', 'django-rest', '3.14.0'],
    ['pkg:composer/laravel/framework@v10.0.0', 'Packagist', 'laravel/framework', 'v10.0.0', 'laravel/framework', '10.0.0'],
    ['pkg:cargo/regex@1.9.1', 'crates.io', 'regex', '1.9.1', 'regex', '1.9.1'],
    ['pkg:gem/rails@7.0.4', 'RubyGems', 'rails', '7.0.4', 'rails', '7.0.4'],
    ['pkg:nuget/Newtonsoft.Json@13.0.1', 'NuGet', 'Newtonsoft.Json', '13.0.1', 'Newtonsoft.Json', '13.0.1'],
  ])('%s', (purl, ecosystem, name, version, matchName, matchVersion) => {
    expect(one(purl)).toMatchObject({ ecosystem, name, version, matchName, matchVersion, purl, unmapped: false });
  });

  it('an OS purl without a distro takes the release from the operating-system component; unknown ones stay unmapped', () => {
    const r = parseSbom(cdx([
      { type: 'operating-system', name: 'debian', version: '12.2' },
      { type: 'library', name: 'zlib1g', purl: 'pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64' },
      { type: 'library', name: 'bash', purl: 'pkg:rpm/fedora/bash@5.2.15-3.fc38?distro=fedora-38' },
      { type: 'library', name: 'left-pad', purl: 'pkg:bitbucket/x/left-pad@1.0.0' },
    ]), 'sbom.json');
    expect(r.packages.map((p) => [p.ecosystem, p.name, p.unmapped])).toEqual([['Debian:12', 'zlib1g', false], ['rpm', 'bash', true], ['bitbucket', 'x/left-pad', true]]);
    expect(r.warnings).toEqual(['sbom.json: no OSV ecosystem known for rpm, bitbucket; those packages are recorded and not matched']);
  });

  it('reads nested components, skips components without a purl or version, merges duplicates (CycloneDX 1.4)', () => {
    const r = parseSbom(cdx([
      { type: 'application', name: 'app', components: [{ type: 'library', name: 'a', purl: 'pkg:npm/a@1.0.0' }, { type: 'library', name: 'a', purl: 'pkg:npm/a@1.0.0' }] },
      { type: 'library', name: 'b', purl: 'pkg:npm/b' },
      { type: 'file', name: 'README' },
    ], '1.4'), 'sbom.json');
    expect(r.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['a@1.0.0']);
    expect(r.stats).toEqual({ skipped: 3, duplicates: 1, unmapped: 0 });
    expect(r.warnings).toEqual([
      'sbom.json: 1 purls unreadable or without a version, skipped (first: pkg:npm/b)',
      'sbom.json: 2 components without a purl skipped (icms identifies packages by purl)',
    ]);
  });

  it('reads SPDX 2.2 packages by their purl external reference', () => {
    const doc = {
      spdxVersion: 'SPDX-2.2', SPDXID: 'SPDXRef-DOCUMENT', name: 'shop', dataLicense: 'CC0-1.0',
      packages: [
        { SPDXID: 'SPDXRef-1', name: 'requests', versionInfo: '2.31.0', externalRefs: [{ referenceCategory: 'PACKAGE_MANAGER', referenceType: 'purl', referenceLocator: 'pkg:pypi/requests@2.31.0' }] },
        { SPDXID: 'SPDXRef-2', name: 'shop', primaryPackagePurpose: 'APPLICATION' },
      ],
    };
    const r = parseSbom(doc, 'shop.spdx.json');
    expect(r.packages.map((p) => [p.ecosystem, p.name, p.version, p.target])).toEqual([['PyPI', 'requests', '2.31.0', 'shop']]);
    expect(r.warnings).toEqual([]);
  });

  it.each([
    ['<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>', /XML SBOMs are not read/],
    ['{"bomFormat":"CycloneDX","specVersion":"1.3","components":[]}', /CycloneDX specVersion "1.3" is not supported/],
    ['{"spdxVersion":"SPDX-2.1","packages":[]}', /SPDX-2.1 is not supported/],
    ['{"SchemaVersion":2,"Results":[]}', /neither CycloneDX .* nor SPDX/],
    ['{"bomFormat":"CycloneDX",', /not valid JSON/],
  ])('refuses %s as an input error', (text, message) => {
    let err: unknown;
    try {
      parseSbomText(text, 'x.json');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ exitCode: ExitCode.Usage, message: expect.stringMatching(message) });
  });

  it('a missing file is an input error naming it', async () => {
    const dir = await tmpDir();
    await expect(readSbomFile('none.json', dir)).rejects.toMatchObject({ exitCode: ExitCode.Usage, message: `${path.join(dir, 'none.json')}: no such SBOM file` });
    await writeFile(path.join(dir, 'ok.json'), JSON.stringify(cdx([{ type: 'library', name: 'a', purl: 'pkg:npm/a@1.0.0' }])));
    expect((await readSbomFile('ok.json', dir)).packages).toHaveLength(1);
    expect(await readFile(path.join(dir, 'ok.json'), 'utf8')).toContain('CycloneDX');
  });
});
