/**
 * `icms explain` over an advisory whose ecosystem, package name and range events carry terminal escapes (CSI, OSC 0
 * title, OSC 52 clipboard write, BEL, CR, a line break), and over the finding it made: the text is shown, every
 * control character is gone, each entry stays on its line. Real chain: git repository, OSV directory, SQLite.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeGitRepo } from '../helpers/git.js';
import { tmpDir } from '../helpers/tmp.js';

const ESC = '\x1b';
const TITLE = `${ESC}]0;pwned-title\x07`;
const CLIPBOARD = `${ESC}]52;c;Y3VybCBldmlsLmV4YW1wbGV8c2g=\x07`;
const PKG = `evil${ESC}[2J${TITLE}pkg`;
const ADVISORY = {
  schema_version: '1.6.0',
  id: 'GHSA-esc0-ape0-0001',
  modified: '2024-01-01T00:00:00Z',
  aliases: ['CVE-2099-7777'],
  summary: 'escapes in the affected list',
  affected: [
    { package: { ecosystem: 'npm', name: 'evilpkg' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }, { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: `3.0.0${CLIPBOARD}` }] }, { type: 'ECOSYSTEM', events: [{ introduced: `0\r\nfake line${ESC}[31m` }] }] },
    { package: { ecosystem: `npm${ESC}[8m\x07\r`, name: `other${CLIPBOARD}` }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
    { package: { ecosystem: 'npm', name: PKG }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
  ],
};

describe('explain with hostile ecosystem, package name and events', () => {
  it('prints the text without any control character', async () => {
    const dir = await tmpDir('icms-explain-');
    const remote = await makeGitRepo({ 'package.json': '{"name":"web","version":"1.0.0"}' }, 'main', 'web');
    await mkdir(path.join(dir, 'osv'));
    await writeFile(path.join(dir, 'osv', 'hostile.json'), JSON.stringify(ADVISORY));
    const report = JSON.stringify({ SchemaVersion: 2, Results: [{ Target: 'package-lock.json', Class: 'lang-pkgs', Type: 'npm', Packages: [{ Name: 'evilpkg', Version: '1.0.0' }] }] });
    const trivy = path.join(dir, 'fake-trivy');
    await writeFile(trivy, `#!/bin/sh\n[ "$1" = "--version" ] && { echo "Version: 0.44.1"; exit 0; }\nprev=""; for a in "$@"; do [ "$prev" = "--output" ] && out="$a"; prev="$a"; done\ncat > "$out" <<'EOF'\n${report}\nEOF\n`);
    await chmod(trivy, 0o755);
    await writeFile(path.join(dir, 'inventory.yaml'), `projects:\n  - url: ${remote.url}\n    maintainers: [{name: Alice, email: alice@example.com}]\n`);
    await writeFile(path.join(dir, 'icms.yaml'), `inventory: {file: inventory.yaml}\ntrivy: {path: ${trivy}}\nadvisories:\n  sources: [{name: osv-hostile, type: osv, path: osv}]\n`);
    for (const args of [['fetch-projects'], ['scan', '--all'], ['sync-vulns'], ['match']]) {
      const r = await runCli(args, { cwd: dir });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const r = await runCli(['explain', 'CVE-2099-7777'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/finding #\d+: .* npm evilpkg 1\.0\.0/); // the finding is explained
    expect(r.stdout).toContain('fixed 2.0.0');
    expect(r.stdout).toMatch(/affects npm evil.*pkg/);
    expect(r.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/); // eslint-disable-line no-control-regex
    expect(r.stdout).not.toContain('52;c;');
    // the line break inside an event does not start a line of its own
    expect(r.stdout.split('\n').some((l) => l.startsWith('fake line'))).toBe(false);
  });
});
