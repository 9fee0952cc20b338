/** `icms doctor`: checks the config, database, work dir, git, trivy, the inventory source and mail, each OK/FAIL with a hint. */
import type { Command } from 'commander';
import { accessSync, constants, existsSync } from 'node:fs';
import { openDb } from '../../db/open.js';
import { schemaVersion, SCHEMA_VERSION } from '../../db/migrate.js';
import { IcmsError, ExitCode, errorMessage } from '../../shared/errors.js';
import type { App } from '../main.js';
import { formatOption, renderTable, writeJson } from '../output.js';
import { openSession, type Session } from '../session.js';
import { createMailer } from '../mailer.js';
import path from 'node:path';
import { effectiveTrivyVersion, locateTrivy } from '../../scanner/locate-trivy.js';
import { trivyVersion } from '../../scanner/trivy.js';
import { cachedTrivyVersion } from '../trivy.js';

/** One doctor check's outcome. */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

type Check = (s: Session) => Promise<CheckResult>;

/** Registers `doctor`. */
export function registerDoctor(program: Command, app: App): void {
  program
    .command('doctor')
    .description('check the configuration, database, work dir, git, trivy and the inventory source')
    .addOption(formatOption(['table', 'json']))
    .action(async (flags: { format: string }) => {
      let s: Session;
      try {
        s = openSession(app.ctx, app.globals(), app.redactor);
      } catch (err) {
        const hint = err instanceof IcmsError ? err.hint : undefined;
        print(app, flags.format, [{ name: 'config', ok: false, detail: app.redactor.redact(errorMessage(err)), hint }]);
        app.setExitCode(ExitCode.Usage);
        return;
      }
      const results: CheckResult[] = [{ name: 'config', ok: true, detail: s.configFile ?? 'no file: defaults and environment' }];
      for (const check of CHECKS) results.push(await safely(check, s));
      print(app, flags.format, results.map((r) => ({ ...r, detail: s.redactor.redact(r.detail) })));
      app.setExitCode(results.every((r) => r.ok) ? ExitCode.Ok : ExitCode.External);
    });
}

async function safely(check: Check, s: Session): Promise<CheckResult> {
  try {
    return await check(s);
  } catch (err) {
    return { name: check.name, ok: false, detail: errorMessage(err), hint: err instanceof IcmsError ? err.hint : undefined };
  }
}

function print(app: App, format: string, results: CheckResult[]): void {
  if (format === 'json') {
    writeJson(app.ctx, { ok: results.every((r) => r.ok), checks: results });
    return;
  }
  const color = app.ctx.stdoutIsTty && !app.ctx.env.NO_COLOR;
  const mark = (ok: boolean) => (ok ? (color ? '\x1b[32mOK\x1b[0m' : 'OK') : color ? '\x1b[31mFAIL\x1b[0m' : 'FAIL');
  app.ctx.stdout.write(renderTable(['check', 'status', 'detail', 'hint'], results.map((r) => [r.name, mark(r.ok), r.detail, r.hint ?? '']), { color }));
}

// doctor only looks: a missing database or work dir is reported (and whether it can be created), never created
const database: Check = async (s) => {
  if (!existsSync(s.config.db)) {
    const where = writableAncestor(path.dirname(s.config.db));
    return where.ok
      ? { name: 'database', ok: true, detail: `${s.config.db} does not exist yet; the first command that stores creates it` }
      : { name: 'database', ok: false, detail: `${s.config.db} does not exist and ${where.dir} is not writable`, hint: 'set `db` (or --db) to a writable place' };
  }
  const db = openDb(s.config.db);
  try {
    const quick = db.pragma('quick_check', { simple: true });
    const ok = quick === 'ok';
    return { name: 'database', ok, detail: `${s.config.db} (schema ${schemaVersion(db)}/${SCHEMA_VERSION}, quick_check ${String(quick)})`, hint: ok ? undefined : 'restore the database from a backup' };
  } finally {
    db.close();
  }
};

const workDir: Check = async (s) => {
  if (!existsSync(s.config.workDir)) {
    const where = writableAncestor(s.config.workDir);
    return where.ok
      ? { name: 'work dir', ok: true, detail: `${s.config.workDir} does not exist yet; created (0700) when needed` }
      : { name: 'work dir', ok: false, detail: `${s.config.workDir} cannot be created: ${where.dir} is not writable`, hint: 'set `work_dir` (or --work-dir) to a writable place' };
  }
  accessSync(s.config.workDir, constants.W_OK);
  return { name: 'work dir', ok: true, detail: s.config.workDir };
};

/** The nearest existing directory at or above `dir`, and whether a directory can be created in it. */
function writableAncestor(dir: string): { dir: string; ok: boolean } {
  let d = path.resolve(dir);
  while (!existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  try {
    accessSync(d, constants.W_OK | constants.X_OK);
    return { dir: d, ok: true };
  } catch {
    return { dir: d, ok: false };
  }
}

const git: Check = async (s) => {
  const { execa } = await import('execa');
  const r = await execa('git', ['--version'], { reject: false, timeout: 10_000, env: { ...s.ctx.env } });
  if (r.exitCode !== 0) return { name: 'git', ok: false, detail: r.stderr || 'git not found', hint: 'install git (apt-get install git)' };
  return { name: 'git', ok: true, detail: r.stdout.trim() };
};

const inventorySource: Check = async (s) => {
  const inv = s.config.inventory;
  if (inv.source === 'file') {
    const ok = existsSync(inv.file);
    return { name: 'inventory', ok, detail: `file ${inv.file}`, hint: ok ? undefined : 'create it or set inventory.file' };
  }
  const hasToken = Boolean(s.ctx.env[inv.ops.tokenEnv]) || Boolean(inv.ops.tokenFile && existsSync(inv.ops.tokenFile));
  const ok = Boolean(inv.ops.url) && hasToken;
  return { name: 'inventory', ok, detail: `ops API ${inv.ops.url ?? '(no url)'}; token ${hasToken ? 'set' : 'missing'}`, hint: ok ? undefined : `set inventory.ops.url and ${inv.ops.tokenEnv} (or inventory.ops.token_file)` };
};

const mail: Check = async (s) => {
  const { notify, smtp } = s.config;
  if (notify.transport !== 'smtp' || !smtp.host) {
    const hint = notify.transport === 'smtp' ? 'set smtp.host (or ICMS_SMTP_HOST)' : undefined;
    return { name: 'mail', ok: notify.transport === 'outbox', detail: notify.transport === 'outbox' ? `outbox: ${notify.outboxDir}` : 'smtp without smtp.host', hint };
  }
  const mailer = createMailer(s, { dryRun: false });
  try {
    return { name: 'mail', ok: true, detail: await mailer.verify() };
  } catch (err) {
    return { name: 'mail', ok: false, detail: `SMTP ${smtp.host}:${smtp.port}: ${errorMessage(err)}`, hint: 'check smtp.host/port/secure, smtp.ca_file, smtp.user and the password' };
  } finally {
    mailer.close();
  }
};

const trivy: Check = async (s) => {
  const located = locateTrivy({ configured: s.config.trivy.path, pathEnv: s.ctx.env.PATH });
  // the version cache lives in the work dir: used when it exists, never a reason to create it
  const version = existsSync(s.config.workDir) ? await cachedTrivyVersion(s, located) : effectiveTrivyVersion(await trivyVersion(located.path, s.ctx.env), located);
  return { name: 'trivy', ok: true, detail: `${located.path} (${located.source}, version ${version})` };
};

const CHECKS: Check[] = [database, workDir, git, trivy, inventorySource, mail];
