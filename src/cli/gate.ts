/**
 * The CI gates of match, scan and run: `--fail-on <severity>` (an unrated finding counts as
 * `triage.unknown_severity`; `unknown` trips on any open finding), `--fail-on-kev` (any open finding CISA lists as
 * exploited, whatever its severity) and `--fail-on-epss <p>` (any open finding whose EPSS score is at least p).
 * Severity is read on the basis `triage.severity_source` names, as the alert, digest and report do. A gate that trips
 * says why: the rules, the count and the first findings (with the id `icms explain` takes), so a red CI job explains
 * itself.
 */
import { InvalidArgumentError } from 'commander';
import { severityRank, type Severity } from '../model/types.js';
import type { EpssInfo, KevInfo } from '../model/match.js';
import { basisSeverity } from '../triage/basis.js';
import { stripControl } from '../shared/text-safety.js';
import type { Session } from './session.js';
export { basisSeverity } from '../triage/basis.js';

/** What a gate needs of a finding (a stored FindingRow, or a finding of an ephemeral scan). */
export interface GateFinding {
  /** The stored finding id (`icms explain <id>`); absent for findings of a scan that stored nothing. */
  id?: number | undefined;
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
  first: { finding: GateFinding; severity: Severity; why: string[] }[];
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
    const sev = basisSeverity(f, g.basis, g.unknownAs ?? 'UNKNOWN');
    if (g.failOn && (g.failOn === 'UNKNOWN' || severityRank(sev) >= severityRank(g.failOn))) {
      if (f.severity === 'UNKNOWN' && sev !== 'UNKNOWN') why.push(`unrated, counted as ${sev}`);
      else why.push(`severity ${sev}`);
    }
    if (g.failOnKev && f.kev) why.push(`KEV-listed ${f.kev.date_added ?? ''}`.trim());
    if (g.failOnEpss !== undefined && f.epss && f.epss.score >= g.failOnEpss) why.push(`EPSS ${f.epss.score}`);
    if (why.length === 0) continue;
    result.tripped = true;
    result.count++;
    result.first.push({ finding: f, severity: sev, why });
  }
  // the most severe first, then KEV, then EPSS: the findings a reader should look at
  result.first.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || Number(Boolean(b.finding.kev)) - Number(Boolean(a.finding.kev)) || (b.finding.epss?.score ?? 0) - (a.finding.epss?.score ?? 0));
  result.first.length = Math.min(result.first.length, firstN);
  return result;
}

/**
 * What tripped the gate, for stderr: the rules and the count, then one line per first finding (severity, advisory,
 * package, project, the id `explain` takes, and the KEV/EPSS reason when that is what tripped it).
 */
export function describeGate(g: GateOptions, r: GateResult): string {
  const rules = [g.failOn ? `--fail-on ${g.failOn.toLowerCase()}` : '', g.failOnKev ? '--fail-on-kev' : '', g.failOnEpss !== undefined ? `--fail-on-epss ${g.failOnEpss}` : ''].filter(Boolean).join(', ');
  const basis = g.basis === 'environmental' ? ' (environmental severity)' : '';
  let out = `gate ${rules}${g.newOnly ? ' --new-only' : ''}${basis} tripped by ${r.count} finding${r.count === 1 ? '' : 's'}:\n`;
  for (const { finding: f, severity, why } of r.first) {
    const extra = why.filter((w) => !w.startsWith('severity '));
    out += `  ${severity} ${f.groupId} ${f.package}@${f.version}${f.project ? ` in ${f.project}` : ''}${f.id !== undefined ? ` (explain ${f.id})` : ''}${extra.length ? ` — ${extra.join(', ')}` : ''}\n`;
  }
  if (r.count > r.first.length) out += `  … and ${r.count - r.first.length} more\n`;
  return stripControl(out);
}

/** Parses `--fail-on-epss`: a probability 0..1 (a percentage like 10% is accepted). */
export function parseEpssThreshold(value: string): number {
  const pct = value.endsWith('%');
  const n = Number(pct ? value.slice(0, -1) : value) / (pct ? 100 : 1);
  if (!Number.isFinite(n) || n < 0 || n > 1 || value.trim() === '') throw new InvalidArgumentError('expected an EPSS probability between 0 and 1 (e.g. 0.1 or 10%)');
  return n;
}

/** The gates of match/scan: the flags, on the configured severity basis, UNKNOWN counted as `triage.unknown_severity`. */
export function gateOptions(s: Session, flags: { failOn?: Severity; failOnKev?: boolean; failOnEpss?: number; newOnly?: boolean }): GateOptions {
  return { failOn: flags.failOn, failOnKev: flags.failOnKev, failOnEpss: flags.failOnEpss, newOnly: flags.newOnly, basis: s.config.triage.severitySource, unknownAs: s.config.triage.unknownSeverity.toUpperCase() as Severity };
}
