/**
 * An advisory's alias group grows or is re-keyed between syncs (a GHSA record gains its CVE alias, then a record
 * joins whose CVE sorts first): the vulnerability stays one finding — same row, first-seen kept, still open, no
 * `new` event and no second security alert. Real OSV record (GHSA-74fj-2j2h-c42q, CC-BY-4.0, as it reads before
 * and after GitHub added the CVE), a real git repository, real trivy, the outbox transport.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeGitRepo } from '../helpers/git.js';
import { tmpDir } from '../helpers/tmp.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEMO = path.join(ROOT, 'fixtures/demo');
const day = (n: number): Date => new Date(Date.UTC(2024, 5, 1 + n, 12));

describe('an alias group that grows or is re-keyed', () => {
  it('keeps one finding with its first-seen date and sends no second alert', async () => {
    const dir = await tmpDir();
    const web = await makeGitRepo({
      'package.json': await readFile(path.join(DEMO, 'repos/web-frontend/package.json'), 'utf8'),
      'yarn.lock': await readFile(path.join(DEMO, 'repos/web-frontend/yarn.lock'), 'utf8'),
    });
    const osvDir = path.join(dir, 'osv/npm');
    await mkdir(osvDir, { recursive: true });
    const real = JSON.parse(await readFile(path.join(DEMO, 'osv/npm/GHSA-74fj-2j2h-c42q.json'), 'utf8')) as Record<string, unknown>;
    const write = (rec: Record<string, unknown>, name = 'GHSA-74fj-2j2h-c42q.json') => writeFile(path.join(osvDir, name), JSON.stringify(rec));
    // as published on day 0: no CVE yet
    await write({ ...real, aliases: [], modified: '2022-01-12T22:46:26Z' });
    await writeFile(path.join(dir, 'inventory.yaml'), `projects:\n  - url: ${web.url}\n    branch: main\n    maintainers: [{name: Wendy, email: wendy@example.com}]\n`);
    await writeFile(path.join(dir, 'icms.yaml'), `inventory:\n  source: file\n  file: inventory.yaml\nadvisories:\n  sources: [{name: osv, type: osv, path: ${path.join(dir, 'osv')}}]\nnotify:\n  transport: outbox\n  outbox_dir: ${path.join(dir, 'outbox')}\n  security_team: [security@example.com]\n  alert_severity: medium\n`);
    const run = async (n: number, ...argv: string[]) => {
      const r = await runCli(argv, { cwd: dir, now: () => day(n) });
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };
    const findings = () => {
      const db = new Database(path.join(dir, 'icms.db'), { readonly: true });
      try {
        return {
          rows: db.prepare("SELECT id, group_id, status, first_seen FROM findings WHERE package = 'follow-redirects'").all() as { id: number; group_id: string; status: string; first_seen: string }[],
          events: db.prepare("SELECT e.to_status FROM finding_events e JOIN findings f ON f.id = e.finding_id WHERE f.package = 'follow-redirects' ORDER BY e.id").pluck().all(),
        };
      } finally {
        db.close();
      }
    };
    const alerts = async () => (await readdir(path.join(dir, 'outbox'))).filter((f) => f.includes('_alert_'));
    for (const argv of [['fetch-projects'], ['scan', '--all'], ['sync-vulns'], ['match'], ['notify']]) await run(0, ...argv);
    const before = findings();
    expect(before.rows).toEqual([{ id: expect.any(Number), group_id: 'GHSA-74fj-2j2h-c42q', status: 'new', first_seen: day(0).toISOString() }]);
    expect(await alerts()).toHaveLength(1);

    // day 1: GitHub adds the CVE alias (the group is now named by the CVE)
    await write({ ...real, aliases: ['CVE-2022-0155'], modified: '2022-01-14T00:00:00Z' });
    for (const argv of [['sync-vulns'], ['match'], ['notify']]) await run(1, ...argv);
    expect(findings().rows).toEqual([{ id: before.rows[0]!.id, group_id: 'CVE-2022-0155', status: 'open', first_seen: day(0).toISOString() }]);

    // day 2: another record joins the group with an older CVE, which now names it
    await write({ id: 'OSV-2024-0001', modified: '2024-06-03T00:00:00Z', aliases: ['CVE-2022-0155', 'CVE-2021-99999'], affected: real.affected }, 'OSV-2024-0001.json');
    for (const argv of [['sync-vulns'], ['match'], ['notify']]) await run(2, ...argv);
    const after = findings();
    expect(after.rows).toEqual([{ id: before.rows[0]!.id, group_id: 'CVE-2021-99999', status: 'open', first_seen: day(0).toISOString() }]);
    expect(after.events).toEqual(['new', 'open']);
    expect(await alerts()).toHaveLength(1);
  });
});
