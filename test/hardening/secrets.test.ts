/**
 * Secret hygiene of the whole chain. Distinct canaries for the ops API (plus the token a refresh hands out),
 * two git hosts (one right token, one wrong) and SMTP (a wrong, then the right password) go through
 * `icms run --all --verbose --log-file` as a real process, with failures on purpose. Then every byte icms
 * produced is searched for each canary in every encoding a leak could take.
 */
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canary, filesUnder, findLeaks, textBlob, type Blob } from '../helpers/canary.js';
import { FIXTURES, fixtureFiles } from '../helpers/demo.js';
import { makeGitRepo } from '../helpers/git.js';
import { startGitHttpServer } from '../helpers/git-http-server.js';
import { json, startServer } from '../helpers/http.js';
import { runIcms, type IcmsProcessResult } from '../helpers/icms-process.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { tmpDir } from '../helpers/tmp.js';
import { bundledTrivy } from '../scanner/trivy-helpers.js';

const SECRETS = {
  ops: canary('ops'),
  opsFresh: canary('ops-fresh'),
  gitGood: canary('git-good'),
  gitWrong: canary('git-wrong'),
  gitServerB: canary('git-server-b'),
  smtpWrong: canary('smtp-wrong'),
  smtpRight: canary('smtp-right'),
};
const basic = (token: string) => `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
const mode = async (p: string) => (await stat(p)).mode & 0o777;

async function setup() {
  const dir = await tmpDir('icms-secrets-');
  const web = await makeGitRepo(await fixtureFiles('web-frontend'), 'main', 'web-frontend');
  const board = await makeGitRepo(await fixtureFiles('issue-board'), 'main', 'issue-board');
  const gitA = await startGitHttpServer(path.dirname(web.bareDir), { requireAuth: basic(SECRETS.gitGood) });
  const gitB = await startGitHttpServer(path.dirname(board.bareDir), { requireAuth: basic(SECRETS.gitServerB) });
  const row = (repository: string, developer: string, email: string) => ({ repository, branch: 'main', developer, email });
  const ops = await startServer((req, res) => {
    if (req.url === '/api/refresh') {
      if (new URLSearchParams(req.body).get('token') !== SECRETS.ops) return json(res, 403, { error: 'unknown token' });
      return json(res, 200, { token: SECRETS.opsFresh });
    }
    if (req.headers.authorization !== `Bearer ${SECRETS.opsFresh}`) return json(res, 401, { err_code: 401, description: 'token expired' });
    json(res, 200, {
      err_code: 0,
      description: 'ok',
      data: [row(`${gitA.baseUrl}/web-frontend.git`, 'Alice', 'alice@example.com'), row(`${gitB.baseUrl}/issue-board.git`, 'Bob', 'bob@example.com')],
    });
  });
  const smtp = await startSmtpServer({ auth: { user: 'icms', password: SECRETS.smtpRight } });
  // trivy through a wrapper that records the environment and argv it was given, then runs the real one
  const trivy = path.join(dir, 'trivy-wrapper.sh');
  await writeFile(trivy, `#!/bin/sh\n{ env; echo "argv: $*"; } >> "${dir}/trivy-seen.txt"\nexec "${bundledTrivy()}" "$@"\n`);
  await chmod(trivy, 0o755);
  const hostA = new URL(gitA.baseUrl).host;
  const hostB = new URL(gitB.baseUrl).host;
  await writeFile(
    path.join(dir, 'icms.yaml'),
    `db: ${dir}/state/icms.db
work_dir: ${dir}/work
inventory:
  source: ops
  ops:
    url: ${ops.url}/api/projects
    refresh_url: ${ops.url}/api/refresh
    token_file: ${dir}/secrets/ops-token
    timeout_ms: 5000
    retries: 0
git:
  timeout_ms: 30000
  auth:
    "${hostA}": {token_env: GIT_TOKEN_A}
    "${hostB}": {token_env: GIT_TOKEN_B}
trivy:
  path: ${trivy}
advisories:
  sources:
    - {name: osv-demo, type: osv, path: ${path.join(FIXTURES, 'demo/osv')}}
notify:
  transport: smtp
  from: "icms <icms@example.com>"
  security_team: [security@example.com]
  outbox_dir: ${dir}/outbox
smtp:
  host: localhost
  port: ${smtp.port}
  ca_file: ${smtp.caFile}
  user: icms
  pool: false
  timeout_ms: 5000
report:
  html_output: ${dir}/dashboard/index.html
  archive_dir: ${dir}/archive
`,
  );
  const env = (smtpPassword: string) => ({
    ICMS_OPS_TOKEN: SECRETS.ops,
    GIT_TOKEN_A: SECRETS.gitGood,
    GIT_TOKEN_B: SECRETS.gitWrong,
    ICMS_SMTP_PASSWORD: smtpPassword,
  });
  const icms = (args: string[], smtpPassword: string) =>
    runIcms(['--config', 'icms.yaml', '--verbose', '--log-file', `${dir}/logs/icms.log`, ...args], { cwd: dir, env: env(smtpPassword) });
  return { dir, ops, gitA, gitB, smtp, icms };
}

describe('secrets never leak (ops token + refresh, git tokens, SMTP password) through a whole run with failures', () => {
  it('run --all twice (wrong SMTP password, wrong git token, a 401 that refreshes), then reports: no canary anywhere', async () => {
    const t = await setup();
    const outputs: IcmsProcessResult[] = [];

    // 1. a run where the ops token is expired, repository B has a wrong token and the SMTP password is wrong
    const first = await t.icms(['run', '--all'], SECRETS.smtpWrong);
    outputs.push(first);
    expect(first.code, first.stderr).toBe(3);
    expect(t.ops.requests.map((r) => r.url)).toEqual(['/api/projects', '/api/refresh', '/api/projects']);
    expect(first.stderr).toMatch(/authentication failed for http:\/\/127\.0\.0\.1:\d+\/issue-board/);
    expect(first.stderr).toMatch(/535|Invalid login|authentication/i);
    expect(t.smtp.logins.length).toBeGreaterThan(0);
    expect(t.smtp.logins.every((l) => !l.ok)).toBe(true);
    expect(t.smtp.received).toHaveLength(0);
    // the git servers did see the tokens as headers (the wrong one for B), so the canaries are live
    expect(t.gitA.requests.some((r) => r.authorization === basic(SECRETS.gitGood))).toBe(true);
    expect(t.gitB.requests.some((r) => r.authorization === basic(SECRETS.gitWrong))).toBe(true);

    // 2. the same run with the right SMTP password: the failed mails go out now
    const second = await t.icms(['run', '--all'], SECRETS.smtpRight);
    outputs.push(second);
    expect(second.code, second.stderr).toBe(3); // repository B still fails
    expect(t.smtp.received.map((m) => m.envelopeTo[0]).sort()).toContain('alice@example.com');

    // 3. reports in every format, explain, doctor, config show
    for (const args of [
      ['report', '--format', 'html', '--output', `${t.dir}/report.html`],
      ['report', '--format', 'csv'],
      ['report', '--format', 'json'],
      ['report', '--format', 'markdown'],
      ['report', '--archive', `${t.dir}/archive2`],
      ['match', '--format', 'table'],
      ['runs', '--format', 'json'],
      ['config', 'show'],
      ['doctor'],
    ]) {
      const r = await t.icms(args, SECRETS.smtpRight);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).not.toBe(70);
      outputs.push(r);
    }

    // 4. every byte: outputs, log file, database + WAL, work dir (.git/config, trivy temp files), outbox,
    //    dashboards, archives (gunzipped), what trivy was given, and the mails the server received
    const blobs: Blob[] = [
      ...outputs.flatMap((o, i) => [textBlob(`stdout #${i}`, o.stdout), textBlob(`stderr #${i}`, o.stderr)]),
      ...(await filesUnder(t.dir, { skip: (f) => f === path.join(t.dir, 'secrets/ops-token') })),
      ...t.smtp.received.map((m, i) => textBlob(`mail #${i}`, m.raw)),
    ];
    const names = blobs.map((b) => path.relative(t.dir, b.name));
    for (const expected of ['logs/icms.log', 'state/icms.db', 'dashboard/index.html', 'report.html', 'trivy-seen.txt']) expect(names).toContain(expected);
    expect(names.some((n) => /^work\/repos\/.*\/\.git\/config$/.test(n))).toBe(true);
    expect(names.some((n) => /^archive\/.*\.json\.gz \(gunzipped\)$/.test(n))).toBe(true);
    // (icms.db-wal is checkpointed into icms.db and removed when the last connection closes; a -wal left
    // behind would be in `blobs` too. The raw database file keeps freed pages, so old rows are searched.)
    const log = await readFile(path.join(t.dir, 'logs/icms.log'), 'utf8');
    expect(log).toMatch(/DEBUG/); // --verbose reached the file: the debug lines (git commands, retries) were searched
    expect(findLeaks(blobs, SECRETS)).toEqual([]);
    // positive controls: the search does find each secret where it legitimately is
    const tokenFile = await filesUnder(path.join(t.dir, 'secrets'));
    expect(findLeaks(tokenFile, SECRETS)).toEqual([expect.stringContaining('opsFresh as')]);
    const wire = t.gitB.requests.map((r, i) => textBlob(`request ${i}`, r.authorization ?? ''));
    expect(findLeaks(wire, SECRETS).some((h) => h.includes('gitWrong as'))).toBe(true);

    // 5. the refreshed token is only in the 0600 token file
    expect(await readFile(path.join(t.dir, 'secrets/ops-token'), 'utf8')).toBe(`${SECRETS.opsFresh}\n`);
    expect(await mode(path.join(t.dir, 'secrets/ops-token'))).toBe(0o600);
  }, 240_000);
});

describe('file modes of what icms creates', () => {
  it('database 0600, work dir and its subdirectories 0700, log file 0600, even under a permissive umask', async () => {
    const dir = await tmpDir('icms-modes-');
    const remote = await makeGitRepo({ 'package.json': '{"name":"a","version":"1.0.0"}' }, 'main', 'a');
    await writeFile(path.join(dir, 'inventory.yaml'), `projects:\n  - url: ${remote.url}\n    maintainers: [{name: A, email: a@example.com}]\n`);
    await writeFile(path.join(dir, 'icms.yaml'), `db: ${dir}/db/icms.db\nwork_dir: ${dir}/work\ninventory: {file: inventory.yaml}\n`);
    await mkdir(path.join(dir, 'db'));
    const umask = process.umask(0);
    try {
      const a = await runIcms(['fetch-projects', '--log-file', `${dir}/icms.log`], { cwd: dir });
      expect(a.code, a.stderr).toBe(0);
      const b = await runIcms(['scan', '--all', '--log-file', `${dir}/icms.log`], { cwd: dir });
      expect(b.code, b.stderr).toBe(0);
    } finally {
      process.umask(umask);
    }
    expect(await mode(path.join(dir, 'db/icms.db'))).toBe(0o600);
    expect(await mode(path.join(dir, 'icms.log'))).toBe(0o600);
    expect(await mode(path.join(dir, 'work'))).toBe(0o700);
    for (const sub of ['repos', 'tmp', 'trivy-cache']) expect(await mode(path.join(dir, 'work', sub)), sub).toBe(0o700);
  }, 60_000);

  it('an existing work dir that others can read is narrowed to 0700 with a warning', async () => {
    const dir = await tmpDir('icms-modes-');
    await mkdir(path.join(dir, 'work'));
    await chmod(path.join(dir, 'work'), 0o755);
    await writeFile(path.join(dir, 'icms.yaml'), `work_dir: ${dir}/work\nadvisories:\n  sources: [{name: osv, type: osv, path: ${path.join(FIXTURES, 'osv/crates.io')}}]\n`);
    const r = await runIcms(['sync-vulns'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/work dir .*work was mode 0755; narrowed to 0700/);
    expect(await mode(path.join(dir, 'work'))).toBe(0o700);
    expect(await mode(path.join(dir, 'icms.db'))).toBe(0o600);
  });
});
