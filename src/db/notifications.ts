/** SQL for the exactly-once notification ledger: one row per (recipient, kind, period), pending → sent / sent-unconfirmed / failed. */
import type { Db } from './open.js';
import { inTransaction } from './open.js';

export type NotificationKind = 'digest' | 'alert';
export type NotificationState = 'pending' | 'sent' | 'failed';

/** One ledger row. */
export interface NotificationRow {
  id: number;
  recipient: string;
  kind: NotificationKind;
  period: string;
  contentHash: string;
  state: NotificationState;
  attempts: number;
  messageId: string | null;
  smtpResponse: string | null;
  error: string | null;
  findingIds: number[];
  createdAt: string;
  sentAt: string | null;
  runId: number | null;
  unconfirmed: boolean;
  transport: string | null;
}

function toRow(r: Record<string, unknown>): NotificationRow {
  return {
    id: r.id as number,
    recipient: r.recipient as string,
    kind: r.kind as NotificationKind,
    period: r.period as string,
    contentHash: r.content_hash as string,
    state: r.state as NotificationState,
    attempts: r.attempts as number,
    messageId: (r.message_id as string | null) ?? null,
    smtpResponse: (r.smtp_response as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    findingIds: JSON.parse(r.finding_ids as string) as number[],
    createdAt: r.created_at as string,
    sentAt: (r.sent_at as string | null) ?? null,
    runId: (r.run_id as number | null) ?? null,
    unconfirmed: r.unconfirmed === 1,
    transport: (r.transport as string | null) ?? null,
  };
}

/** The ledger row of (recipient, kind, period), if any. */
export function getNotification(db: Db, recipient: string, kind: NotificationKind, period: string): NotificationRow | undefined {
  const r = db.prepare('SELECT * FROM notifications WHERE recipient = ? AND kind = ? AND period = ?').get(recipient, kind, period) as Record<string, unknown> | undefined;
  return r ? toRow(r) : undefined;
}

/** The recipient's latest sent message of `kind` in another period (what "since your last email" means). */
export function lastSent(db: Db, recipient: string, kind: NotificationKind, exceptPeriod: string): NotificationRow | undefined {
  const r = db
    .prepare("SELECT * FROM notifications WHERE recipient = ? AND kind = ? AND period <> ? AND state = 'sent' ORDER BY sent_at DESC, id DESC LIMIT 1")
    .get(recipient, kind, exceptPeriod) as Record<string, unknown> | undefined;
  return r ? toRow(r) : undefined;
}

/** Every ledger row, newest first (tests and `--format json` audits). */
export function listNotifications(db: Db): NotificationRow[] {
  return (db.prepare('SELECT * FROM notifications ORDER BY id DESC').all() as Record<string, unknown>[]).map(toRow);
}

/**
 * Closes `pending` rows left by an earlier run as sent-unconfirmed: the process stopped after handing the
 * message to the server or before; resending could duplicate, so it is not resent (`--resend` forces).
 */
export function reconcilePending(db: Db, opts: { runId: number; now: Date }): NotificationRow[] {
  return inTransaction(db, () => {
    const rows = (db.prepare("SELECT * FROM notifications WHERE state = 'pending' AND (run_id IS NULL OR run_id <> ?)").all(opts.runId) as Record<string, unknown>[]).map(toRow);
    const close = db.prepare("UPDATE notifications SET state = 'sent', unconfirmed = 1, sent_at = ?, smtp_response = ? WHERE id = ?");
    for (const r of rows) close.run(opts.now.toISOString(), 'unconfirmed: the sending run stopped before recording the server answer; not resent', r.id);
    return rows;
  });
}

/** What is recorded before a message leaves. */
export interface PendingEntry {
  recipient: string;
  kind: NotificationKind;
  period: string;
  contentHash: string;
  messageId: string;
  findingIds: readonly number[];
  runId: number;
  transport: string;
  now: Date;
}

/** Records (or re-arms) the ledger row as `pending` with the pre-generated Message-ID, committed before sending. */
export function beginNotification(db: Db, e: PendingEntry): number {
  const row = db
    .prepare(
      `INSERT INTO notifications (recipient, kind, period, content_hash, state, attempts, message_id, finding_ids, created_at, run_id, transport)
       VALUES (@recipient, @kind, @period, @contentHash, 'pending', 1, @messageId, @findingIds, @at, @runId, @transport)
       ON CONFLICT (recipient, kind, period) DO UPDATE SET content_hash = excluded.content_hash, state = 'pending', attempts = attempts + 1,
         message_id = excluded.message_id, finding_ids = excluded.finding_ids, run_id = excluded.run_id, transport = excluded.transport,
         smtp_response = NULL, error = NULL, sent_at = NULL, unconfirmed = 0
       RETURNING id`,
    )
    .get({ ...e, findingIds: JSON.stringify(e.findingIds), at: e.now.toISOString() }) as { id: number };
  return row.id;
}

/** Marks a row sent with the server's answer. */
export function markSent(db: Db, id: number, e: { response: string; messageId?: string; now: Date }): void {
  db.prepare("UPDATE notifications SET state = 'sent', smtp_response = ?, message_id = COALESCE(?, message_id), sent_at = ?, error = NULL WHERE id = ?").run(
    e.response,
    e.messageId ?? null,
    e.now.toISOString(),
    id,
  );
}

/** Marks a row sent-unconfirmed (the message may have arrived; it is never resent unless `--resend`). */
export function markUnconfirmed(db: Db, id: number, e: { reason: string; now: Date }): void {
  db.prepare("UPDATE notifications SET state = 'sent', unconfirmed = 1, sent_at = ?, smtp_response = ?, error = NULL WHERE id = ?").run(e.now.toISOString(), e.reason, id);
}

/** Marks a row failed with the (redacted) error and the server's answer; the next run retries it. */
export function markFailed(db: Db, id: number, e: { error: string; response?: string }): void {
  db.prepare("UPDATE notifications SET state = 'failed', error = ?, smtp_response = ? WHERE id = ?").run(e.error, e.response ?? null, id);
}
