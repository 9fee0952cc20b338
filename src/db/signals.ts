/** SQL of the per-CVE exploitation signals: CISA KEV entries and FIRST EPSS scores, each row tagged by its source. */
import type { EpssRow, KevEntry } from '../advisories/signals.js';
import type { EpssInfo, KevInfo } from '../model/match.js';
import type { Db } from './open.js';
export type { EpssInfo, KevInfo } from '../model/match.js';

/** What replacing a source's rows changed. */
export interface ReplaceCounts {
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
}

/** Replaces the KEV rows of `source` with `entries` (call inside a transaction). */
export function replaceKevEntries(db: Db, source: string, entries: readonly KevEntry[]): ReplaceCounts {
  const old = new Map((db.prepare('SELECT cve, date_added, due_date, ransomware, required_action, vendor, product, name FROM kev_entries WHERE source = ?').raw().all(source) as unknown[][]).map((r) => [String(r[0]), JSON.stringify(r.slice(1))]));
  const put = db.prepare('INSERT OR REPLACE INTO kev_entries (cve, source, date_added, due_date, ransomware, required_action, vendor, product, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  return replaceRows(db, 'kev_entries', source, old, entries.map((e) => [e.cve, [e.dateAdded, e.dueDate, e.ransomware, e.requiredAction, e.vendor, e.product, e.name]]), (cve, cols) => put.run(cve, source, ...cols));
}

/** Replaces the EPSS rows of `source` (call inside a transaction); rows arrive as parallel lists to stay compact. */
export function replaceEpssScores(db: Db, source: string, rows: readonly EpssRow[], date: string | null): ReplaceCounts {
  const old = new Map((db.prepare('SELECT cve, score, percentile, date FROM epss_scores WHERE source = ?').raw().all(source) as unknown[][]).map((r) => [String(r[0]), JSON.stringify(r.slice(1))]));
  const put = db.prepare('INSERT OR REPLACE INTO epss_scores (cve, source, score, percentile, date) VALUES (?, ?, ?, ?, ?)');
  return replaceRows(db, 'epss_scores', source, old, rows.map((r) => [r.cve, [r.score, r.percentile, date]]), (cve, cols) => put.run(cve, source, ...cols));
}

function replaceRows(db: Db, table: string, source: string, old: Map<string, string>, rows: [string, unknown[]][], put: (cve: string, cols: unknown[]) => void): ReplaceCounts {
  const counts: ReplaceCounts = { added: 0, updated: 0, unchanged: 0, removed: 0 };
  const seen = new Set<string>();
  for (const [cve, cols] of rows) {
    if (seen.has(cve)) continue; // a CVE listed twice: the first row stands
    seen.add(cve);
    const before = old.get(cve);
    if (before === JSON.stringify(cols)) counts.unchanged++;
    else {
      put(cve, cols);
      counts[before === undefined ? 'added' : 'updated']++;
    }
  }
  const del = db.prepare(`DELETE FROM ${table} WHERE cve = ? AND source = ?`);
  for (const cve of old.keys()) if (!seen.has(cve)) counts.removed += del.run(cve, source).changes;
  return counts;
}

/**
 * The KEV listing and EPSS score of an alias group (over every CVE id in it): the earliest listing, the highest
 * score. One indexed lookup per group, memoised by the caller; both are null while no KEV/EPSS source is synced.
 */
export function groupSignalLookup(db: Db): (groupId: string) => { kev: KevInfo | null; epss: EpssInfo | null } {
  const hasKev = db.prepare('SELECT 1 FROM kev_entries LIMIT 1').get() !== undefined;
  const hasEpss = db.prepare('SELECT 1 FROM epss_scores LIMIT 1').get() !== undefined;
  const members = "SELECT alias FROM alias_groups WHERE group_id = @g UNION SELECT @g";
  const kev = db.prepare(`SELECT cve, date_added, due_date, ransomware FROM kev_entries WHERE cve IN (${members}) ORDER BY date_added, cve LIMIT 1`);
  const epss = db.prepare(`SELECT cve, score, percentile, date FROM epss_scores WHERE cve IN (${members}) ORDER BY score DESC, cve LIMIT 1`);
  const kevOf = (g: string): KevInfo | null => {
    const r = kev.get({ g }) as (Omit<KevInfo, 'ransomware'> & { ransomware: string | null }) | undefined;
    return r ? { date_added: r.date_added, due_date: r.due_date, ransomware: r.ransomware === 'Known', cve: r.cve } : null;
  };
  return (g) => ({
    kev: hasKev ? kevOf(g) : null,
    epss: hasEpss ? ((epss.get({ g }) as EpssInfo | undefined) ?? null) : null,
  });
}
