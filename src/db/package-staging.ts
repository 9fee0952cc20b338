/**
 * A scan's packages on their way in (issue 15: reports of hundreds of MB). Rows are written in batches, as the report
 * is read, to a TEMP table (SQLite's temporary database: a file of its own with its own bounded cache, gone when the
 * connection closes, never in icms.db); the project's set is then replaced from it in one transaction. A report that
 * fails half-way leaves the project's previous packages untouched. Duplicate rows are merged as the in-memory reader
 * merges them (direct wins over indirect, dependency lists united, the first purl kept).
 */
import type { Db } from './open.js';
import type { Package } from '../model/types.js';

const COLUMNS = 'ecosystem, name, version, pkg_type, target, purl, indirect, depends_on, src_name, src_version, match_name, match_version, unmapped';
/** Rows per insert transaction: large enough to amortise the commit, small enough to be no memory concern. */
const BATCH = 2000;

/** What replacing a project's packages from its stage gave. */
export interface StagedResult {
  /** Packages now stored for the project. */
  written: number;
  /** Rows merged into an earlier row with the same ecosystem/name/version/target. */
  duplicates: number;
  /** Stored packages without a known OSV ecosystem. */
  unmapped: number;
  /** Stored packages per ecosystem, split direct / indirect. */
  perEcosystem: Record<string, { direct: number; indirect: number }>;
}

/** The packages of one scan, collected in the temporary database as they are read. */
export class PackageStage {
  private batch: Package[] = [];
  private readonly insert;
  /** Rows staged so far (duplicates included). */
  rows = 0;

  constructor(
    private readonly db: Db,
    readonly scanId: number,
  ) {
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS staged_packages (seq INTEGER PRIMARY KEY, scan_id INTEGER NOT NULL, ${COLUMNS});
             CREATE INDEX IF NOT EXISTS temp.staged_packages_scan ON staged_packages(scan_id, seq);`);
    db.prepare('DELETE FROM temp.staged_packages WHERE scan_id = ?').run(scanId);
    this.insert = db.prepare(`INSERT INTO temp.staged_packages (scan_id, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  }

  /** Stages one package (written with the next full batch). */
  add(p: Package): void {
    this.batch.push(p);
    if (this.batch.length >= BATCH) this.flush();
  }

  /** Writes the rows not yet written. */
  flush(): void {
    if (this.batch.length === 0) return;
    const rows = this.batch;
    this.batch = [];
    // a deferred transaction: it writes only the temporary database, so icms.db is not locked for it
    this.db.transaction(() => {
      for (const p of rows) {
        this.insert.run(
          this.scanId, p.ecosystem, p.name, p.version, p.pkgType, p.target, p.purl ?? null, p.indirect ? 1 : 0,
          p.dependsOn && p.dependsOn.length > 0 ? JSON.stringify(p.dependsOn) : null,
          p.srcName ?? null, p.srcVersion ?? null, p.matchName, p.matchVersion, p.unmapped ? 1 : 0,
        );
      }
    })();
    this.rows += rows.length;
  }

  /** The distinct targets staged so far, sorted (what the scan read, for its input digest). */
  targets(): string[] {
    this.flush();
    return this.db.prepare('SELECT DISTINCT target FROM temp.staged_packages WHERE scan_id = ? ORDER BY target').pluck().all(this.scanId) as string[];
  }

  /** Drops what was staged (a failed scan). */
  discard(): void {
    this.batch = [];
    this.db.prepare('DELETE FROM temp.staged_packages WHERE scan_id = ?').run(this.scanId);
  }

  /**
   * Replaces the project's packages with the staged ones; call inside the transaction that also marks the scan ok.
   * The stage is emptied.
   */
  replaceProjectPackages(projectId: number): StagedResult {
    this.flush();
    const db = this.db;
    db.prepare('DELETE FROM packages WHERE project_id = ?').run(projectId);
    // in the unique key's order, so both indexes grow at their end (a 770k-row report: 4.5 s instead of 28 s, and a later
    // delete 3.7 s instead of 12 s); repeats of a key still come in the order read and merge into the first, as
    // PackageCollector merges them
    db.prepare(
      `INSERT INTO packages (project_id, scan_id, ${COLUMNS})
       SELECT ?, scan_id, ${COLUMNS} FROM temp.staged_packages WHERE scan_id = ? ORDER BY ecosystem, name, version, target, seq
       ON CONFLICT (project_id, ecosystem, name, version, target) DO UPDATE SET
         indirect = packages.indirect AND excluded.indirect,
         purl = COALESCE(packages.purl, excluded.purl),
         depends_on = CASE
           WHEN excluded.depends_on IS NULL THEN packages.depends_on
           WHEN packages.depends_on IS NULL THEN excluded.depends_on
           ELSE (SELECT json_group_array(value) FROM (
                   SELECT value, MIN(o) AS o FROM (
                     SELECT value, key AS o FROM json_each(packages.depends_on)
                     UNION ALL SELECT value, 1000000000 + key FROM json_each(excluded.depends_on))
                   GROUP BY value ORDER BY o))
         END`,
    ).run(projectId, this.scanId);
    const stats = db
      .prepare('SELECT ecosystem, SUM(indirect) AS indirect, COUNT(*) AS n, SUM(unmapped) AS unmapped FROM packages WHERE project_id = ? GROUP BY ecosystem')
      .all(projectId) as { ecosystem: string; indirect: number; n: number; unmapped: number }[];
    db.prepare('DELETE FROM temp.staged_packages WHERE scan_id = ?').run(this.scanId);
    const written = stats.reduce((a, s) => a + s.n, 0);
    const perEcosystem = Object.fromEntries(stats.map((s) => [s.ecosystem, { direct: s.n - s.indirect, indirect: s.indirect }]));
    return { written, duplicates: this.rows - written, unmapped: stats.reduce((a, s) => a + s.unmapped, 0), perEcosystem };
  }
}
