/** SQL for the runs journal: every writing command records a run with its status and counts. */
import type { Db } from './open.js';

export type RunStatus = 'running' | 'ok' | 'partial' | 'failed' | 'gate';

/** Starts a run row and returns its id. */
export function startRun(db: Db, entry: { command: string; at: Date; label?: string; host?: string; pid?: number }): number {
  return Number(
    db
      .prepare('INSERT INTO runs (command, started_at, label, host, pid) VALUES (?, ?, ?, ?, ?)')
      .run(entry.command, entry.at.toISOString(), entry.label ?? null, entry.host ?? null, entry.pid ?? null).lastInsertRowid,
  );
}

/** Closes a run with its outcome and a JSON summary. */
export function finishRun(db: Db, id: number, entry: { at: Date; status: RunStatus; exitCode: number; summary: object }): void {
  db.prepare('UPDATE runs SET finished_at = ?, status = ?, exit_code = ?, summary = ? WHERE id = ?').run(
    entry.at.toISOString(),
    entry.status,
    entry.exitCode,
    JSON.stringify(entry.summary),
    id,
  );
}

export interface RunRow {
  id: number;
  command: string;
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  exitCode: number | null;
  label: string | null;
  summary: unknown;
}

/** The most recent runs, newest first. */
export function listRuns(db: Db, limit = 20): RunRow[] {
  const rows = db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(limit) as Record<string, unknown>[];
  return rows.map((r) => ({
    id: r.id as number,
    command: r.command as string,
    startedAt: r.started_at as string,
    finishedAt: (r.finished_at as string | null) ?? null,
    status: r.status as RunStatus,
    exitCode: (r.exit_code as number | null) ?? null,
    label: (r.label as string | null) ?? null,
    summary: JSON.parse((r.summary as string) || '{}') as unknown,
  }));
}

/**
 * Closes runs still marked `running` as failed: called by a command holding the lock on its own, when no other
 * icms can be running, so these are runs whose process died (kill -9, power loss). Returns their ids.
 */
export function closeInterruptedRuns(db: Db, at: Date): number[] {
  const ids = db.prepare("SELECT id FROM runs WHERE status = 'running' ORDER BY id").pluck().all() as number[];
  if (ids.length > 0) {
    db.prepare("UPDATE runs SET status = 'failed', finished_at = ?, summary = ? WHERE status = 'running'").run(
      at.toISOString(),
      JSON.stringify({ error: 'interrupted: the process ended before it finished (killed or crashed)' }),
    );
  }
  return ids;
}
