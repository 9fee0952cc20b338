import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTrivyReport, parseTrivyReportText, TrivyReportError } from '../../src/scanner/trivy-report.js';
import type { Package } from '../../src/model/types.js';
import { ExitCode } from '../../src/shared/errors.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/trivy');
const load = (name: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'));
const find = (pkgs: Package[], name: string, target?: string): Package | undefined =>
  pkgs.find((p) => p.name === name && (target === undefined || p.target === target));

// Counts: rows with a name and version, duplicates within a target merged (fixtures/trivy/README.md).
// Per-ecosystem counts agree with the "trivy lang-pkgs Results" column of the corpus SOURCES.md.
describe('parseTrivyReport on real trivy 0.44 output', () => {
  it.each([
    ['opensourceways__issue_pr_board@2fc35b2', { Go: 25 }, 0],
    ['opensourceways__app-cla-webui@e6f331a', { npm: 110 }, 0], // package-lock v1
    ['OWASP__NodeGoat@c5cb68a', { npm: 334 }, 0], // package-lock v2
    ['gothinkster__vue-realworld-example-app@3df3773', { npm: 12 }, 0], // yarn
    ['opensourceways__message-manager-website@d887fd0', {}, 0], // pnpm v9: unreadable, skipped whole
    ['opensourceways__infraAIService@ab91cd0', { PyPI: 18 }, 0], // pip
    ['adeyosemanputra__pygoat@ff35510', { PyPI: 84 }, 0], // two requirements.txt: 42 + 42
    ['opensourceways__app-meeting-server@c5d599e', { PyPI: 56 }, 0],
    ['python-poetry__poetry@a970414', { PyPI: 58 }, 0],
    ['psf__requests-html@c561e9b', { PyPI: 18 }, 0], // pipenv
    ['spring-projects__spring-petclinic@d47820b', { Maven: 4 }, 0],
    ['WebGoat__WebGoat@d8d32c6', { Maven: 330 }, 345], // 675 rows in 31 pom.xml Results
    ['DataDog__vulnerable-java-application@eda3f31', { Maven: 68 }, 0], // gradle
    ['BurntSushi__ripgrep@1d5b101', { 'crates.io': 64 }, 0],
    ['gothinkster__rails-realworld-example-app@a2ae4ff', { RubyGems: 66 }, 0],
    ['BookStackApp__BookStack@ecd5691', { npm: 16, Packagist: 86 }, 0],
    ['alacritty__alacritty@4d9253b', {}, 0], // no lang-pkgs Result at all
  ])('%s -> %o packages, %i duplicates merged', (name, perEcosystem, duplicates) => {
    const r = parseTrivyReport(load(name));
    const counts: Record<string, number> = {};
    for (const p of r.packages) counts[p.ecosystem] = (counts[p.ecosystem] ?? 0) + 1;
    expect(counts).toEqual(perEcosystem);
    expect(r.stats.duplicates).toBe(duplicates);
    expect(r.stats.unmapped).toBe(0);
    expect(r.artifact).toEqual({ name, type: 'filesystem', os: undefined });
    for (const p of r.packages) {
      expect(p.name).not.toBe('');
      expect(p.version).not.toBe('');
      expect(p.matchName).not.toBe('');
    }
  });

  it('Go: versions without "v" (go.mod says v1.12.3), pseudo/+incompatible versions kept, Indirect read', () => {
    const { packages } = parseTrivyReport(load('opensourceways__issue_pr_board@2fc35b2'));
    // go.mod line 6: github.com/astaxie/beego v1.12.3 ; line 9: github.com/jordan-wright/email v4.0.1-0.2021...+incompatible
    expect(find(packages, 'github.com/astaxie/beego')).toMatchObject({
      ecosystem: 'Go', version: '1.12.3', matchVersion: '1.12.3', pkgType: 'gomod', target: 'go.mod', indirect: false,
      purl: 'pkg:golang/github.com/astaxie/beego@1.12.3',
    });
    expect(find(packages, 'github.com/jordan-wright/email')?.matchVersion).toBe('4.0.1-0.20210109023952-943e75fe5223+incompatible');
    expect(find(packages, 'github.com/beorn7/perks')?.indirect).toBe(true);
  });

  it('npm lock v1 / v2 and yarn: scoped names, DependsOn, purl with the scope', () => {
    const v1 = parseTrivyReport(load('opensourceways__app-cla-webui@e6f331a')).packages;
    // package-lock.json line 960: "@babel/runtime": { "version": "7.10.2"
    expect(find(v1, '@babel/runtime')).toMatchObject({
      version: '7.10.2', matchName: '@babel/runtime', target: 'package-lock.json', purl: 'pkg:npm/%40babel/runtime@7.10.2',
      dependsOn: ['regenerator-runtime@0.13.5'],
    });
    const v2 = parseTrivyReport(load('OWASP__NodeGoat@c5cb68a')).packages;
    // package-lock.json line 2684: "node_modules/express": { "version": "4.16.4"
    expect(find(v2, 'express')).toMatchObject({ ecosystem: 'npm', version: '4.16.4', pkgType: 'npm' });
    const yarn = parseTrivyReport(load('gothinkster__vue-realworld-example-app@3df3773')).packages;
    // yarn.lock line 1806: axios@^0.19.0: version "0.19.0"
    expect(find(yarn, 'axios')).toMatchObject({ version: '0.19.0', pkgType: 'yarn', target: 'yarn.lock', indirect: false });
  });

  it('pnpm lockfile v9: trivy 0.44 drops names and scopes, so the whole file is skipped with a warning', () => {
    const r = parseTrivyReport(load('opensourceways__message-manager-website@d887fd0'));
    expect(r.packages).toEqual([]);
    expect(r.stats.skipped).toBe(482);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^pnpm-lock\.yaml: trivy could not read this pnpm lockfile.*all 482 rows skipped/);
  });

  it('PyPI: names PEP 503-normalised for matching, raw name kept; one package per requirements.txt', () => {
    const meeting = parseTrivyReport(load('opensourceways__app-meeting-server@c5d599e')).packages;
    // requirements.txt line 48: ruamel.yaml.clib==0.2.0
    expect(find(meeting, 'ruamel.yaml.clib')).toMatchObject({ matchName: 'ruamel-yaml-clib', version: '0.2.0', purl: 'pkg:pypi/ruamel.yaml.clib@0.2.0' });
    const goat = parseTrivyReport(load('adeyosemanputra__pygoat@ff35510')).packages;
    // requirements.txt line 12 (both files): Django==4.0.4
    expect(goat.filter((p) => p.name === 'Django').map((p) => [p.target, p.matchName, p.version])).toEqual([
      ['pygoat/requirements.txt', 'django', '4.0.4'],
      ['requirements.txt', 'django', '4.0.4'],
    ]);
    const poetry = parseTrivyReport(load('python-poetry__poetry@a970414')).packages;
    // poetry.lock line 44-45: name = "cachecontrol" version = "0.12.6"
    expect(find(poetry, 'cachecontrol')).toMatchObject({ pkgType: 'poetry', version: '0.12.6' });
    const pipenv = parseTrivyReport(load('psf__requests-html@c561e9b')).packages;
    expect(find(pipenv, 'requests')).toMatchObject({ pkgType: 'pipenv', version: '2.18.4', target: 'Pipfile.lock' });
  });

  it('Maven (pom, gradle): group:artifact names as-is; duplicate rows inside one pom.xml merged', () => {
    const clinic = parseTrivyReport(load('spring-projects__spring-petclinic@d47820b')).packages;
    expect(clinic.map((p) => `${p.matchName}@${p.matchVersion}`).sort()).toEqual([
      'org.springframework.samples:spring-petclinic@2.2.0.BUILD-SNAPSHOT',
      'org.webjars:bootstrap@3.3.6',
      'org.webjars:jquery-ui@1.11.4',
      'org.webjars:jquery@2.2.4',
    ]);
    expect(find(clinic, 'org.webjars:jquery')?.purl).toBe('pkg:maven/org.webjars/jquery@2.2.4');
    const goat = parseTrivyReport(load('WebGoat__WebGoat@d8d32c6')).packages;
    // the root pom.xml Result lists ant:ant@1.6.2 twice
    expect(goat.filter((p) => p.name === 'ant:ant' && p.target === 'pom.xml')).toHaveLength(1);
    const gradle = parseTrivyReport(load('DataDog__vulnerable-java-application@eda3f31')).packages;
    expect(find(gradle, 'org.yaml:snakeyaml')).toMatchObject({ version: '2.2', pkgType: 'gradle', target: 'gradle.lockfile' });
  });

  it('cargo, bundler, composer: composer tags keep their "v" in version, not in matchVersion', () => {
    const rg = parseTrivyReport(load('BurntSushi__ripgrep@1d5b101')).packages;
    expect(find(rg, 'regex')).toMatchObject({ ecosystem: 'crates.io', version: '1.3.6', purl: 'pkg:cargo/regex@1.3.6' });
    const rails = parseTrivyReport(load('gothinkster__rails-realworld-example-app@a2ae4ff')).packages;
    expect(find(rails, 'nokogiri')).toMatchObject({ ecosystem: 'RubyGems', version: '1.6.8', indirect: true, purl: 'pkg:gem/nokogiri@1.6.8' });
    const book = parseTrivyReport(load('BookStackApp__BookStack@ecd5691')).packages;
    // composer.lock line 1671-1672: "name": "laravel/framework", "version": "v6.18.40"
    expect(find(book, 'laravel/framework')).toMatchObject({
      ecosystem: 'Packagist', version: 'v6.18.40', matchVersion: '6.18.40', purl: 'pkg:composer/laravel/framework@v6.18.40',
    });
    expect(find(book, 'clipboard')).toMatchObject({ ecosystem: 'npm', target: 'package-lock.json' });
  });
});

describe('parseTrivyReport on a real trivy image scan (Debian 11 docker-archive)', () => {
  // Output of the bundled trivy over the image built in trivy-image.test.ts (dpkg status lines quoted below).
  const r = parseTrivyReport(load('image-debian11'));

  it('maps dpkg packages to Debian:11 with source name and full source version for matching', () => {
    expect(r.artifact).toEqual({ name: 'image.tar', type: 'container_image', os: { family: 'debian', release: '11.7' } });
    const byName = Object.fromEntries(r.packages.map((p) => [p.name, p]));
    // Package: zlib1g / Source: zlib / Version: 1:1.2.11.dfsg-2 (epoch on both)
    expect(byName.zlib1g).toMatchObject({
      ecosystem: 'Debian:11', version: '1:1.2.11.dfsg-2', srcName: 'zlib', srcVersion: '1:1.2.11.dfsg-2',
      matchName: 'zlib', matchVersion: '1:1.2.11.dfsg-2', pkgType: 'debian',
      purl: 'pkg:deb/debian/zlib1g@1:1.2.11.dfsg-2?arch=amd64&distro=debian-11.7',
    });
    // Package: bsdutils / Source: util-linux (2.36.1-8) / Version: 1:2.36.1-8 (epoch on the binary only)
    expect(byName.bsdutils).toMatchObject({ version: '1:2.36.1-8', matchName: 'util-linux', matchVersion: '2.36.1-8' });
    // Package: libssl1.1 / Source: openssl / Version: 1.1.1k-1
    expect(byName['libssl1.1']).toMatchObject({ matchName: 'openssl', matchVersion: '1.1.1k-1' });
  });

  it('also lists the npm packages found in the image, by file path', () => {
    expect(r.packages.find((p) => p.name === 'lodash')).toMatchObject({
      ecosystem: 'npm', version: '4.17.20', pkgType: 'node-pkg', target: 'app/node_modules/lodash/package.json',
    });
  });
});

describe('OS families, unknown types and broken input', () => {
  const osReport = (family: string, release: string, pkg: Record<string, unknown>): unknown => ({
    SchemaVersion: 2, ArtifactName: 'img', ArtifactType: 'container_image',
    Metadata: { OS: { Family: family, Name: release } },
    Results: [{ Target: `img (${family} ${release})`, Class: 'os-pkgs', Type: family, Packages: [pkg] }],
  });

  it.each([
    ['debian', '11.7', 'Debian:11'],
    ['ubuntu', '22.04', 'Ubuntu:22.04:LTS'],
    ['ubuntu', '23.10', 'Ubuntu:23.10'],
    ['alpine', '3.18.4', 'Alpine:v3.18'],
    ['alma', '8.9', 'AlmaLinux:8'],
    ['rocky', '9.3', 'Rocky Linux:9'],
    ['redhat', '8.6', 'Red Hat:enterprise_linux:8'],
    ['openeuler', '22.03-LTS-SP1', 'openEuler:22.03-LTS-SP1'],
    ['opensuse.leap', '15.5', 'openSUSE:Leap 15.5'],
    ['photon', '4.0', 'Photon OS:4.0'],
    ['wolfi', '20230201', 'Wolfi'],
  ])('%s %s -> %s', (family, release, ecosystem) => {
    const r = parseTrivyReport(osReport(family, release, { Name: 'pkg', Version: '1.0', Release: '1' }));
    expect(r.packages[0]).toMatchObject({ ecosystem, unmapped: false });
    expect(r.warnings).toEqual([]);
  });

  it('RPM distros match on the binary name and epoch:version-release (OSV AlmaLinux lists binary RPMs)', () => {
    const pkg = { Name: 'cockpit-ws', Version: '1.10.1', Release: '2.el8', Epoch: 2, SrcName: 'cockpit', SrcVersion: '1.10.1', SrcRelease: '2.el8', SrcEpoch: 2, Arch: 'x86_64' };
    const [p] = parseTrivyReport(osReport('alma', '8.9', pkg)).packages;
    expect(p).toMatchObject({ matchName: 'cockpit-ws', matchVersion: '2:1.10.1-2.el8', srcName: 'cockpit', srcVersion: '2:1.10.1-2.el8' });
    expect(p?.purl).toBe('pkg:rpm/alma/cockpit-ws@2:1.10.1-2.el8?arch=x86_64&distro=alma-8.9');
  });

  it('an OS family or language type without OSV ecosystem is recorded as-is, flagged and warned about', () => {
    const os = parseTrivyReport(osReport('centos', '7.9.2009', { Name: 'bash', Version: '4.2.46', Release: '35.el7_9' }));
    expect(os.packages[0]).toMatchObject({ ecosystem: 'centos', unmapped: true, version: '4.2.46-35.el7_9' });
    expect(os.stats.unmapped).toBe(1);
    expect(os.warnings[0]).toMatch(/no OSV ecosystem known for OS "centos 7\.9\.2009"/);
    const lang = parseTrivyReport({ Results: [{ Target: 'x.lock', Class: 'lang-pkgs', Type: 'julia', Packages: [{ Name: 'A', Version: '1' }] }] });
    expect(lang.packages[0]).toMatchObject({ ecosystem: 'julia', unmapped: true, matchName: 'A', purl: undefined });
  });

  it('skips nameless/versionless rows outside pnpm with a count, and merges duplicates direct-over-indirect', () => {
    const r = parseTrivyReport({
      Results: [{ Target: 'go.mod', Class: 'lang-pkgs', Type: 'gomod', Packages: [
        { ID: '@' }, { Name: 'a', Version: '' }, { Name: 'x', Version: 'v1.2.0', Indirect: true, DependsOn: ['y@1'] },
        { Name: 'x', Version: 'v1.2.0', DependsOn: ['z@1'] },
      ] }, { Target: 'go.mod', Class: 'license' }],
    });
    expect(r.packages).toEqual([expect.objectContaining({ name: 'x', version: 'v1.2.0', matchVersion: '1.2.0', indirect: false, dependsOn: ['y@1', 'z@1'] })]);
    expect(r.stats).toEqual({ skipped: 2, duplicates: 1, unmapped: 0 });
    expect(r.warnings).toEqual(['go.mod: 2 of 4 gomod rows without a name or version skipped']);
  });

  it('keeps a PURL trivy gives (newer trivy: Identifier.PURL)', () => {
    const r = parseTrivyReport({ Results: [{ Target: 'package-lock.json', Class: 'lang-pkgs', Type: 'npm', Packages: [
      { Name: 'a', Version: '1.0.0', Identifier: { PURL: 'pkg:npm/a@1.0.0?x=1' } },
    ] }] });
    expect(r.packages[0]?.purl).toBe('pkg:npm/a@1.0.0?x=1');
  });

  it.each([
    ['an array', []],
    ['null', null],
    ['Results not an array', { Results: {} }],
    ['a Result not an object', { Results: [7] }],
    ['Packages not an array', { Results: [{ Target: 't', Class: 'lang-pkgs', Type: 'npm', Packages: 'x' }] }],
    ['a package row not an object', { Results: [{ Target: 't', Class: 'lang-pkgs', Type: 'npm', Packages: [null] }] }],
    ['another SchemaVersion', { SchemaVersion: 1, Results: [] }],
  ])('rejects %s with a TrivyReportError (exit 4)', (_label, json) => {
    expect(() => parseTrivyReport(json, { where: 'proj' })).toThrow(TrivyReportError);
    try {
      parseTrivyReport(json, { where: 'proj' });
    } catch (err) {
      expect((err as TrivyReportError).exitCode).toBe(ExitCode.External);
      expect((err as Error).message).toMatch(/^proj: /);
    }
  });

  it('rejects truncated report text', () => {
    const text = readFileSync(path.join(FIXTURES, 'opensourceways__issue_pr_board@2fc35b2.json'), 'utf8');
    expect(() => parseTrivyReportText(text.slice(0, 1000), 'issue_pr_board')).toThrow(/issue_pr_board: trivy report is not valid JSON \(1000 bytes; truncated\?\)/);
  });
});
