/**
 * A trivy report far bigger than any real one (the largest of the shared corpus is 572 KB): it is read as a stream and
 * its rows staged in batches, then swapped in whole; one over the cap (`trivy.max_report_mb`, tiny here) is refused
 * by its size before it is read, with a message that says so and how to raise the cap, instead of a misleading "wrote
 * no report" (a file past V8's longest string). A report cut off after several batches were staged fails its project,
 * which keeps its previous packages; the healthy project is stored. trivy is a script writing given reports.
 */
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeGitRepo } from '../helpers/git.js';
import { tmpDir } from '../helpers/tmp.js';

const pkg = (i: number) => ({ ID: `pkg-${i}@1.0.${i}`, Name: `pkg-${i}`, Version: `1.0.${i}`, Identifiers: { PURL: `pkg:npm/pkg-${i}@1.0.${i}` }, Locations: [{ StartLine: i, EndLine: i + 3 }] });
const report = (n: number) => JSON.stringify({ SchemaVersion: 2, ArtifactName: '.', ArtifactType: 'filesystem', Results: [{ Target: 'package-lock.json', Class: 'lang-pkgs', Type: 'npm', Packages: Array.from({ length: n }, (_, i) => pkg(i)) }] });

describe('a huge trivy report', () => {
  it('is refused by size with a clear message; the project keeps its packages, the others are stored', async () => {
    const dir = await tmpDir('icms-bigreport-');
    const small = path.join(dir, 'small.json');
    const big = path.join(dir, 'big.json');
    await writeFile(small, report(3));
    await writeFile(big, report(15_000)); // about 2.3 MB
    const trivy = path.join(dir, 'fake-trivy');
    await writeFile(trivy, `#!/bin/sh\n[ "$1" = "--version" ] && { echo "Version: 0.44.1"; exit 0; }\nout=""; prev=""; target=""\nfor a in "$@"; do [ "$prev" = "--output" ] && out="$a"; [ "$prev" = "fs" ] && target="$a"; prev="$a"; done\ncase "$target" in *huge*) [ -f '${dir}/grown' ] && { cat '${big}' > "$out"; exit 0; } ;; esac\ncat '${small}' > "$out"\n`);
    await chmod(trivy, 0o755);
    const huge = await makeGitRepo({ 'package.json': '{"name":"h"}' }, 'main', 'huge');
    const fine = await makeGitRepo({ 'package.json': '{"name":"f"}' }, 'main', 'fine');
    await writeFile(path.join(dir, 'inventory.yaml'), `projects:\n${[huge, fine].map((r) => `  - url: ${r.url}\n    maintainers: [{name: M, email: m@example.com}]\n`).join('')}`);
    await writeFile(path.join(dir, 'icms.yaml'), `inventory: {file: inventory.yaml}\ntrivy:\n  path: ${trivy}\n  max_report_mb: 1\n`);
    const cli = (...args: string[]) => runCli(args, { cwd: dir });
    expect((await cli('fetch-projects')).code).toBe(0);
    expect((await cli('scan', '--all')).code).toBe(0);

    await writeFile(path.join(dir, 'grown'), '');
    await huge.commit({ 'package-lock.json': '{}' });
    await fine.commit({ 'package-lock.json': '{}' });
    const r = await cli('scan', '--all');
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/trivy fs .*huge.*: the report is 2\.\d MB, over the limit of 1 MB \(trivy\.max_report_mb\)/);
    expect(r.stderr).not.toMatch(/wrote no report/);
    const db = new Database(path.join(dir, 'icms.db'), { readonly: true });
    try {
      const counts = db.prepare('SELECT p.url AS url, COUNT(k.id) AS n FROM projects p LEFT JOIN packages k ON k.project_id = p.id GROUP BY p.id ORDER BY p.url').all() as { url: string; n: number }[];
      expect(counts.map((c) => [c.url.split('/').pop(), c.n]).sort()).toEqual([['fine', 3], ['huge', 3]]);
    } finally {
      db.close();
    }
  });

  it('a multi-MB report is stored whole (duplicates merged); one cut off after several batches keeps the packages', async () => {
    const dir = await tmpDir('icms-streamreport-');
    const current = path.join(dir, 'current.json');
    const small = path.join(dir, 'small.json');
    await writeFile(small, report(3));
    const rows = [...Array.from({ length: 20_000 }, (_, i) => ({ ...pkg(i), Indirect: true, DependsOn: [`dep-${i}@1`] })), { ...pkg(7), Indirect: false, DependsOn: ['dep-7@1', 'extra@2'] }];
    const full = JSON.stringify({ SchemaVersion: 2, ArtifactName: '.', ArtifactType: 'filesystem', Results: [{ Target: 'package-lock.json', Class: 'lang-pkgs', Type: 'npm', Packages: rows }] }, null, 2);
    await writeFile(current, full); // about 4 MB
    const trivy = path.join(dir, 'fake-trivy');
    await writeFile(trivy, `#!/bin/sh\n[ "$1" = "--version" ] && { echo "Version: 0.50.0"; exit 0; }\nout=""; prev=""; target=""\nfor a in "$@"; do [ "$prev" = "--output" ] && out="$a"; [ "$prev" = "fs" ] && target="$a"; prev="$a"; done\ncase "$target" in *big*) cat '${current}' > "$out"; exit 0 ;; esac\ncat '${small}' > "$out"\n`);
    await chmod(trivy, 0o755);
    const big = await makeGitRepo({ 'package.json': '{"name":"b"}' }, 'main', 'big');
    const fine = await makeGitRepo({ 'package.json': '{"name":"f"}' }, 'main', 'fine');
    await writeFile(path.join(dir, 'inventory.yaml'), `projects:\n${[big, fine].map((r) => `  - url: ${r.url}\n    maintainers: [{name: M, email: m@example.com}]\n`).join('')}`);
    await writeFile(path.join(dir, 'icms.yaml'), `inventory: {file: inventory.yaml}\ntrivy:\n  path: ${trivy}\n`);
    const cli = (...args: string[]) => runCli(args, { cwd: dir });
    const stored = () => {
      const db = new Database(path.join(dir, 'icms.db'), { readonly: true });
      try {
        const q = (name: string) => db.prepare("SELECT k.name, k.version, k.indirect, k.depends_on FROM packages k JOIN projects p ON p.id = k.project_id WHERE p.name = ? ORDER BY k.name").all(name) as { name: string; version: string; indirect: number; depends_on: string | null }[];
        return { big: q('local/big@main'), fine: q('local/fine@main'), tables: db.prepare("SELECT name FROM sqlite_master WHERE name LIKE '%staged%'").all() };
      } finally {
        db.close();
      }
    };
    expect((await cli('fetch-projects')).code).toBe(0);
    const first = await cli('scan', '--all');
    expect(first.code, first.stderr).toBe(0);
    const before = stored();
    expect(before.big).toHaveLength(20_000);
    expect(before.big.find((p) => p.name === 'pkg-7')).toEqual({ name: 'pkg-7', version: '1.0.7', indirect: 0, depends_on: JSON.stringify(['dep-7@1', 'extra@2']) });
    expect(before.big.find((p) => p.name === 'pkg-8')).toEqual({ name: 'pkg-8', version: '1.0.8', indirect: 1, depends_on: JSON.stringify(['dep-8@1']) });
    expect(before.fine).toHaveLength(3);
    expect(before.tables).toEqual([]); // staged in SQLite's temporary database, never in icms.db

    await writeFile(current, full.slice(0, Math.floor(full.length * 0.7))); // past several batches of 2,000 rows
    await writeFile(small, report(5));
    await big.commit({ 'package-lock.json': '{}' });
    await fine.commit({ 'package-lock.json': '{}' });
    const r = await cli('scan', '--all');
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/trivy fs .*big.*: report is not valid JSON \(\d+ bytes, truncated\?\): it ends early inside Results\[0\] at character \d+/);
    const after = stored();
    expect(after.big).toEqual(before.big);
    expect(after.fine).toHaveLength(5);
  }, 120_000);
});
