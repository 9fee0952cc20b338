/** How commands select projects and present findings (shared by match, scan and report). */
import { InvalidArgumentError } from 'commander';
import type { Db } from '../db/open.js';
import { listProjects } from '../db/projects.js';
import type { FindingRow } from '../db/findings.js';
import { severityRank, type Severity, type StoredProject } from '../model/types.js';
import { usageError } from '../shared/errors.js';
import { projectsNamed } from '../model/project-match.js';

const GATE_LEVELS = ['unknown', 'low', 'medium', 'high', 'critical'] as const;

/** Parses `--fail-on` / `--severity-min`: unknown (anything, unrated included) | low | medium | high | critical. */
export function parseSeverity(value: string): Severity {
  const v = value.toLowerCase();
  if (!(GATE_LEVELS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${GATE_LEVELS.join(', ')}`);
  return v.toUpperCase() as Severity;
}

/** Collects a repeatable option. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Active projects selected by `--project` values (see projectsNamed: name, URL in any form, or part of the name). */
export function selectProjects(db: Db, wanted: readonly string[] | undefined): StoredProject[] {
  const all = listProjects(db);
  if (!wanted || wanted.length === 0) return all;
  return wanted.flatMap((w) => {
    const found = projectsNamed(all, w);
    if (found.length === 0) throw usageError(`no active project matches --project ${JSON.stringify(w)}`, '`icms projects` lists them');
    return found;
  });
}

/** Which severity a gate compares: the advisory's base severity or the project's environmental re-score. */
export type SeveritySource = 'base' | 'environmental';

/** The severity a gate uses for one finding. */
export function gateSeverity(f: FindingRow, source: SeveritySource): Severity {
  return source === 'environmental' && f.envSeverity ? f.envSeverity : f.severity;
}

export { findingJson } from '../report/finding-json.js';

/** The order of attention: KEV-listed first, then most severe, then EPSS, then by project and package. */
export function bySeverity(a: FindingRow, b: FindingRow): number {
  return (
    Number(Boolean(b.kev)) - Number(Boolean(a.kev)) || severityRank(b.severity) - severityRank(a.severity) || (b.epss?.score ?? -1) - (a.epss?.score ?? -1) ||
    a.project.localeCompare(b.project) || a.package.localeCompare(b.package)
  );
}
