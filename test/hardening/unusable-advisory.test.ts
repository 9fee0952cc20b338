/**
 * Issue 15 item 1: an OSV record with "*" as an event value other than `limit` (or GHSA's `<= *`) once made `match`
 * fail with "Invalid Version: *" (exit 70), and `run --all` stopped before notify and report on every run. One
 * unusable record is now skipped and named; the portfolio is matched, notified and reported.
 */
import { describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { makePortfolio } from '../helpers/demo.js';
import { tmpDir } from '../helpers/tmp.js';

const record = (id: string, ecosystem: string, name: string, events: object[], databaseSpecific?: object) => ({
  schema_version: '1.6.0',
  id,
  modified: '2025-01-01T00:00:00Z',
  summary: `hostile record ${id}`,
  affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events }], ...(databaseSpecific ? { database_specific: databaseSpecific } : {}) }],
});

const HOSTILE = [
  record('TEST-STAR-LAST-AFFECTED', 'npm', 'axios', [{ introduced: '0' }, { last_affected: '*' }]),
  record('TEST-STAR-FIXED', 'PyPI', 'requests', [{ introduced: '0' }, { fixed: '*' }]),
  record('TEST-STAR-INTRODUCED', 'npm', 'axios', [{ introduced: '*' }]),
  record('TEST-STAR-LAST-KNOWN', 'npm', 'axios', [{ introduced: '0' }], { last_known_affected_version_range: '<= *' }),
  // the one place OSV allows "*": an unbounded limit, which must keep matching
  record('TEST-STAR-LIMIT', 'npm', 'axios', [{ introduced: '0.18.0' }, { limit: '*' }]),
];

describe('an advisory with "*" outside `limit`', () => {
  it('is skipped and named while run --all matches, notifies and reports everything else', async () => {
    const bad = await tmpDir('icms-osv-star-');
    for (const r of HOSTILE) await writeFile(path.join(bad, `${r.id}.json`), JSON.stringify(r));
    const pf = await makePortfolio(['web-frontend', 'scraper'], `    - {name: osv-hostile, type: osv, path: ${bad}}\nreport:\n  html_output: dashboard/index.html\n`);
    await mkdir(path.join(pf.dir, 'dashboard'));
    const r = await runCli(['run', '--all', '--format', 'json'], { cwd: pf.dir });
    expect(r.code, r.stderr).toBe(0);
    const steps = JSON.parse(r.stdout).steps as { step: string; status: string }[];
    expect(steps.map((s) => `${s.step}:${s.status}`)).toEqual(['fetch-projects:ok', 'scan:ok', 'sync-vulns:ok', 'match:ok', 'notify:ok', 'report:ok']);
    // each unusable record is named on stderr
    for (const id of ['TEST-STAR-LAST-AFFECTED', 'TEST-STAR-FIXED', 'TEST-STAR-INTRODUCED', 'TEST-STAR-LAST-KNOWN']) expect(r.stderr).toContain(id);
    expect(r.stderr).toMatch(/"\*" is allowed only as "limit"/);
    expect(r.stderr).not.toContain('TEST-STAR-LIMIT');
    expect(r.stderr).not.toMatch(/internal error|Invalid Version/);
    const db = new Database(path.join(pf.dir, 'icms.db'), { readonly: true });
    try {
      const groups = (db.prepare("SELECT group_id AS g FROM findings WHERE package = 'axios'").all() as { g: string }[]).map((x) => x.g);
      // the demo's real axios advisories still match, and so does the valid "limit: *" record
      expect(groups.length).toBeGreaterThan(1);
      expect(groups).toContain('TEST-STAR-LIMIT');
      for (const id of ['TEST-STAR-LAST-AFFECTED', 'TEST-STAR-INTRODUCED', 'TEST-STAR-LAST-KNOWN']) expect(groups).not.toContain(id);
      const pypi = db.prepare("SELECT COUNT(*) AS n FROM findings WHERE ecosystem = 'PyPI'").get() as { n: number };
      expect(pypi.n).toBeGreaterThan(0);
      expect(db.prepare("SELECT COUNT(*) AS n FROM findings WHERE group_id = 'TEST-STAR-FIXED'").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    expect(readdirSync(path.join(pf.dir, 'outbox')).filter((f) => f.endsWith('.eml')).length).toBeGreaterThan(0);
    expect(existsSync(path.join(pf.dir, 'dashboard', 'index.html'))).toBe(true);
  }, 180_000);
});
