/** The mail transport of `notify` and `doctor`, from the session's config: SMTP (settings checked, secret read) or the outbox. */
import { readFileSync } from 'node:fs';
import { createOutboxMailer, createSmtpMailer, type Mailer } from '../notify/mail.js';
import { errorMessage, usageError } from '../shared/errors.js';
import type { Session } from './session.js';
import { readSecret } from './secrets.js';

/** The SMTP password: `smtp.password_file` when present, else the variable named by `smtp.password_env`; registered for redaction. */
export function readSmtpPassword(s: Session): string | undefined {
  const { passwordFile, passwordEnv } = s.config.smtp;
  return readSecret(s, { file: passwordFile, fileKey: 'smtp.password_file', env: passwordEnv, clean: (raw) => raw.replace(/\r?\n$/, '') });
}

/** The configured transport: SMTP (settings checked, secret read) or the outbox directory. */
export function createMailer(s: Session, opts: { dryRun: boolean }): Mailer {
  const { notify, smtp } = s.config;
  if (opts.dryRun || notify.transport === 'outbox') return createOutboxMailer(notify.outboxDir);
  if (!smtp.host) throw usageError('notify.transport is smtp but smtp.host is not set', 'set smtp.host (or ICMS_SMTP_HOST), or notify.transport: outbox');
  const password = readSmtpPassword(s);
  if (smtp.user && !password) throw usageError(`smtp.user is set but no SMTP password was found`, `export ${smtp.passwordEnv}=<password>, or set smtp.password_file`);
  let ca: string | undefined;
  if (smtp.caFile) {
    try {
      ca = readFileSync(smtp.caFile, 'utf8');
    } catch (err) {
      throw usageError(`cannot read smtp.ca_file ${smtp.caFile}: ${errorMessage(err)}`, 'point smtp.ca_file at a PEM certificate');
    }
  }
  return createSmtpMailer({ host: smtp.host, port: smtp.port, secure: smtp.secure, requireTls: smtp.requireTls, user: smtp.user, password, ca, pool: smtp.pool, rateLimit: smtp.rateLimit, timeoutMs: smtp.timeoutMs });
}
