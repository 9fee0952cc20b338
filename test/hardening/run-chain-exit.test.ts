/**
 * `run --all` when `match` crashes (an internal error, exit 70: here a stored affected range that is not JSON, as
 * an outside writer or a damaged file leaves it): the chain stops before notify and report and — as the README
 * documents — a stopped chain exits 4; the step itself still shows its 70. Real demo portfolio (git, trivy, OSV).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makePortfolio } from '../helpers/demo.js';

describe('run --all stopped by a match crash', () => {
  it('exits 4, the steps after match not run', async () => {
    const pf = await makePortfolio(['web-frontend'], 'inventory:\n  file: inventory.yaml\n');
    const first = await runCli(['run', '--all', '--format', 'json'], { cwd: pf.dir });
    expect(first.code, first.stderr).toBe(0);
    const db = new Database(path.join(pf.dir, 'icms.db'));
    db.prepare("UPDATE affected SET ranges = '[{\"type\": \"SEMVER\", \"events\": [' WHERE name = 'axios'").run();
    db.close();

    const r = await runCli(['run', '--all', '--format', 'json'], { cwd: pf.dir });
    const out = JSON.parse(r.stdout) as { exit_code: number; steps: { step: string; status: string; exitCode: number; note?: string }[] };
    const match = out.steps.find((s) => s.step === 'match')!;
    expect(match).toMatchObject({ status: 'failed', exitCode: 70, note: expect.stringMatching(/chain stopped/) });
    expect(out.steps.filter((s) => ['notify', 'report'].includes(s.step)).map((s) => s.status)).toEqual(['skipped', 'skipped']);
    expect(out.exit_code).toBe(4);
    expect(r.code).toBe(4);
  });
});
