/** `icms notify`: one digest per maintainer and the security-team alert, each sent exactly once. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Db } from '../../db/open.js';
import { parseMailbox } from '../../notify/mail.js';
import { createMailer } from '../mailer.js';
import { runNotify, type NotifyItem } from '../../notify/notify.js';
import { digestTemplate } from '../../notify/render-digest.js';
import type { Severity } from '../../model/types.js';
import { ExitCode, errorMessage, usageError } from '../../shared/errors.js';
import type { App } from '../main.js';
import { formatOption, renderTable, writeJson } from '../output.js';
import { withRun } from '../run-command.js';
import { openSession, type Session } from '../session.js';

interface NotifyFlags {
  dryRun?: boolean;
  resend?: boolean;
  onlyDigests?: boolean;
  onlyAlerts?: boolean;
  to?: string;
  format: 'table' | 'json';
}

/** Registers `notify`. */
export function registerNotify(program: Command, app: App): void {
  program
    .command('notify')
    .description('mail each maintainer a digest of their open findings and alert the security team about new serious ones (exactly once)')
    .option('--dry-run', 'write the messages as .eml files into notify.outbox_dir; send nothing, record nothing')
    .option('--resend', "send again even what the ledger says was sent (today's digests, this match run's alert)")
    .option('--only-digests', 'maintainer digests only')
    .option('--only-alerts', 'security-team alert only')
    .option('--to <email>', 'only this recipient')
    .addOption(formatOption(['table', 'json']))
    .action(async (flags: NotifyFlags) => {
      if (flags.onlyDigests && flags.onlyAlerts) throw usageError('--only-digests and --only-alerts exclude each other', 'pass one of them, or neither for both');
      const s = openSession(app.ctx, app.globals(), app.redactor);
      app.setExitCode(await withRun(s, 'notify', (db, runId) => notify(s, db, runId, flags), { label: flags.dryRun ? 'dry-run' : undefined }));
    });
}

function loadTemplate(s: Session) {
  const file = s.config.notify.template;
  if (!file) return digestTemplate();
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read notify.template ${file}: ${errorMessage(err)}`, 'fix the path or remove notify.template to use the shipped template');
  }
  return digestTemplate({ source, file });
}

async function notify(s: Session, db: Db, runId: number, flags: NotifyFlags) {
  const { notify: cfg } = s.config;
  const template = loadTemplate(s);
  const from = parseMailbox(cfg.from, 'notify.from');
  const replyTo = cfg.replyTo ? parseMailbox(cfg.replyTo, 'notify.reply_to') : undefined;
  const securityTeam = cfg.securityTeam.map((a) => parseMailbox(a, 'notify.security_team'));
  const mailer = createMailer(s, { dryRun: Boolean(flags.dryRun) });
  let result;
  try {
    result = await runNotify(db, {
      mailer, dryRun: Boolean(flags.dryRun), resend: Boolean(flags.resend), only: flags.onlyDigests ? 'digests' : flags.onlyAlerts ? 'alerts' : undefined,
      to: flags.to, schedule: cfg.schedule, sendEmpty: cfg.sendEmpty, securityTeam, alertSeverity: cfg.alertSeverity.toUpperCase() as Severity,
      severityBasis: s.config.triage.severitySource, unknownAs: s.config.triage.unknownSeverity.toUpperCase() as Severity,
      from, replyTo, links: cfg.links, template, maxItems: cfg.digestMaxItems, alertMaxItems: cfg.alertMaxItems, dashboardUrl: cfg.dashboardUrl, now: s.ctx.now(), runId, logger: s.logger, redact: (t) => s.redactor.redact(t),
    });
  } finally {
    mailer.close();
  }
  const items: NotifyItem[] = [...result.done, ...result.failed.map((f) => f.item)];
  const count = (o: NotifyItem['outcome']) => items.filter((i) => i.outcome === o).length;
  const summary = { sent: count('sent'), dry_run: count('dry-run'), skipped: count('skipped'), failed: count('failed'), unconfirmed: count('unconfirmed'), transport: mailer.transport };
  if (flags.format === 'json') {
    writeJson(s.ctx, { schema_version: 1, summary, items: items.map((i) => ({ recipient: i.recipient, kind: i.kind, period: i.period, outcome: i.outcome, detail: i.detail, subject: i.subject ?? null, message_id: i.messageId ?? null })) });
  } else {
    s.ctx.stdout.write(renderTable(['recipient', 'kind', 'period', 'outcome', 'detail'], items.map((i) => [i.recipient, i.kind, i.period, i.outcome, i.detail]), { color: s.color }));
  }
  for (const f of result.failed) s.logger.warn(`${f.item.kind} to ${f.item.recipient}: ${f.error}`);
  s.logger.info(`notify: ${summary.sent} sent, ${summary.dry_run} written (dry run), ${summary.skipped} skipped, ${summary.failed} failed, ${summary.unconfirmed} unconfirmed`);
  return { exitCode: result.failed.length > 0 ? ExitCode.Partial : ExitCode.Ok, summary };
}
