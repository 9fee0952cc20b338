/**
 * The CI gates of match, scan and run: `--fail-on <severity>` (an unrated finding counts as
 * `triage.unknown_severity`; `unknown` trips on any open finding), `--fail-on-kev` (any open finding CISA lists as
 * exploited, whatever its severity) and `--fail-on-epss <p>` (any open finding whose EPSS score is at least p).
 * Severity is read on the basis `triage.severity_source` names, as the alert, digest and report do.
 */
import { InvalidArgumentError } from 'commander';
import { severityRank, type Severity } from '../model/types.js';
import type { EpssInfo, KevInfo } from '../model/match.js';
import { basisSeverity } from '../triage/basis.js';
export { basisSeverity } from '../triage/basis.js';

/** What a gate needs of a finding (a stored FindingRow, or a finding of an ephemeral scan). */
export interface GateFinding {
  status?: string;
  severity: Severity;
  envSeverity?: Severity | null;
  kev?: KevInfo | null | undefined;
  epss?: EpssInfo | null | undefined;
  project?: string;
  package: string;
  version: string;
  groupId: string;
}

/** The gates asked for. */
export interface GateOptions {
  failOn?: Severity | undefined;
  failOnKev?: boolean | undefined;
  failOnEpss?: number | undefined;
  newOnly?: boolean | undefined;
  basis?: 'base' | 'environmental' | undefined;
  /** How an UNKNOWN severity counts (`triage.unknown_severity`). */
  unknownAs?: Severity | undefined;
}

/** Which findings tripped which gate. */
export interface GateResult {
  tripped: boolean;
  count: number;
  /** The first few tripping findings, each with the gates it trips. */
  first: { finding: GateFinding; why: string[] }[];
}

/** Whether any gate is asked for. */
export function hasGate(g: GateOptions): boolean {
  return g.failOn !== undefined || Boolean(g.failOnKev) || g.failOnEpss !== undefined;
}

/** Evaluates the gates over open findings (or, with newOnly, those new in this run); accepted ones never trip. */
export function evaluateGate(findings: Iterable<GateFinding>, g: GateOptions, firstN = 5): GateResult {
  const statuses = g.newOnly ? ['new', 'reopened'] : ['new', 'open', 'reopened'];
  const result: GateResult = { tripped: false, count: 0, first: [] };
  if (!hasGate(g)) return result;
  for (const f of findings) {
    if (f.status !== undefined && !statuses.includes(f.status)) continue;
    const why: string[] = [];
    if (g.failOn) {
      const sev = basisSeverity(f, g.basis, g.unknownAs ?? 'UNKNOWN');
      if (g.failOn === 'UNKNOWN' || severityRank(sev) >= severityRank(g.failOn)) why.push(`severity ${f.severity === 'UNKNOWN' ? `UNKNOWN (counted as ${sev})` : sev}`);
    }
    if (g.failOnKev && f.kev) why.push(`KEV-listed ${f.kev.date_added ?? ''}`.trim());
    if (g.failOnEpss !== undefined && f.epss && f.epss.score >= g.failOnEpss) why.push(`EPSS ${f.epss.score}`);
    if (why.length === 0) continue;
    result.tripped = true;
    result.count++;
    if (result.first.length < firstN) result.first.push({ finding: f, why });
  }
  return result;
}

/** One line saying what tripped the gate: the rules, the count and the first findings. */
export function describeGate(g: GateOptions, r: GateResult): string {
  const rules = [g.failOn ? `--fail-on ${g.failOn.toLowerCase()}` : '', g.failOnKev ? '--fail-on-kev' : '', g.failOnEpss !== undefined ? `--fail-on-epss ${g.failOnEpss}` : ''].filter(Boolean).join(', ');
  const first = r.first.map(({ finding: f, why }) => `${f.project ? `${f.project}: ` : ''}${f.package}@${f.version} ${f.groupId} (${why.join(', ')})`).join('; ');
  return `gate (${rules}${g.newOnly ? ', new only' : ''}) tripped by ${r.count} finding(s): ${first}${r.count > r.first.length ? `; and ${r.count - r.first.length} more` : ''}`;
}

/** Parses `--fail-on-epss`: a probability 0..1 (a percentage like 10% is accepted). */
export function parseEpssThreshold(value: string): number {
  const pct = value.endsWith('%');
  const n = Number(pct ? value.slice(0, -1) : value) / (pct ? 100 : 1);
  if (!Number.isFinite(n) || n < 0 || n > 1 || value.trim() === '') throw new InvalidArgumentError('expected an EPSS probability between 0 and 1 (e.g. 0.1 or 10%)');
  return n;
}
