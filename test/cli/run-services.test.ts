import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { FIXTURES, makePortfolio } from '../helpers/demo.js';
import { json, startServer } from '../helpers/http.js';
import { startSmtpServer } from '../helpers/smtp.js';

const OPS_TOKEN = 'ops-token-run-e2e-5d1c';
const SMTP_PASSWORD = 'smtp-password-run-e2e-91aa';

describe('icms run --all against real loopback services', () => {
  it('ops API inventory, OSV + CVE Manager advisories, SMTP mail, dashboard and archive', async () => {
    const pf = await makePortfolio(['web-frontend', 'scraper']);
    const ops = await startServer((req, res) => {
      if (req.headers.authorization !== `Bearer ${OPS_TOKEN}`) return json(res, 401, { err_code: 401 });
      json(res, 200, {
        err_code: 0,
        description: 'ok',
        data: [
          { repository: `${pf.remotes['web-frontend']!.url}.git`, branch: 'main', developer: 'Wendy Web', email: 'wendy@example.com' },
          { repository: pf.remotes.scraper!.url, branch: 'main', developer: 'Sam Scraper', email: 'sam@example.com' },
        ],
      });
    });
    const page = readFileSync(path.join(FIXTURES, 'demo/vtopia/page-1.json'), 'utf8');
    const vtopia = await startServer((req, res) => {
      const n = new URL(req.url, 'http://x').searchParams.get('page_num');
      res.writeHead(200, { 'content-type': 'application/json' });
      // as the CVE Manager answers: page 1 holds both rows of body.total 2, a later page an empty list
      res.end(n === '1' ? page : JSON.stringify({ body: { total: 2, list: [] }, code: '200', errmsg: 'success' }));
    });
    const smtp = await startSmtpServer({ auth: { user: 'icms', password: SMTP_PASSWORD } });
    writeFileSync(
      path.join(pf.dir, 'icms.yaml'),
      `inventory:
  source: ops
  ops: {url: "${ops.url}/projects"}
  allow: {local: true} # the demo repositories are local file:// remotes
advisories:
  sources:
    - {name: osv, type: osv, path: ${path.join(FIXTURES, 'demo/osv')}}
    - {name: cve-manager, type: vtopia, url: "${vtopia.url}/v1/cve/detail/list", timeout_ms: 2000, retries: 0}
notify:
  transport: smtp
  from: "icms <icms@example.com>"
  security_team: [security@example.com]
smtp: {host: 127.0.0.1, port: ${smtp.port}, user: icms, ca_file: ${smtp.caFile}, pool: false}
report: {html_output: site/index.html, archive_dir: archive}
`,
    );
    const env = { ICMS_OPS_TOKEN: OPS_TOKEN, ICMS_SMTP_PASSWORD: SMTP_PASSWORD };
    const r = await runCli(['run', '--all', '--format', 'json'], { cwd: pf.dir, env, now: () => new Date('2026-11-23T06:00:00Z') });
    expect(r.code, r.stderr).toBe(0);
    const steps = JSON.parse(r.stdout).steps as { step: string; status: string }[];
    expect(steps.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);

    // one vulnerability reported by two sources is one finding: PYSEC-2018-28 (OSV) + CVE-2018-18074 (CVE Manager)
    const db = new Database(path.join(pf.dir, 'icms.db'), { readonly: true });
    const requests = db.prepare("SELECT advisory_ids, status FROM findings_full WHERE package = 'requests' AND group_id = 'CVE-2018-18074'").all() as { advisory_ids: string; status: string }[];
    expect(requests).toHaveLength(1);
    expect(JSON.parse(requests[0]!.advisory_ids).sort()).toEqual(['CVE-2018-18074', 'PYSEC-2018-28']);
    expect(db.prepare("SELECT command, status FROM runs WHERE command = 'run'").all()).toEqual([{ command: 'run', status: 'ok' }]);
    db.close();

    // mail over STARTTLS + AUTH: one digest per maintainer and one security-team alert
    expect(smtp.logins).toContainEqual({ user: 'icms', ok: true });
    const to = smtp.received.map((m) => m.envelopeTo.join(',')).sort();
    expect(to).toEqual(['sam@example.com', 'security@example.com', 'wendy@example.com']);
    const wendy = smtp.received.find((m) => m.envelopeTo.includes('wendy@example.com'))!.parsed;
    expect(wendy.subject).toMatch(/^\[icms\] \d+ new, \d+ open advisor(y|ies) in your projects/);
    expect(wendy.text).toMatch(/axios/);
    expect(wendy.html).toMatch(/CVE-2021-3749/);

    // dashboard and archive on disk
    const html = readFileSync(path.join(pf.dir, 'site/index.html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain('CVE-2018-18074');
    const [archive] = readdirSync(path.join(pf.dir, 'archive'));
    expect(archive).toBe('2026-11-23.json.gz');
    const snapshot = JSON.parse(gunzipSync(readFileSync(path.join(pf.dir, 'archive', archive!))).toString('utf8'));
    expect(snapshot.findings.length).toBeGreaterThan(10);

    // secrets went only where they belong
    expect(ops.requests.every((q) => q.headers.authorization === `Bearer ${OPS_TOKEN}`)).toBe(true);
    expect(r.stdout + r.stderr).not.toContain(OPS_TOKEN);
    expect(r.stdout + r.stderr).not.toContain(SMTP_PASSWORD);
  }, 120_000);
});
