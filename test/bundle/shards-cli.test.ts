/**
 * Issue 21: four shards, each a separate `bin/icms.js` process with its own empty database, work dir and the
 * same inventory file, over a small real portfolio (real git, real trivy); their bundles imported into one
 * store and matched give the rows one `scan --all` + match gives.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { makePortfolio, type Portfolio } from '../helpers/demo.js';
import { runIcms } from '../helpers/icms-process.js';
import { inventoryFingerprint } from '../../src/bundle/shard.js';

let pf: Portfolio;
const cli = (...argv: string[]) => runCli(argv, { cwd: pf.dir });

/**
 * The rows a store holds, without what legitimately differs between two stores: row ids and the foreign keys
 * holding them (joined to project url + branch instead), run ids, and the times of each run (scan start/end and
 * duration, finding first/last seen, fixed_at, event time), and the inventory source ('file' vs 'bundle').
 */
type Row = Record<string, unknown>;

function dump(dbFile: string) {
  const db = new Database(dbFile, { readonly: true });
  try {
    const all = (sql: string) => db.prepare(sql).all() as Row[];
    return {
      projects: all(`SELECT kind, url, branch, name, labels, status,
          (SELECT group_concat(m.email, ',') FROM (SELECT m.email FROM maintainers m JOIN project_maintainers pm ON pm.maintainer_id = m.id WHERE pm.project_id = p.id ORDER BY m.email) m) AS maintainers
        FROM projects p ORDER BY url, branch`),
      scans: all(`SELECT pr.url, pr.branch, s.status, s.commit_sha, s.trivy_path, s.trivy_version, s.package_count, s.counts, s.warnings, s.label, s.error
        FROM scans s JOIN projects pr ON pr.id = s.project_id ORDER BY pr.url, pr.branch, s.started_at`),
      packages: all(`SELECT pr.url, pr.branch, p.ecosystem, p.name, p.version, p.pkg_type, p.target, p.purl, p.indirect, p.depends_on, p.src_name, p.src_version, p.match_name, p.match_version, p.unmapped
        FROM packages p JOIN projects pr ON pr.id = p.project_id ORDER BY pr.url, pr.branch, p.ecosystem, p.name, p.version, p.target`),
      findings: all(`SELECT pr.url, pr.branch, f.group_id, f.ecosystem, f.package, f.version, f.advisory_ids, f.aliases, f.severity, f.cvss_score, f.cvss_vector,
          f.env_score, f.env_severity, f.fixed_version, f.targets, f.reason, f.status, f.status_note, f.acceptance_id
        FROM findings_full f JOIN projects pr ON pr.id = f.project_id ORDER BY pr.url, pr.branch, f.group_id, f.ecosystem, f.package, f.version`),
      events: all(`SELECT pr.url, pr.branch, f.group_id, f.package, f.version, e.from_status, e.to_status, e.note
        FROM finding_events e JOIN findings f ON f.id = e.finding_id JOIN projects pr ON pr.id = f.project_id
        ORDER BY pr.url, pr.branch, f.group_id, f.package, f.version, e.id`),
    };
  } finally {
    db.close();
  }
}

// Every store is its own file; the work dir (clones, trivy cache) is one for all, the commands running one after
// another: `trivy --version` (seconds of CPU on a loaded machine, cached in the work dir) then runs once.
const db = (name: string) => ['--db', name, '--work-dir', 'work'];

beforeAll(async () => {
  pf = await makePortfolio(['web-frontend', 'issue-board', 'search-tool', 'scraper'], 'inventory:\n  file: inventory.yaml\n');
  await mkdir(path.join(pf.dir, 'bundles'));
  // four shard processes one after another, each with its own empty store: no database is shared
  for (const i of [0, 1, 2, 3]) {
    const r = await runIcms([...db(`shard-${i}.db`), 'scan', '--all', '--shard', `${i}/4`, '--inventory', 'inventory.yaml', '--export', `bundles/shard-${i}.json.gz`], { cwd: pf.dir });
    expect(r.code, r.stderr).toBe(0);
  }
}, 180_000);

describe('sharded scan + import', () => {
  it('gives the store one scan --all gives: same projects, scans, packages, findings and events', async () => {
    for (const argv of [['fetch-projects'], ['scan', '--all'], ['sync-vulns'], ['match']]) {
      const r = await cli(...db('single.db'), ...argv);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const imported = await cli(...db('merged.db'), 'import', 'bundles', '--format', 'json');
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ shards: 4, missing_shards: [], inventory_adopted: true, scanned: 4, failed: 0 });
    for (const argv of [['sync-vulns'], ['match']]) expect((await cli(...db('merged.db'), ...argv)).code).toBe(0);

    const single = dump(path.join(pf.dir, 'single.db'));
    const merged = dump(path.join(pf.dir, 'merged.db'));
    expect(single.packages.length).toBeGreaterThan(50);
    expect(single.findings.length).toBeGreaterThan(5);
    expect(single.events.length).toBe(single.findings.length);
    expect(merged).toEqual(single);
  }, 300_000); // a real scan of four repositories and two matches: minutes on a loaded machine

  it('each bundle holds its shard\'s projects only, with the inventory, trivy version and timings', async () => {
    const files = (await readdir(path.join(pf.dir, 'bundles'))).sort();
    expect(files).toEqual(['shard-0.json.gz', 'shard-1.json.gz', 'shard-2.json.gz', 'shard-3.json.gz']);
    const bundles = await Promise.all(files.map(async (f) => JSON.parse(gunzipSync(await readFile(path.join(pf.dir, 'bundles', f))).toString())));
    expect(bundles.flatMap((b) => b.scans.map((s: { name: string }) => s.name)).sort()).toEqual(['local/issue-board@main', 'local/scraper@main', 'local/search-tool@main', 'local/web-frontend@main']);
    for (const [i, b] of bundles.entries()) {
      expect(b).toMatchObject({ format: 'icms-scan-bundle', schema_version: 1, shard: { index: i, count: 4 }, trivy: { version: expect.any(String) } });
      expect(b.inventory.projects).toHaveLength(4);
      expect(b.inventory.fingerprint).toBe(bundles[0].inventory.fingerprint);
      for (const s of b.scans) expect(s).toMatchObject({ status: 'ok', commit: expect.stringMatching(/^[0-9a-f]{40}$/), trivy_version: b.trivy.version, error: null, duration_ms: expect.any(Number) });
    }
  });

  it('importing the same bundles twice changes nothing', async () => {
    const before = dump(path.join(pf.dir, 'merged.db'));
    const again = await cli(...db('merged.db'), 'import', 'bundles', '--format', 'json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ scanned: 0, already_imported: 4, failed: 0, inventory_adopted: false });
    expect(dump(path.join(pf.dir, 'merged.db'))).toEqual(before);
  });

  it('a missing shard is reported (exit 3) and its projects keep their previous packages', async () => {
    const before = dump(path.join(pf.dir, 'merged.db'));
    const bundles = (await readdir(path.join(pf.dir, 'bundles'))).map((f) => path.join('bundles', f));
    const nonEmpty: string[] = [];
    for (const f of bundles) if (JSON.parse(gunzipSync(await readFile(path.join(pf.dir, f))).toString()).scans.length > 0) nonEmpty.push(f);
    const [left, ...given] = [nonEmpty[0]!, ...bundles.filter((f) => f !== nonEmpty[0])];
    const r = await cli(...db('merged.db'), 'import', ...given);
    expect(r.code, r.stderr).toBe(3);
    const index = Number(/shard-(\d)/.exec(left)![1]);
    expect(r.stdout).toContain(`shards with no bundle: ${index}/4`);
    expect(r.stderr).toMatch(new RegExp(`shard ${index}/4 has no bundle \\(it failed or its bundle is missing\\): previous packages kept`));
    expect(dump(path.join(pf.dir, 'merged.db')).packages).toEqual(before.packages);
  });

  it('a project that failed on its shard is reported (exit 3), recorded as a failed scan, its packages kept', async () => {
    const before = dump(path.join(pf.dir, 'merged.db'));
    const files = (await readdir(path.join(pf.dir, 'bundles'))).map((f) => path.join(pf.dir, 'bundles', f));
    const bundles = await Promise.all(files.map(async (f) => JSON.parse(gunzipSync(await readFile(f)).toString())));
    const b = bundles.find((x) => x.scans.length > 0);
    const later = new Date(Date.parse(b.scans[0].started_at) + 60_000).toISOString();
    const failed = { ...b.scans[0], status: 'failed', started_at: later, finished_at: later, error: 'git fetch: repository not found', packages: [], package_count: null, counts: {} };
    await mkdir(path.join(pf.dir, 'failed'));
    await writeFile(path.join(pf.dir, 'failed', 'shard.json.gz'), gzipSync(JSON.stringify({ ...b, created_at: later, scans: [failed, ...b.scans.slice(1)] })));
    const r = await cli(...db('merged.db'), 'import', 'failed/shard.json.gz', ...files.filter((f) => !f.includes(`shard-${b.shard.index}.`)));
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`import ${failed.name}: git fetch: repository not found`);
    const after = dump(path.join(pf.dir, 'merged.db'));
    expect(after.packages).toEqual(before.packages);
    expect(after.scans.filter((x) => x.status === 'failed')).toEqual([expect.objectContaining({ url: failed.url, error: 'git fetch: repository not found' })]);
  });

  it('refuses a bundle of another schema version or another inventory (exit 2), storing nothing', async () => {
    const file = path.join(pf.dir, 'bundles', 'shard-0.json.gz');
    const bundle = JSON.parse(gunzipSync(await readFile(file)).toString());
    const odd = path.join(pf.dir, 'odd');
    await mkdir(odd);
    await writeFile(path.join(odd, 'v2.json.gz'), gzipSync(JSON.stringify({ ...bundle, schema_version: 2 })));
    const v2 = await cli(...db('other.db'), 'import', 'odd/v2.json.gz');
    expect(v2.code).toBe(2);
    expect(v2.stderr).toMatch(/v2\.json\.gz: bundle schema_version 2 \(written by icms .*\), this icms reads schema_version 1/);

    const projects = bundle.inventory.projects.slice(1);
    await writeFile(path.join(odd, 'fewer.json.gz'), gzipSync(JSON.stringify({ ...bundle, scans: bundle.scans.filter((s: { url: string }) => projects.some((p: { url: string }) => p.url === s.url)), inventory: { projects, fingerprint: inventoryFingerprint(projects) } })));
    const other = await cli(...db('merged.db'), 'import', 'odd/fewer.json.gz');
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/the store's inventory \(4 projects, sha256:.*\) is not the one the shards scanned \(3 projects, .*: 0 not in the store, 1 only in the store\)/);
    expect(other.stderr).toMatch(/hint: .*--adopt-inventory/);
    const mixed = await cli(...db('other.db'), 'import', 'odd/fewer.json.gz', 'bundles/shard-1.json.gz');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/shard-1\.json\.gz was scanned from another inventory/);
    expect(dump(path.join(pf.dir, 'other.db'))).toMatchObject({ projects: [], scans: [], packages: [] });
    expect(dump(path.join(pf.dir, 'merged.db')).projects).toHaveLength(4);

    await writeFile(path.join(odd, 'altered.json.gz'), gzipSync(JSON.stringify({ ...bundle, inventory: { ...bundle.inventory, projects } })));
    const altered = await cli(...db('other.db'), 'import', 'odd/altered.json.gz');
    expect(altered.code).toBe(2);
    expect(altered.stderr).toMatch(/invalid scan bundle: inventory\.fingerprint does not match/);
    await writeFile(path.join(odd, 'plain.json.gz'), JSON.stringify(bundle));
    expect((await cli(...db('other.db'), 'import', 'odd/plain.json.gz')).stderr).toMatch(/plain\.json\.gz: not a gzip file/);
  });

  it('run --all --from-bundles imports instead of fetch-projects + scan, then matches and notifies', async () => {
    const r = await cli(...db('chain.db'), 'run', '--all', '--from-bundles', 'bundles', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const steps = JSON.parse(r.stdout).steps as { step: string; status: string; note?: string; summary: Record<string, unknown> }[];
    expect(steps.map((s) => `${s.step}:${s.status}`)).toEqual(['fetch-projects:skipped', 'scan:ok', 'sync-vulns:ok', 'match:ok', 'notify:ok', 'report:skipped']);
    expect(steps[0]!.note).toMatch(/bundles carry the inventory/);
    expect(steps[1]!.summary).toMatchObject({ scanned: 4, inventory_adopted: true });
    const chain = dump(path.join(pf.dir, 'chain.db'));
    const merged = dump(path.join(pf.dir, 'merged.db'));
    expect(chain.packages).toEqual(merged.packages);
    expect(chain.findings).toEqual(merged.findings);
  }, 120_000);
  it('a shard that re-scans an unchanged portfolio bundles skipped scans; import records them as a local re-scan would', async () => {
    const bundles = await Promise.all([0, 1, 2, 3].map(async (i) => JSON.parse(gunzipSync(await readFile(path.join(pf.dir, 'bundles', `shard-${i}.json.gz`))).toString())));
    const i = bundles.findIndex((b) => b.scans.length > 0);
    await mkdir(path.join(pf.dir, 'rescan'));
    const again = await cli(...db(`shard-${i}.db`), 'scan', '--all', '--shard', `${i}/4`, '--inventory', 'inventory.yaml', '--export', `rescan/shard-${i}.json.gz`);
    expect(again.code, again.stderr).toBe(0);
    const rescan = JSON.parse(gunzipSync(await readFile(path.join(pf.dir, 'rescan', `shard-${i}.json.gz`))).toString());
    expect(rescan.scans.map((s: { status: string }) => s.status)).toEqual(bundles[i].scans.map(() => 'skipped'));
    const before = dump(path.join(pf.dir, 'chain.db'));
    const r = await cli(...db('chain.db'), 'import', `rescan/shard-${i}.json.gz`, ...[0, 1, 2, 3].filter((x) => x !== i).map((x) => `bundles/shard-${x}.json.gz`), '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ skipped: bundles[i].scans.length, scanned: 0 });
    const after = dump(path.join(pf.dir, 'chain.db'));
    expect(after.packages).toEqual(before.packages);
    expect(after.scans.filter((s) => s.status === 'skipped')).toHaveLength(bundles[i].scans.length);
  });

  it('a shard can read its inventory from a bundle instead of a YAML file', async () => {
    const bundles = await Promise.all([0, 1, 2, 3].map(async (i) => JSON.parse(gunzipSync(await readFile(path.join(pf.dir, 'bundles', `shard-${i}.json.gz`))).toString())));
    const sizes = bundles.map((b) => b.scans.length as number);
    const i = sizes.indexOf(Math.min(...sizes)); // the cheapest shard to scan again
    await mkdir(path.join(pf.dir, 'from-bundle'));
    const r = await cli(...db('from-bundle.db'), 'scan', '--all', '--shard', `${i}/4`, '--inventory', `bundles/shard-${(i + 1) % 4}.json.gz`, '--export', `from-bundle/shard-${i}.json.gz`);
    expect(r.code, r.stderr).toBe(0);
    const b = JSON.parse(gunzipSync(await readFile(path.join(pf.dir, 'from-bundle', `shard-${i}.json.gz`))).toString());
    expect(b.inventory).toEqual(bundles[i].inventory);
    expect(b.scans.map((s: { name: string }) => s.name)).toEqual(bundles[i].scans.map((s: { name: string }) => s.name));
  });
});
