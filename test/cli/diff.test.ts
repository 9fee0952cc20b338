/** `icms diff` between runs, dates and scan labels, on a real pipeline with a fixed clock per step. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildPipeline, copyPipeline, day, type Pipeline } from '../triage/pipeline.js';
import { tmpDir } from '../helpers/tmp.js';

let pipeline: Pipeline;
beforeAll(async () => {
  pipeline = await buildPipeline();
}, 180_000);
afterAll(async () => pipeline?.dispose());

interface DiffJson { from: { run_id: number }; to: { run_id: number }; new: Row[]; fixed: Row[]; changed: Row[] }
interface Row { package: string; advisory_id: string; from_status: string | null; to_status: string | null }
const rows = (xs: Row[]) => xs.map((r) => `${r.package} ${r.advisory_id} ${r.from_status}->${r.to_status}`);

describe('icms diff', () => {
  it('lists findings new, fixed and changed between a scan label, a date, a run id and the latest run', async () => {
    const c = await copyPipeline(pipeline);
    const diff = async (...args: string[]) => {
      const r = await c.run(['diff', ...args, '--format', 'json'], day(9));
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as DiffJson;
    };
    // day 1: follow-redirects accepted (a triage change)
    expect((await c.run(['triage', 'accept', 'CVE-2022-0155', '--all-projects', '--reason', 'no cookies'], day(1))).code).toBe(0);
    // day 2: the axios ReDoS advisory leaves the source (as if withdrawn upstream): its finding is fixed
    const osv = await tmpDir();
    await cp(path.resolve(import.meta.dirname, '../../fixtures/demo/osv'), osv, { recursive: true });
    await rm(path.join(osv, 'npm/GHSA-cph5-m8f7-6c5x.json'));
    const config = path.join(c.dir, 'icms.yaml');
    const original = await readFile(config, 'utf8');
    await writeFile(config, original.replace(/path: [^}]*osv}/, `path: ${osv}}`));
    expect((await c.run(['sync-vulns'], day(2))).code).toBe(0);
    expect((await c.run(['match'], day(2))).code).toBe(0);
    // day 3: release 4.1.0 scanned with the advisory back: the finding is back — open, not reopened, since the
    // project's commit is the one it was fixed at (only the advisory came and went)
    await writeFile(config, original);
    expect((await c.run(['scan', '--all', '--label', '4.1.0'], day(3))).code).toBe(0);
    expect((await c.run(['sync-vulns'], day(3))).code).toBe(0);
    expect((await c.run(['match'], day(3))).code).toBe(0);

    const sinceRelease = await diff('--from', '4.0.0', '--to', '2024-06-03');
    expect(rows(sinceRelease.new)).toEqual([]);
    expect(rows(sinceRelease.fixed)).toEqual(['axios CVE-2021-3749 new->fixed']);
    expect(rows(sinceRelease.changed)).toEqual(['follow-redirects CVE-2022-0155 new->accepted']);

    const day2to41 = await diff('--from', '2024-06-03', '--to', '4.1.0');
    expect(rows(day2to41.new)).toEqual(['axios CVE-2021-3749 fixed->open']);
    expect(rows(day2to41.fixed)).toEqual([]);

    // release to release: the axios finding was there at both; only the triage change shows
    const releases = await diff('--from', '4.0.0', '--to', '4.1.0');
    expect([rows(releases.new), rows(releases.fixed), rows(releases.changed)]).toEqual([[], [], ['follow-redirects CVE-2022-0155 new->accepted']]);
    // the label 4.0.0 points at the match after that scan (run 4: fetch-projects 1, scan 2, sync-vulns 3, match 4)
    expect(releases.from.run_id).toBe(4);
    expect((await diff('--from', '4', '--to', '4')).changed).toEqual([]);
    // to defaults to the latest run
    expect(rows((await diff('--from', '1')).new)).toHaveLength(3);

    const table = await c.run(['diff', '--from', '4.0.0'], day(9));
    expect(table.stdout).toMatch(/from run 4 \(4\.0\.0\) to run \d+ \(latest\): 0 new, 0 fixed, 1 changed/);
  });

  it.each([['--from', 'no-such-label'], ['--from', '999'], ['--from', '1999-01-01']])('an unknown reference %s %s is exit 2', async (...args) => {
    const c = await copyPipeline(pipeline);
    const r = await c.run(['diff', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no run with that id, date or label/);
  });
});
