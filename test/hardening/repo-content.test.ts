/**
 * Hostile repositories and inventory entries. A symlink in a repository pointing outside it (a file and a
 * directory elsewhere on the machine, another project's checkout) must not bring foreign packages in; a FIFO
 * manifest must not hang the scan; repository and branch names with `..`, quotes, `$(…)`, leading `-` and
 * unicode are rejected or safely encoded, and no command is ever injected (a marker file proves it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { git, makeGitRepo } from '../helpers/git.js';
import { tmpDir } from '../helpers/tmp.js';

const lock = (name: string, version: string) =>
  JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 2, requires: true, packages: { '': { name: 'app', version: '1.0.0', dependencies: { [name]: version } }, [`node_modules/${name}`]: { version } }, dependencies: { [name]: { version } } });

function packageNames(db: string): string[] {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare('SELECT DISTINCT name FROM packages ORDER BY name').pluck().all() as string[];
  } finally {
    d.close();
  }
}

describe('repository content', () => {
  it('symlinks to files and directories outside the checkout bring in no foreign packages and write nothing there', async () => {
    const outside = await tmpDir('icms-outside-');
    await writeFile(path.join(outside, 'requirements.txt'), 'outsidecanary==6.6.6\n');
    await mkdir(path.join(outside, 'vendored'));
    await writeFile(path.join(outside, 'vendored', 'package-lock.json'), lock('outside-dir-canary', '1.2.3'));
    const before = readdirSync(outside, { recursive: true }).map(String).sort();

    const other = await makeGitRepo({ 'package-lock.json': lock('other-project-canary', '2.0.0'), 'package.json': '{"name":"other","version":"1.0.0"}' }, 'main', 'other');
    const evil = await makeGitRepo({ 'package-lock.json': lock('left-pad', '1.3.0'), 'package.json': '{"name":"app","version":"1.0.0"}' }, 'main', 'evil');
    const dir = await tmpDir('icms-symlink-');
    const work = path.join(dir, 'work');
    // links committed as links: to a file outside, a directory outside, the sibling checkout in the work dir, /etc/passwd
    await symlink(path.join(outside, 'requirements.txt'), path.join(evil.workDir, 'requirements.txt'));
    await symlink(path.join(outside, 'vendored'), path.join(evil.workDir, 'vendored'));
    await symlink('../other@main', path.join(evil.workDir, 'sibling'));
    await symlink(path.join(work, 'repos/local'), path.join(evil.workDir, 'all-checkouts'));
    await symlink('/etc/passwd', path.join(evil.workDir, 'Gemfile.lock'));
    await evil.commit({}, { message: 'hostile links' });
    expect(await git(evil.workDir, 'ls-files', '-s', 'requirements.txt')).toMatch(/^120000 /); // really a symlink

    await writeFile(path.join(dir, 'inventory.yaml'), `projects:\n${[other, evil].map((r) => `  - url: ${r.url}\n    maintainers: [{name: M, email: m@example.com}]\n`).join('')}`);
    await writeFile(path.join(dir, 'icms.yaml'), `work_dir: ${work}\ninventory: {file: inventory.yaml}\nscan: {concurrency: 1}\ntrivy: {timeout_ms: 60000}\n`);
    expect((await runCli(['fetch-projects'], { cwd: dir })).code).toBe(0);
    const r = await runCli(['scan', '--all', '--format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);

    const db = new Database(path.join(dir, 'icms.db'), { readonly: true });
    const evilPackages = db.prepare("SELECT k.name FROM packages k JOIN projects p ON p.id = k.project_id WHERE p.url LIKE '%/evil' ORDER BY k.name").pluck().all();
    db.close();
    expect(evilPackages).toEqual(['left-pad']); // its own lockfile only
    expect(packageNames(path.join(dir, 'icms.db'))).toEqual(['left-pad', 'other-project-canary']);
    expect(readdirSync(outside, { recursive: true }).map(String).sort()).toEqual(before);
    expect(await readFile(path.join(outside, 'requirements.txt'), 'utf8')).toBe('outsidecanary==6.6.6\n');
  }, 90_000);

  it('a manifest that is a FIFO (a local directory scan): trivy is not hung, the scan ends', async () => {
    const dir = await tmpDir('icms-fifo-');
    const target = path.join(dir, 'project');
    await mkdir(target);
    await writeFile(path.join(target, 'package.json'), '{"name":"app","version":"1.0.0"}');
    execFileSync('mkfifo', [path.join(target, 'package-lock.json')]);
    execFileSync('mkfifo', [path.join(target, 'requirements.txt')]);
    await writeFile(path.join(dir, 'icms.yaml'), 'trivy: {timeout_ms: 20000}\n');
    const r = await runCli(['scan', 'project', '--format', 'json'], { cwd: dir });
    // trivy skips non-regular files: the scan ends normally (or, at worst, with trivy's timeout as a failure)
    expect([0, 3, 4]).toContain(r.code);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(statSync(path.join(target, 'package-lock.json')).isFIFO()).toBe(true);
  }, 60_000);
});

describe('hostile names in the inventory', () => {
  const inventory = (entries: { url: string; branch: string }[]) =>
    `projects:\n${entries.map((e) => `  - url: ${JSON.stringify(e.url)}\n    branch: ${JSON.stringify(e.branch)}\n    maintainers: [{name: M, email: m@example.com}]\n`).join('')}`;
  const markers = (dir: string) => readdirSync(dir, { recursive: true }).map(String).filter((f) => path.basename(f) === 'MARKER');

  it.each([
    'file:///tmp/$(touch MARKER)/repo',
    'ext::sh -c touch% MARKER',
    'https://github.com/org/repo;touch MARKER',
    '--upload-pack=touch MARKER',
    "-oProxyCommand='touch MARKER' host:org/repo",
    'https://github.com/org/repo\nbranch: evil',
  ])('%s: the inventory file is refused with the line named (exit 2), nothing run', async (url) => {
    const dir = await tmpDir('icms-badurl-');
    await writeFile(path.join(dir, 'inventory.yaml'), inventory([{ url, branch: 'main' }]));
    await writeFile(path.join(dir, 'icms.yaml'), 'inventory: {file: inventory.yaml}\n');
    const r = await runCli(['fetch-projects'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/inventory\.yaml:2: projects\[0\]\.url ".*" is not a repository URL\n/); // one line: JSON-quoted
    expect(markers(dir)).toEqual([]);
  });

  it('branches and URL paths with $(…), backticks, quotes, leading -, .., unicode: encoded or refused per project; nothing injected', async () => {
    const dir = await tmpDir('icms-names-');
    const remote = await makeGitRepo({ 'package.json': '{"name":"a","version":"1.0.0"}' }, 'main', 'named');
    const branches = ['$(touch${IFS}MARKER)', '`touch${IFS}MARKER`', 'ünïcödé/分支', "it's-\"quoted\"", '--upload-pack=touch${IFS}MARKER', '-b', '../../../escape', 'a b', 'x/../../y'];
    const real: string[] = [];
    for (const b of branches) {
      const valid = await git(remote.workDir, 'check-ref-format', '--branch', b).then(() => true, () => false);
      if (valid) {
        await remote.commit({ 'README.md': b }, { branch: b });
        real.push(b);
      }
    }
    expect(real).toEqual(['$(touch${IFS}MARKER)', '`touch${IFS}MARKER`', 'ünïcödé/分支', "it's-\"quoted\""]);
    const urls = ['$(touch${IFS}MARKER)/repo', 'org/--upload-pack=touch', '-oProxyCommand=touch/repo', 'org/../../../../etc/repo', '組織/倉庫', "org/it's"].map((p) => `http://127.0.0.1:1/${p}`);
    await writeFile(path.join(dir, 'inventory.yaml'), inventory([...branches.map((branch) => ({ url: remote.url, branch })), ...urls.map((url) => ({ url, branch: 'main' }))]));
    const trivyLog = path.join(dir, 'trivy-argv.txt');
    const trivy = path.join(dir, 'fake-trivy');
    await writeFile(
      trivy,
      `#!/bin/sh\n[ "$1" = "--version" ] && { echo "Version: 0.44.1"; exit 0; }\nfor a in "$@"; do printf '%s\\n' "$a" >> "${trivyLog}"; done\nout=""; prev=""; for a in "$@"; do [ "$prev" = "--output" ] && out="$a"; prev="$a"; done\necho '{"SchemaVersion":2,"Results":[]}' > "$out"\n`,
    );
    await chmod(trivy, 0o755);
    const work = path.join(dir, 'work');
    await writeFile(path.join(dir, 'icms.yaml'), `work_dir: ${work}\ninventory: {file: inventory.yaml}\ntrivy: {path: ${trivy}}\ngit: {timeout_ms: 10000}\n`);

    const fetched = await runCli(['fetch-projects', '--format', 'json'], { cwd: dir });
    expect([0, 3], fetched.stderr).toContain(fetched.code);
    const scan = await runCli(['scan', '--all', '--format', 'json'], { cwd: dir });
    expect(scan.code, scan.stderr).toBe(3);
    expect(scan.stderr).not.toMatch(/internal error/);
    const out = JSON.parse(scan.stdout) as { scanned: number; failed: number };
    expect(out.scanned).toBe(real.length); // every branch git accepts was cloned and scanned, encoded

    expect(markers(dir)).toEqual([]);
    expect(existsSync(path.join(dir, 'escape'))).toBe(false);
    const expected = ['fake-trivy', 'icms.db', 'icms.db-shm', 'icms.db-wal', 'icms.yaml', 'inventory.yaml', 'trivy-argv.txt', 'work'];
    expect(readdirSync(dir).filter((f) => !expected.includes(f))).toEqual([]); // nothing created beside them
    expect(readdirSync(work).sort()).toEqual(['repos', 'tmp', 'trivy-cache', 'trivy-version.json'].filter((f) => existsSync(path.join(work, f))));
    // checkout directories are single encoded components: no "-" first, no "..", nothing but [A-Za-z0-9._%@+~-]
    const checkouts = readdirSync(path.join(work, 'repos'), { recursive: true }).map(String).filter((p) => /@[^/]*$/.test(p) && !p.includes('.git'));
    expect(checkouts.length).toBe(real.length);
    for (const c of checkouts) {
      for (const part of c.split(path.sep)) {
        expect(part.startsWith('-'), c).toBe(false);
        expect(part === '..' || part === '.', c).toBe(false);
        expect(part, c).toMatch(/^[A-Za-z0-9._%@+~-]+$/);
      }
    }
    // trivy only ever got checkout paths inside the work dir
    const argv = (await readFile(trivyLog, 'utf8')).split('\n');
    const targets = argv.filter((_a, i) => argv[i - 1] === 'fs');
    expect(targets).toHaveLength(real.length);
    for (const t of targets) expect(path.resolve(t).startsWith(path.join(work, 'repos') + path.sep)).toBe(true);
  }, 90_000);
});
