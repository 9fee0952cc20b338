/**
 * `matchProjects` reads only the package rows some advisory names and saves project by project. These tests hold
 * it to the plain way (every package row through `matchPackages`, then `saveFindings` in one go) on real trivy
 * reports and real advisories: the same findings, statuses and events, first run and after a change.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/open.js';
import { listProjects, replaceInventory } from '../../src/db/projects.js';
import { completeScan, startScan } from '../../src/db/scans.js';
import { startRun } from '../../src/db/runs.js';
import { iterateAffectedEntries, iterateMatchPackages } from '../../src/db/match-inputs.js';
import { saveFindings } from '../../src/db/finding-writer.js';
import { groupFactsLookup } from '../../src/db/ratings.js';
import { applyRatings, DEFAULT_SEVERITY_ORDER } from '../../src/matcher/rating.js';
import { syncAdvisories, syncSources } from '../../src/advisories/sync.js';
import type { AdvisorySource } from '../../src/advisories/source.js';
import { parseVtopiaRecord } from '../../src/advisories/vtopia.js';
import { buildAffectedIndex, matchPackages } from '../../src/matcher/match.js';
import { matchProjects, type MatchMode } from '../../src/matcher/match-projects.js';
import { makeEnvScorer, type EnvSettings } from '../../src/triage/cvss.js';
import { IcmsError } from '../../src/shared/errors.js';
import { parseTrivyReport } from '../../src/scanner/trivy-report.js';
import type { Package } from '../../src/model/types.js';
import { silentLogger } from '../../src/shared/log.js';
import { FIXTURES } from '../helpers/demo.js';
import { tmpDir } from '../helpers/tmp.js';

const DAY1 = new Date('2025-03-01T06:00:00Z');
const DAY2 = new Date('2025-03-02T06:00:00Z');
const REPORTS = ['OWASP__NodeGoat@c5cb68a', 'adeyosemanputra__pygoat@ff35510', 'DataDog__vulnerable-java-application@eda3f31', 'BurntSushi__ripgrep@1d5b101', 'image-debian11'];

function pool(): Package[] {
  const out: Package[] = [];
  for (const name of REPORTS) {
    const file = path.join(FIXTURES, 'trivy', `${name}.json`);
    const report = JSON.parse(readFileSync(file, 'utf8')) as { Results?: { Class?: string; Packages?: unknown[] }[] };
    // Debian 11's libtinfo6 (source ncurses, which no fixture advisory names): only an ecosystem-less record can reach it
    const os = report.Results?.find((r) => r.Class === 'os-pkgs');
    os?.Packages?.push({ ID: 'libtinfo6@6.2+20201114-2', Name: 'libtinfo6', Version: '6.2+20201114', Release: '2', Arch: 'amd64', SrcName: 'ncurses', SrcVersion: '6.2+20201114', SrcRelease: '2' });
    out.push(...parseTrivyReport(report, { where: file }).packages);
  }
  return out;
}

/** The fixture's ecosystem-less records, plus one naming the Debian binary package libtinfo6. */
function vtopiaSource(): AdvisorySource {
  const records = [
    ...(JSON.parse(readFileSync(path.join(FIXTURES, 'vtopia', 'records.json'), 'utf8')) as unknown[]),
    { cveNum: 'CVE-2099-0001', title: 'test: a binary package named without an ecosystem', description: { en: 'x' }, vulStatus: 'High', publishedDate: '2099-01-01', packName: ['libtinfo6==6.2+20201114-2'] },
  ];
  return {
    name: 'vtopia', kind: 'vtopia', mode: 'replace', location: 'test',
    async *fetch() {
      for (const [i, r] of records.entries()) yield { file: `#${i}`, parse: async () => parseVtopiaRecord(r, 'vtopia') };
      return undefined;
    },
  };
}

/** A store of 9 projects, each a different window of the pool, with the fixture OSV slice, Debian DSAs and vtopia. */
async function makeStore(): Promise<{ file: string; dir: string }> {
  const dir = await tmpDir('icms-match-projects-');
  const file = path.join(dir, 'icms.db');
  const db = openDb(file);
  try {
    const osv = { type: 'osv' as const, timeoutMs: 30_000, retries: 0, backoffMs: 0 };
    await syncAdvisories(db, [{ ...osv, name: 'osv', path: path.join(FIXTURES, 'osv') }, { ...osv, name: 'debian', path: path.join(FIXTURES, 'images', 'osv-debian') }], { logger: silentLogger, now: () => DAY1, tmpDir: dir });
    replaceInventory(db, Array.from({ length: 9 }, (_, i) => ({ kind: 'repo' as const, url: `https://git.example.com/acme/p${i}`, branch: 'main', maintainers: [], labels: (i % 3 === 0 ? { exposure: 'internet' } : {}) as Record<string, string> })), DAY1, 'test');
    const pkgs = pool();
    listProjects(db).forEach((p, i) => {
      const start = Math.floor((i * pkgs.length) / 7);
      const mine = [...pkgs.slice(start), ...pkgs.slice(0, start)].slice(0, Math.ceil(pkgs.length / 2));
      completeScan(db, p.id, startScan(db, { projectId: p.id, startedAt: DAY1 }), mine, { finishedAt: DAY1, commitSha: 'x', durationMs: 0 });
    });
    await syncSources(db, [vtopiaSource()], { logger: silentLogger, now: () => DAY1, tmpDir: dir });
  } finally {
    db.close();
  }
  return { file, dir };
}

/** The plain way: every stored package through the matcher, then one saveFindings. */
function plainMatch(db: Db, ids: number[], now: Date): ReturnType<typeof saveFindings> {
  const runId = startRun(db, { command: 'match', at: now });
  const out = matchPackages(iterateMatchPackages(db, ids), buildAffectedIndex(iterateAffectedEntries(db)));
  applyRatings(out.findings, groupFactsLookup(db), DEFAULT_SEVERITY_ORDER);
  return saveFindings(db, out.findings, { now, runId, projectIds: ids, envScore: makeEnvScorer(listProjects(db), { profiles: {}, defaultProfile: 'internal' }) });
}

/**
 * The worker thread runs compiled code (`npm test` builds before the tests): this is the one `icms match` starts on
 * a large store. The writer side stays the TypeScript under test.
 */
const WORKER = new URL('../../dist/matcher/worker.js', import.meta.url);

function icmsMatch(db: Db, ids: number[], now: Date, mode: MatchMode = 'inline', triage?: EnvSettings) {
  return matchProjects(db, ids, { now, runId: startRun(db, { command: 'match', at: now }), logger: silentLogger, mode, workerUrl: WORKER, triage });
}

const findingsOf = (db: Db) =>
  db.prepare('SELECT project_id, group_id, ecosystem, package, version, advisory_ids, aliases, severity, cvss_score, env_score, fixed_version, targets, reason, cvss_vector, env_severity, status, status_note, first_seen, last_seen, fixed_at FROM findings_full ORDER BY project_id, group_id, ecosystem, package, version').all();
const eventsOf = (db: Db) =>
  db.prepare('SELECT f.project_id, f.group_id, f.package, f.version, e.run_id, e.from_status, e.to_status FROM finding_events e JOIN findings f ON f.id = e.finding_id ORDER BY 1, 2, 3, 4, 5, 6, 7').all();

describe('matchProjects (candidate rows only, project by project)', () => {
  it('stores exactly what matching every row and saving at once stores, first run and after an upgrade', async () => {
    const { file, dir } = await makeStore();
    const other = path.join(dir, 'plain.db');
    copyFileSync(file, other);
    const a = openDb(file);
    const b = openDb(other);
    try {
      const ids = listProjects(a).map((p) => p.id);
      const total = a.prepare('SELECT COUNT(*) FROM packages').pluck().get() as number;
      const first = await icmsMatch(a, ids, DAY1);
      const plain = plainMatch(b, ids, DAY1);
      expect(first.counts).toEqual(plain);
      expect(first.counts.new).toBeGreaterThan(20);
      expect(first.output.packagesSeen).toBe(total);
      // only the rows an advisory names were read, and they are a small part of the packages
      expect(first.output.candidates).toBeGreaterThan(0);
      expect(first.output.candidates).toBeLessThan(total / 2);
      expect(findingsOf(a)).toEqual(findingsOf(b));
      // the ecosystem-less record naming a binary package matched through the candidate read too
      expect(a.prepare("SELECT COUNT(*) FROM packages WHERE name = 'libtinfo6' AND match_name = 'ncurses'").pluck().get()).toBeGreaterThan(0);
      expect(a.prepare("SELECT COUNT(*) FROM findings WHERE group_id = 'CVE-2099-0001' AND package = 'libtinfo6'").pluck().get()).toBeGreaterThan(0);

      // day 2: one project upgrades every package that had a fix, another project loses its packages
      for (const db of [a, b]) {
        const [p0, p1] = ids;
        db.prepare("UPDATE packages SET version = version || '-gone', match_version = match_version || '.999999' WHERE project_id = ? AND id % 2 = 0").run(p0);
        db.prepare('DELETE FROM packages WHERE project_id = ?').run(p1);
      }
      const second = await icmsMatch(a, ids, DAY2);
      expect(second.counts).toEqual(plainMatch(b, ids, DAY2));
      expect(second.counts.fixed).toBeGreaterThan(0);
      expect(second.counts.open).toBeGreaterThan(0);
      expect(findingsOf(a)).toEqual(findingsOf(b));
      expect(eventsOf(a)).toEqual(eventsOf(b));
    } finally {
      a.close();
      b.close();
    }
  });

  it('matching a subset of projects leaves the findings of the others as they were', async () => {
    const { file } = await makeStore();
    const db = openDb(file);
    try {
      const ids = listProjects(db).map((p) => p.id);
      await icmsMatch(db, ids, DAY1);
      const before = db.prepare('SELECT * FROM findings WHERE project_id != ? ORDER BY id').all(ids[0]);
      db.prepare('DELETE FROM packages WHERE project_id = ?').run(ids[0]);
      const r = await icmsMatch(db, [ids[0]!], DAY2);
      expect(r.counts.fixed).toBeGreaterThan(0);
      expect(db.prepare("SELECT COUNT(*) FROM findings WHERE project_id = ? AND status != 'fixed'").pluck().get(ids[0])).toBe(0);
      expect(db.prepare('SELECT * FROM findings WHERE project_id != ? ORDER BY id').all(ids[0])).toEqual(before);
    } finally {
      db.close();
    }
  });
  it('in a worker thread stores exactly what matching on this thread stores, first run and after a change', async () => {
    expect(existsSync(fileURLToPath(WORKER)), 'dist/ is built by `npm test` before the tests').toBe(true);
    const { file, dir } = await makeStore();
    const other = path.join(dir, 'inline.db');
    copyFileSync(file, other);
    const a = openDb(file);
    const b = openDb(other);
    try {
      const ids = listProjects(a).map((p) => p.id);
      const first = await icmsMatch(a, ids, DAY1, 'worker');
      const inline = await icmsMatch(b, ids, DAY1, 'inline');
      expect(first.output.steps.worker).toBe(true);
      expect(inline.output.steps.worker).toBe(false);
      expect(first.counts).toEqual(inline.counts);
      expect({ ...first.output, steps: undefined }).toEqual({ ...inline.output, steps: undefined });
      expect(first.counts.new).toBeGreaterThan(20);
      expect(findingsOf(a)).toEqual(findingsOf(b));
      expect(eventsOf(a)).toEqual(eventsOf(b));
      expect(a.prepare('SELECT * FROM finding_details ORDER BY id').all()).toEqual(b.prepare('SELECT * FROM finding_details ORDER BY id').all());

      for (const db of [a, b]) db.prepare('DELETE FROM packages WHERE project_id = ?').run(ids[1]);
      const second = await icmsMatch(a, ids, DAY2, 'worker');
      expect(second.counts).toEqual((await icmsMatch(b, ids, DAY2, 'inline')).counts);
      expect(second.counts.fixed).toBeGreaterThan(0);
      expect(findingsOf(a)).toEqual(findingsOf(b));
      expect(eventsOf(a)).toEqual(eventsOf(b));
    } finally {
      a.close();
      b.close();
    }
  });

  it('a failure on either side rolls the whole run back: a bad triage profile in the worker, a failing write on this thread', async () => {
    const { file } = await makeStore();
    const db = openDb(file);
    try {
      const ids = listProjects(db).map((p) => p.id);
      // the worker's environmental scorer refuses an unknown default profile: the usage error (exit 2) comes through
      const bad = icmsMatch(db, ids, DAY1, 'worker', { profiles: {}, defaultProfile: 'nope' });
      await expect(bad).rejects.toThrow(IcmsError);
      await expect(icmsMatch(db, ids, DAY1, 'worker', { profiles: {}, defaultProfile: 'nope' })).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/nope/) });
      expect(db.inTransaction).toBe(false);
      expect(db.prepare('SELECT COUNT(*) FROM findings').pluck().get()).toBe(0);

      // the writer fails on one package of a late project: nothing of the earlier projects stays either
      db.exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON findings WHEN NEW.project_id = " + String(ids[ids.length - 1]) + " BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
      await expect(icmsMatch(db, ids, DAY1, 'worker')).rejects.toThrow(/disk says no/);
      expect(db.inTransaction).toBe(false);
      expect(db.prepare('SELECT COUNT(*) FROM findings').pluck().get()).toBe(0);
      expect(db.prepare('SELECT COUNT(*) FROM finding_events').pluck().get()).toBe(0);
      db.exec('DROP TRIGGER refuse');
      const ok = await icmsMatch(db, ids, DAY1, 'worker');
      expect(ok.counts.new).toBeGreaterThan(20);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
