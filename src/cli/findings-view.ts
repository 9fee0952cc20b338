/** How commands select projects and present findings (shared by match, scan and report). */
import { InvalidArgumentError } from 'commander';
import type { Db } from '../db/open.js';
import { listProjects } from '../db/projects.js';
import type { FindingRow } from '../db/findings.js';
import { severityRank, type Severity, type StoredProject } from '../model/types.js';
import { usageError } from '../shared/errors.js';
import { projectsNamed } from '../model/project-match.js';
import { atOrAbove, type GateTrip } from './gate.js';

const GATE_LEVELS = ['low', 'medium', 'high', 'critical'] as const;

/** Parses `--fail-on` / `--severity-min`: low | medium | high | critical. */
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

/**
 * True when a finding at or above `level` is open (or, with newOnly, new in this run). Accepted and false-positive
 * findings never trip it. With `environmental`, a finding without an environmental score falls back to its base severity.
 */
export function tripsGate(findings: readonly FindingRow[], level: Severity | undefined, newOnly: boolean, source: SeveritySource = 'base'): boolean {
  return failOnTrip(findings, level, newOnly, source).findings.length > 0;
}

/** The `--fail-on` gate with the findings that trip it (none: it did not trip), most severe first. */
export function failOnTrip(findings: readonly FindingRow[], level: Severity | undefined, newOnly: boolean, source: SeveritySource = 'base'): GateTrip {
  const statuses = newOnly ? ['new', 'reopened'] : ['new', 'open', 'reopened'];
  const tripping = atOrAbove(findings.filter((f) => statuses.includes(f.status)), level, (f) => gateSeverity(f, source));
  return {
    gate: `--fail-on ${(level ?? '').toLowerCase()}${newOnly ? ' --new-only' : ''}${source === 'environmental' ? ' (environmental severity)' : ''}`,
    findings: tripping.map((f) => ({ id: f.id, project: f.project, groupId: f.groupId, package: f.package, version: f.version, severity: gateSeverity(f, source) })),
  };
}

/** The severity a gate uses for one finding. */
export function gateSeverity(f: FindingRow, source: SeveritySource): Severity {
  return source === 'environmental' && f.envSeverity ? f.envSeverity : f.severity;
}

export { findingJson } from '../report/finding-json.js';

/** Orders findings most severe first, then by project and package. */
export function bySeverity(a: FindingRow, b: FindingRow): number {
  return severityRank(b.severity) - severityRank(a.severity) || a.project.localeCompare(b.project) || a.package.localeCompare(b.package);
}
