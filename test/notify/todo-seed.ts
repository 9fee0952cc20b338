/**
 * The notify seed (seed.ts) plus the findings the to-do list is about, in team/web-frontend (Alice and Bob):
 * a KEV-listed LOW, a CRITICAL whose environmental re-score is LOW, two HIGH with different EPSS scores and one
 * without, a package with no single fix, an unrated one, and the real RustSec "mmap unmaintained" record stored
 * through the real OSV parser and advisory writer (an informational notice). The project is named as the
 * inventory names it, with its branch (`team/web-frontend@main`). Synthetic advisories say so (CVE-2099-…).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseOsvText } from '../../src/advisories/normalize.js';
import { createAdvisoryWriter } from '../../src/db/advisories.js';
import { insertFindingDetails } from '../../src/db/finding-writer.js';
import { inTransaction } from '../../src/db/open.js';
import { seedDb, type Seeded } from './seed.js';

const RUSTSEC = path.resolve(import.meta.dirname, '../../fixtures/notify/osv/RUSTSEC-2024-0394.json');

interface Extra {
  id: number;
  group: string;
  eco?: string;
  pkg: string;
  ver: string;
  sev: string;
  env?: string;
  fix: string | null;
  kev?: boolean;
  epss?: number;
  source?: string;
}

const EXTRA: Record<string, Extra> = {
  lodashKev: { id: 10, group: 'CVE-2099-0101', pkg: 'lodash', ver: '4.17.0', sev: 'LOW', fix: '4.17.21', kev: true },
  minimistEnvLow: { id: 11, group: 'CVE-2099-0102', pkg: 'minimist', ver: '1.2.0', sev: 'CRITICAL', env: 'LOW', fix: '1.2.6' },
  expressEpss90: { id: 12, group: 'CVE-2099-0103', pkg: 'express', ver: '4.0.0', sev: 'HIGH', fix: '4.19.2', epss: 0.9 },
  expressNoFix: { id: 13, group: 'CVE-2099-0104', pkg: 'express', ver: '4.0.0', sev: 'MEDIUM', fix: null },
  qsEpss20: { id: 14, group: 'CVE-2099-0105', pkg: 'qs', ver: '6.0.0', sev: 'HIGH', fix: '6.10.3', epss: 0.2 },
  wsNoEpss: { id: 15, group: 'CVE-2099-0106', pkg: 'ws', ver: '1.0.0', sev: 'HIGH', fix: '1.1.5' },
  tarUnrated: { id: 16, group: 'CVE-2099-0107', pkg: 'tar', ver: '1.0.0', sev: 'UNKNOWN', fix: '1.0.5' },
  mmapNotice: { id: 17, group: 'RUSTSEC-2024-0394', eco: 'crates.io', pkg: 'mmap', ver: '0.0.1', sev: 'UNKNOWN', fix: null, source: 'osv-rust' },
};

/** seedDb() plus the findings above, all made `new` by match run 2. */
export async function seedTodo(): Promise<Seeded> {
  const s = await seedDb();
  const { db } = s;
  db.prepare("UPDATE projects SET name = 'team/web-frontend@main' WHERE id = 1").run();
  const text = readFileSync(RUSTSEC, 'utf8');
  inTransaction(db, () => createAdvisoryWriter(db, 'osv-rust').upsert(parseOsvText(text, 'osv-rust'), text));
  const finding = db.prepare(`INSERT INTO findings (id, project_id, group_id, ecosystem, package, version, details_id, severity, env_severity, fixed_version, status, first_seen, last_seen, last_run_id)
    VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, 'new', '2024-03-09T00:00:00Z', '2024-03-09T00:00:00Z', 2)`);
  const event = db.prepare("INSERT INTO finding_events (finding_id, run_id, at, from_status, to_status) VALUES (?, 2, '2024-03-09T00:00:00Z', NULL, 'new')");
  for (const [label, x] of Object.entries(EXTRA)) {
    const source = x.source ?? 'osv-npm';
    // the verdict as the matcher stores it: the range that matched and the fix
    const verdict = { id: x.group, source, ...(x.fix ? { fixed: x.fix } : {}), reason: { kind: 'range', rangeType: 'SEMVER', events: [{ introduced: '0' }, ...(x.fix ? [{ fixed: x.fix }] : [])], scheme: x.eco ?? 'npm' } };
    const details = insertFindingDetails(db, {
      advisoryIds: JSON.stringify([x.group]),
      aliases: JSON.stringify([x.group]),
      cvssVector: null,
      reason: JSON.stringify([verdict]),
      kev: x.kev ? JSON.stringify({ date_added: '2024-03-05', due_date: '2024-03-26', ransomware: false, cve: x.group }) : null,
      epss: x.epss === undefined ? null : JSON.stringify({ score: x.epss, percentile: 0.99, date: '2024-03-08', cve: x.group }),
    });
    finding.run(x.id, x.group, x.eco ?? 'npm', x.pkg, x.ver, details, x.sev, x.env ?? null, x.fix);
    event.run(x.id);
    s.f[label] = x.id;
  }
  return s;
}
