/**
 * The one severity basis of gates, the security alert, digests and the report order (`triage.severity_source`):
 * the base rating, or the environmental re-score of the project where one was computed.
 */
import type { Severity } from '../model/types.js';

/** A finding's severity on `basis` (`base` when undefined); an UNKNOWN one counts as `unknownAs`. */
export function basisSeverity(f: { severity: Severity; envSeverity?: Severity | null | undefined }, basis: 'base' | 'environmental' | undefined, unknownAs: Severity = 'UNKNOWN'): Severity {
  const s = basis === 'environmental' && f.envSeverity ? f.envSeverity : f.severity;
  return s === 'UNKNOWN' ? unknownAs : s;
}
