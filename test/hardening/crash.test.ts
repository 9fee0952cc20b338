/**
 * kill -9 of a real `icms run --all` process at several points (between two scan writes, while sync-vulns
 * pages a source, while match runs, between the SMTP server taking a message and the ledger write), then
 * a normal re-run: the database is intact, nothing is lost or half-applied, no recipient gets a second mail,
 * and the dead run's lock is taken over.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SMTPServer } from 'smtp-server';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { cveManagerPage } from '../helpers/cve-manager.js';
import { FIXTURES, makePortfolio, type Portfolio } from '../helpers/demo.js';
import { spawnIcms, type IcmsProcess } from '../helpers/icms-process.js';
import { tmpDir } from '../helpers/tmp.js';
import { bundledTrivy } from '../scanner/trivy-helpers.js';

let pf: Portfolio;
let baseline: string;
let base: State;

interface State {
  integrity: string;
  findings: string[];
  accepted: string[];
  acceptances: number;
  /** Per project: how many scans its packages come from, their count, and what that scan recorded. */
  packageSets: { project: string; scans: number; rows: number; recorded: number | null; status: string | null }[];
  advisories: Record<string, number>;
}

/** Reads a state from a copy of the store (db, -wal, -shm), so icms itself still meets the crashed files. */
async function inspect(dbFile: string): Promise<State> {
  const dir = await tmpDir('icms-crash-copy-');
  for (const ext of ['', '-wal', '-shm']) if (existsSync(dbFile + ext)) copyFileSync(dbFile + ext, path.join(dir, `c.db${ext}`));
  const db = new Database(path.join(dir, 'c.db'));
  try {
    const col = (sql: string) => db.prepare(sql).pluck().all() as string[];
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      findings: col("SELECT p.url || ' ' || f.group_id || ' ' || f.ecosystem || ' ' || f.package || ' ' || f.version FROM findings f JOIN projects p ON p.id = f.project_id ORDER BY 1"),
      accepted: col("SELECT f.group_id || ' ' || f.status FROM findings f WHERE f.acceptance_id IS NOT NULL ORDER BY 1"),
      acceptances: db.prepare('SELECT COUNT(*) FROM acceptances').pluck().get() as number,
      packageSets: db
        .prepare(
          `SELECT p.url AS project, COUNT(DISTINCT k.scan_id) AS scans, COUNT(k.id) AS rows, s.package_count AS recorded, s.status AS status
           FROM projects p LEFT JOIN packages k ON k.project_id = p.id LEFT JOIN scans s ON s.id = (SELECT MAX(scan_id) FROM packages WHERE project_id = p.id)
           GROUP BY p.id ORDER BY p.url`,
        )
        .all() as State['packageSets'],
      advisories: Object.fromEntries(db.prepare('SELECT source, COUNT(*) AS n FROM advisories GROUP BY source').raw().all() as [string, number][]),
    };
  } finally {
    db.close();
  }
}

/** What must hold at any point: intact file, whole package sets, every finding and acceptance of the baseline. */
function expectConsistent(s: State): void {
  expect(s.integrity).toBe('ok');
  for (const p of s.packageSets) expect(p, p.project).toMatchObject({ scans: 1, rows: p.recorded, status: 'ok' });
  expect(s.findings).toEqual(base.findings);
  expect(s.accepted).toEqual(base.accepted);
  expect(s.acceptances).toBe(base.acceptances);
}

/** A scenario: its own copy of the baseline store, and `icms` runs against it (spawned or in-process). */
async function scenario(opts: { source?: string; extra?: string } = {}) {
  const dir = await tmpDir('icms-crash-');
  const db = path.join(dir, 'icms.db');
  copyFileSync(baseline, db);
  const config = path.join(dir, 'icms.yaml');
  const sources = `    - {name: osv-demo, type: osv, path: ${path.join(FIXTURES, 'demo/osv')}}\n${opts.source ?? ''}`;
  await writeFile(config, `inventory:\n  file: ${pf.dir}/inventory.yaml\nwork_dir: ${pf.dir}/.icms\nscan:\n  concurrency: 1\nadvisories:\n  sources:\n${sources}${opts.extra ?? ''}`);
  const globals = ['--config', config, '--db', db];
  return {
    dir,
    db,
    spawn: (args: string[], env: Record<string, string> = {}): IcmsProcess => spawnIcms([...globals, ...args], { cwd: pf.dir, env }),
    cli: (args: string[], env: Record<string, string> = {}) => runCli([...globals, ...args], { cwd: pf.dir, env }),
  };
}

/** Kills `p` with SIGKILL as soon as its stderr matches `re`; resolves when it is dead. */
async function killOn(p: IcmsProcess, re: RegExp) {
  const timer = setInterval(() => {
    if (re.test(p.stderrSoFar())) p.child.kill('SIGKILL');
  }, 2);
  const r = await p.done;
  clearInterval(timer);
  return r;
}

function expectStaleLockTakenOver(lockFile: string, rerunStderr: string): void {
  expect(rerunStderr).toMatch(/taking over a stale lock \(pid \d+ on this host is gone\)/);
  expect(existsSync(lockFile)).toBe(false);
}

beforeAll(async () => {
  pf = await makePortfolio(['web-frontend', 'issue-board'], 'inventory:\n  file: inventory.yaml\nscan:\n  concurrency: 1\n');
  const cli = (...a: string[]) => runCli(a, { cwd: pf.dir });
  const r = await cli('run', '--all', '--skip', 'notify');
  if (r.code !== 0) throw new Error(r.stderr);
  const acc = await cli('triage', 'accept', 'CVE-2021-3749', '--all-projects', '--reason', 'not reachable', '--by', 'test');
  if (acc.code !== 0) throw new Error(acc.stderr);
  const m = await cli('match');
  if (m.code !== 0) throw new Error(m.stderr);
  baseline = path.join(pf.dir, 'icms.db');
  base = await inspect(baseline);
}, 120_000);

describe('kill -9 of icms run --all, then a normal re-run', () => {
  it('the baseline has findings, an acceptance and whole package sets (what the scenarios protect)', () => {
    expect(base.integrity).toBe('ok');
    expect(base.findings.length).toBeGreaterThan(20);
    expect(base.accepted).toEqual(['CVE-2021-3749 accepted']); // axios in web-frontend
    expect(base.packageSets).toHaveLength(2);
    for (const p of base.packageSets) expect(p.rows).toBeGreaterThan(0);
  });

  it('killed between two scan writes (trivy of the second project done, not stored): re-run completes it', async () => {
    // both branches move, so trivy runs again; a trivy wrapper kills icms (its parent) after the second scan
    for (const r of Object.values(pf.remotes)) await r.commit({ 'NOTES.md': `changed ${Date.now()}` });
    const t = await scenario();
    const wrapper = path.join(t.dir, 'trivy');
    const count = path.join(t.dir, 'trivy-runs');
    await writeFile(
      wrapper,
      `#!/bin/sh\n"${bundledTrivy()}" "$@"; rc=$?\nif [ "$1" = fs ]; then echo x >> "${count}"; [ "$(wc -l < "${count}")" -eq 2 ] && kill -9 $PPID; fi\nexit $rc\n`,
    );
    await chmod(wrapper, 0o755);
    const killed = await t.spawn(['run', '--all', '--skip', 'notify'], { ICMS_TRIVY: wrapper }).done;
    expect(killed.signal).toBe('SIGKILL');
    const mid = await inspect(t.db);
    expectConsistent(mid);
    expect(existsSync(`${t.db}.lock`)).toBe(true);

    const again = await t.cli(['run', '--all', '--skip', 'notify']);
    expect(again.code, again.stderr).toBe(0);
    expectStaleLockTakenOver(`${t.db}.lock`, again.stderr);
    const after = await inspect(t.db);
    expectConsistent(after);
    expect(after.packageSets.map((p) => p.rows)).toEqual(base.packageSets.map((p) => p.rows));
    // the scan the killed run left 'running' and the run itself are closed as failed, not left running forever
    const d = new Database(t.db, { readonly: true });
    expect(d.prepare("SELECT COUNT(*) FROM scans WHERE status = 'running'").pluck().get()).toBe(0);
    expect(d.prepare("SELECT COUNT(*) FROM runs WHERE status = 'running'").pluck().get()).toBe(0);
    d.close();
  }, 120_000);

  it('killed while sync-vulns pages a CVE Manager source: no partial source, the re-run loads it whole', async () => {
    const records = JSON.parse(readFileSync(path.join(FIXTURES, 'vtopia/records.json'), 'utf8')) as unknown[];
    const victim: { p?: IcmsProcess } = {}; // the icms process the server kills, once it is spawned
    let killNow = true;
    const server = http.createServer((req, res) => {
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page_num'));
      if (page === 2 && killNow) victim.p?.child.kill('SIGKILL');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(cveManagerPage(records, page, 2)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/cves`;
    const t = await scenario({ source: `    - {name: cve-manager, type: vtopia, url: "${url}", page_size: 2, retries: 0}\n` });
    victim.p = t.spawn(['run', '--all', '--skip', 'notify']);
    const killed = await victim.p.done;
    expect(killed.signal).toBe('SIGKILL');
    const mid = await inspect(t.db);
    expectConsistent(mid);
    expect(mid.advisories['cve-manager']).toBeUndefined();
    expect(mid.advisories['osv-demo']).toBe(base.advisories['osv-demo']);

    killNow = false;
    const again = await t.cli(['run', '--all', '--skip', 'notify']);
    expect(again.code, again.stderr).toBe(0);
    expectStaleLockTakenOver(`${t.db}.lock`, again.stderr);
    const after = await inspect(t.db);
    expect(after.integrity).toBe('ok');
    expect(after.advisories['cve-manager']).toBe(records.length);
  }, 60_000);

  it('killed during match (and again during sync-vulns writes): the findings are the old or the new, never a mix', async () => {
    const t = await scenario();
    for (const at of [/INFO {2}run: match/, /INFO {2}run: sync-vulns/]) {
      const killed = await killOn(t.spawn(['run', '--all', '--skip', 'notify']), at);
      expect(killed.signal).toBe('SIGKILL');
      expectConsistent(await inspect(t.db));
    }
    const again = await t.cli(['run', '--all', '--skip', 'notify']);
    expect(again.code, again.stderr).toBe(0);
    expectStaleLockTakenOver(`${t.db}.lock`, again.stderr);
    expectConsistent(await inspect(t.db));
  }, 60_000);

  it('killed after the SMTP server took a message but before the ledger says sent: nobody gets a second mail', async () => {
    const received: string[] = [];
    const victim: { p?: IcmsProcess } = {}; // the icms process the server kills, once it is spawned
    let kills = 0;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, cb) {
        stream.resume();
        stream.on('end', () => {
          // the server has the whole message: from here on it will be delivered
          received.push(...session.envelope.rcptTo.map((r) => r.address));
          if (kills === 0) {
            kills++;
            victim.p?.child.kill('SIGKILL'); // icms dies before it hears 250
          }
          cb(null, 'queued');
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.server.address() as { port: number }).port;
    const t = await scenario({
      extra: `notify:\n  transport: smtp\n  security_team: [security@example.com]\n  alert_severity: low\nsmtp:\n  host: 127.0.0.1\n  port: ${port}\n  require_tls: false\n  pool: false\n  timeout_ms: 5000\n`,
    });
    victim.p = t.spawn(['run', '--all']);
    const killed = await victim.p.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(received).toHaveLength(1);
    expectConsistent(await inspect(t.db));
    const d = new Database(t.db, { readonly: true });
    expect(d.prepare('SELECT recipient, state FROM notifications').all()).toEqual([{ recipient: received[0], state: 'pending' }]);
    d.close();

    const again = await t.cli(['run', '--all']);
    expect(again.code, again.stderr).toBe(0);
    expectStaleLockTakenOver(`${t.db}.lock`, again.stderr);
    expect(again.stderr).toMatch(/left pending by run \d+: recorded as sent-unconfirmed, not resent/);
    const everyone = ['web-frontend@example.com', 'issue-board@example.com']; // nothing new: no alert
    expect([...received].sort()).toEqual([...everyone].sort()); // each exactly once, the interrupted one included
    const third = await t.cli(['run', '--all']);
    expect(third.code, third.stderr).toBe(0);
    expect(received).toHaveLength(everyone.length);
  }, 60_000);
});
