/** `icms triage export --format openvex|cyclonedx-vex`: the register as VEX for customers' scanners. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isActive, listAcceptances } from '../../db/acceptances.js';
import { listFindings } from '../../db/findings.js';
import { listPackagePurls } from '../../db/vex.js';
import { openDb } from '../../db/open.js';
import { writeFileAtomic } from '../../shared/atomic-write.js';
import { usageError } from '../../shared/errors.js';
import { renderCyclonedxVex } from '../../triage/cyclonedx-vex.js';
import { renderOpenVex } from '../../triage/openvex.js';
import { buildVexStatements } from '../../triage/vex.js';
import type { Session } from '../session.js';
import { plural } from '../../shared/plural.js';

/** Formats of `triage export --format`: the register file itself, or VEX. */
export const EXPORT_FORMATS = ['register', 'openvex', 'cyclonedx-vex'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Writes the VEX document to `file` (atomically) or stdout; returns the number of statements. */
export async function exportVex(s: Session, format: Exclude<ExportFormat, 'register'>, file: string | undefined, author: string | undefined): Promise<number> {
  const now = s.ctx.now();
  const db = openDb(s.config.db);
  let statements;
  try {
    const acceptances = listAcceptances(db).filter((a) => isActive(a, now));
    const findings = listFindings(db);
    statements = buildVexStatements(acceptances, findings, listPackagePurls(db, findings.map((f) => f.projectId)));
  } finally {
    db.close();
  }
  if (statements.length === 0) {
    throw usageError('nothing to state: no active acceptance, false positive or fixed finding', 'accept or mark findings first (`icms triage accept|false-positive`)');
  }
  const by = author ?? ([...new Set(statements.map((x) => x.by).filter((x): x is string => x !== null))].join(', ') || 'icms');
  const meta = { author: by, now, toolVersion: pkg.version };
  const text = format === 'openvex' ? renderOpenVex(statements, meta) : renderCyclonedxVex(statements, meta);
  if (file === undefined) s.ctx.stdout.write(text);
  else {
    const target = path.resolve(s.ctx.cwd, file);
    await writeFileAtomic(target, text);
    s.logger.info(`${target}: ${plural(statements.length, 'VEX statement')} written (${format})`);
  }
  return statements.length;
}
