/**
 * The notify stage: digests to maintainers and the security-team alert, each sent exactly once.
 * The ledger row is written `pending` (with the Message-ID) and committed BEFORE the message leaves, then
 * marked sent or failed. A `pending` row found by a later run means the process stopped in between: the
 * message may or may not have been accepted, so it is closed as sent-unconfirmed and NOT resent (a missed
 * digest is repaired by tomorrow's; a duplicate flood cannot be taken back). `--resend` forces.
 */
import type { Db } from '../db/open.js';
import { beginNotification, getNotification, lastSent, markFailed, markSent, markUnconfirmed, reconcilePending, type NotificationKind } from '../db/notifications.js';
import { findingsNewInRuns, lastAlertedRunId, latestMatchRunId, listRecipients, notifyFindingReader, projectOwners } from '../db/notify-findings.js';
import type { Severity } from '../model/types.js';
import { basisSeverity } from '../triage/basis.js';
import { errorMessage, type StageResult } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { buildAlert, renderAlert } from './alert.js';
import { digestBuilder, type Digest } from './digest.js';
import { headerSafe, isPlainAddress } from './escape.js';
import { newMessageId, SendError, type Mailbox, type Mailer } from './mail.js';
import { renderDigest, type RenderedMessage } from './render-digest.js';
import type { CompiledTemplate } from './template.js';

type NotifyFindingReader = ReturnType<typeof notifyFindingReader>;

/** Everything the stage needs; the command builds it from config and flags. */
export interface NotifyOptions {
  mailer: Mailer;
  /** Build and write messages (outbox mailer) without touching the ledger. */
  dryRun: boolean;
  resend: boolean;
  only?: 'digests' | 'alerts' | undefined;
  /** Only this recipient (case-insensitive address). */
  to?: string | undefined;
  schedule: 'daily' | 'on-change';
  sendEmpty: boolean;
  securityTeam: readonly Mailbox[];
  alertSeverity: Severity;
  /** `triage.severity_source`: the severity digests count and the alert selects by, as the gates do (default base). */
  severityBasis?: 'base' | 'environmental' | undefined;
  /** `triage.unknown_severity`: how an unrated finding counts for the alert (default UNKNOWN). */
  unknownAs?: Severity | undefined;
  from: Mailbox;
  replyTo?: Mailbox | undefined;
  links: Readonly<Record<string, string>>;
  template: CompiledTemplate;
  /** `notify.digest_max_items`: packages a digest lists (default 25). */
  maxItems?: number | undefined;
  /** `notify.alert_max_items`: findings the alert lists (default 100); the rest is counted. */
  alertMaxItems?: number | undefined;
  /** `notify.dashboard_url`: digests link to its `#maintainer=<email>` view. */
  dashboardUrl?: string | undefined;
  now: Date;
  runId: number;
  logger: Logger;
  /** Masks secrets in anything stored or logged. */
  redact: (text: string) => string;
}

export type NotifyOutcome = 'sent' | 'dry-run' | 'skipped' | 'failed' | 'unconfirmed';

/** One line of the summary. */
export interface NotifyItem {
  recipient: string;
  kind: NotificationKind;
  period: string;
  outcome: NotifyOutcome;
  detail: string;
  subject?: string | undefined;
  messageId?: string | undefined;
}

/** Runs digests and alerts; failed recipients are in `failed` (exit 3), the others are still sent. */
export async function runNotify(db: Db, o: NotifyOptions): Promise<StageResult<NotifyItem, NotifyItem>> {
  const result: StageResult<NotifyItem, NotifyItem> = { done: [], failed: [] };
  // 1. Close what an interrupted earlier run left pending (never resent automatically).
  if (!o.dryRun) {
    for (const r of reconcilePending(db, { runId: o.runId, now: o.now })) {
      o.logger.warn(`${r.kind} to ${r.recipient} (${r.period}) was left pending by run ${r.runId ?? '?'}: recorded as sent-unconfirmed, not resent (Message-ID ${r.messageId ?? '?'}; use --resend to force)`);
      result.done.push({ recipient: r.recipient, kind: r.kind, period: r.period, outcome: 'unconfirmed', detail: 'left pending by an interrupted run; not resent', messageId: r.messageId ?? undefined });
    }
  }
  // Findings are read per recipient (their projects) and for the alert (its new ones): never the whole portfolio at once.
  const readRows = notifyFindingReader(db);
  // one severity basis for digests, the alert and the gates (triage.severity_source)
  const basis = o.severityBasis ?? 'base';
  const read: NotifyFindingReader = function* (filter) {
    for (const f of readRows(filter)) yield { ...f, basisSeverity: basisSeverity(f, basis) };
  };
  if (o.only !== 'alerts') await sendDigests(db, o, read, result);
  if (o.only !== 'digests') await sendAlert(db, o, read, result);
  return result;
}

/** The ledger period of a digest: the UTC day, plus the content hash for on-change (one per change). */
export function digestPeriod(now: Date, schedule: NotifyOptions['schedule'], contentHash: string): string {
  const day = now.toISOString().slice(0, 10);
  return schedule === 'daily' ? day : `${day}+${contentHash.slice(0, 12)}`;
}

async function sendDigests(db: Db, o: NotifyOptions, read: NotifyFindingReader, result: StageResult<NotifyItem, NotifyItem>): Promise<void> {
  const recipients = listRecipients(db).filter((r) => !o.to || r.email.toLowerCase() === o.to.toLowerCase());
  // One digest at a time: its findings read, built, rendered, sent, dropped.
  for (const r of recipients) {
    const build = digestBuilder([...read({ projectIds: r.projects.map((p) => p.id) })], o.now);
    // The content hash does not depend on the previous digest, so this first build gives the period; it is
    // built again, with the finding ids of the recipient's last digest, only when there was one.
    let d = build(r, undefined);
    const period = digestPeriod(o.now, o.schedule, d.contentHash);
    const last = lastSent(db, d.recipient.email, 'digest', period);
    if (last) d = build(r, last.findingIds);
    const base = { recipient: d.recipient.email, kind: 'digest' as const, period };
    const skip = digestSkipReason(db, o, d, period);
    if (skip) {
      result.done.push({ ...base, outcome: 'skipped', detail: skip });
      continue;
    }
    const message = renderDigest(d, { template: o.template, links: o.links, date: o.now.toISOString().slice(0, 10), maxItems: o.maxItems, dashboardUrl: o.dashboardUrl });
    await deliver(db, o, { ...base, name: d.recipient.name, contentHash: d.contentHash, findingIds: d.findingIds, message }, result);
  }
}

function digestSkipReason(db: Db, o: NotifyOptions, d: Digest, period: string): string | undefined {
  if (d.isEmpty && !o.sendEmpty) return 'nothing open';
  if (o.resend) return undefined;
  const row = getNotification(db, d.recipient.email, 'digest', period);
  if (row?.state === 'sent') return `already sent ${row.sentAt ?? ''}${row.unconfirmed ? ' (unconfirmed)' : ''}`.trim();
  if (o.schedule === 'on-change') {
    const last = lastSent(db, d.recipient.email, 'digest', period);
    if (last && last.contentHash === d.contentHash) return `unchanged since ${last.period}`;
  }
  return undefined;
}

async function sendAlert(db: Db, o: NotifyOptions, read: NotifyFindingReader, result: StageResult<NotifyItem, NotifyItem>): Promise<void> {
  const team = o.securityTeam.filter((m) => !o.to || m.address.toLowerCase() === o.to.toLowerCase());
  if (team.length === 0) return;
  const runId = latestMatchRunId(db);
  const newIds = runId === undefined ? new Set<number>() : findingsNewInRuns(db, lastAlertedRunId(db, runId), runId);
  // read one at a time: only the listed rows are kept (the first match of a portfolio makes every finding new)
  const findings = newIds.size > 0 ? read({ ids: [...newIds] }) : [];
  const alert = buildAlert({ findings, runId, newIds, minSeverity: o.alertSeverity, unknownAs: o.unknownAs ?? 'UNKNOWN', owners: projectOwners(db), now: o.now, maxRows: o.alertMaxItems });
  if (!alert) {
    for (const m of team) result.done.push({ recipient: m.address, kind: 'alert', period: '-', outcome: 'skipped', detail: `nothing new at or above ${o.alertSeverity.toLowerCase()}` });
    return;
  }
  const message = renderAlert(alert, { links: o.links, minSeverity: o.alertSeverity, unknownAs: o.unknownAs ?? 'UNKNOWN', dashboardUrl: o.dashboardUrl });
  for (const m of team) {
    const base = { recipient: m.address, kind: 'alert' as const, period: alert.period };
    const row = o.resend ? undefined : getNotification(db, m.address, 'alert', alert.period);
    if (row?.state === 'sent') {
      result.done.push({ ...base, outcome: 'skipped', detail: `already sent ${row.sentAt ?? ''}`.trim() });
      continue;
    }
    await deliver(db, o, { ...base, name: m.name, contentHash: alert.contentHash, findingIds: alert.findingIds, message }, result);
  }
}

interface Delivery {
  recipient: string;
  name: string;
  kind: NotificationKind;
  period: string;
  contentHash: string;
  findingIds: readonly number[];
  message: RenderedMessage;
}

/** 3. Pending row (committed), send, then sent or failed with the server's answer. */
async function deliver(db: Db, o: NotifyOptions, d: Delivery, result: StageResult<NotifyItem, NotifyItem>): Promise<void> {
  const base = { recipient: d.recipient, kind: d.kind, period: d.period, subject: d.message.subject };
  if (!isPlainAddress(d.recipient)) {
    result.failed.push({ item: { ...base, outcome: 'failed' as const, detail: 'not a plain email address' }, error: `${JSON.stringify(headerSafe(d.recipient))} is not a plain email address; fix it in the inventory` });
    return;
  }
  const messageId = newMessageId(o.from);
  const outgoing = { from: o.from, to: { name: headerSafe(d.name), address: d.recipient }, replyTo: o.replyTo, ...d.message, messageId, kind: d.kind, period: d.period };
  if (o.dryRun) {
    try {
      const out = await o.mailer.send(outgoing);
      result.done.push({ ...base, outcome: 'dry-run', detail: out.response, messageId });
    } catch (err) {
      result.failed.push({ item: { ...base, outcome: 'failed' as const, detail: 'dry-run write failed' }, error: o.redact(errorMessage(err)) });
    }
    return;
  }
  const id = beginNotification(db, { ...d, messageId, runId: o.runId, transport: o.mailer.transport, now: o.now });
  try {
    const out = await o.mailer.send(outgoing);
    markSent(db, id, { response: o.redact(out.response), messageId: out.messageId, now: o.now });
    result.done.push({ ...base, outcome: 'sent', detail: o.redact(out.response), messageId: out.messageId });
    o.logger.info(`${d.kind} sent to ${d.recipient}: ${o.redact(out.response)}`);
  } catch (err) {
    const error = o.redact(errorMessage(err));
    if (err instanceof SendError && err.maybeDelivered) {
      // the same "did it arrive?" as a run killed mid-send: recorded as sent-unconfirmed, never resent
      markUnconfirmed(db, id, { reason: `unconfirmed: the whole message went out but the server never answered (${error}); not resent`, now: o.now });
      result.done.push({ ...base, outcome: 'unconfirmed', detail: 'the server never answered the message; not resent', messageId });
      o.logger.warn(`${d.kind} to ${d.recipient}: the server took the whole message but never answered (${error}): recorded as sent-unconfirmed, not resent (Message-ID ${messageId}; use --resend to force)`);
      return;
    }
    const response = err instanceof SendError && err.response ? o.redact(err.response) : undefined;
    markFailed(db, id, { error, response });
    result.failed.push({ item: { ...base, outcome: 'failed' as const, detail: response ?? error, messageId }, error });
    o.logger.error(`${d.kind} to ${d.recipient} failed: ${response ?? error} (retried on the next run)`);
  }
}
