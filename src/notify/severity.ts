/** The severity a message counts, orders and shows: the one on the configured basis (`triage.severity_source`). */
import type { NotifyFinding } from '../db/notify-findings.js';
import type { Severity } from '../model/types.js';

type Rated = Pick<NotifyFinding, 'severity' | 'envSeverity' | 'basisSeverity'>;

/** The severity on the configured basis (`basisSeverity`, set by the notify stage); without it the environmental severity when triage set one, else the base severity. */
export function effectiveSeverity(f: Rated): Severity {
  return f.basisSeverity ?? f.envSeverity ?? f.severity;
}

/**
 * The other rating worth showing beside the basis one: `base CRITICAL` when the basis is the environmental
 * re-score, `env HIGH` when the basis is the base rating and triage re-scored it; undefined when they agree.
 */
export function otherRating(f: Rated): string | undefined {
  const shown = effectiveSeverity(f);
  if (shown !== f.severity) return `base ${f.severity}`;
  if (f.envSeverity && f.envSeverity !== shown) return `env ${f.envSeverity}`;
  return undefined;
}
