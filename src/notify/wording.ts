/** The words every message uses the same way: counts with their plural, severity levels, project names. */
import { SEVERITIES, type Severity } from '../model/types.js';

export { plural } from '../shared/plural.js';

/**
 * Counts by level, most severe first, zeros left out: `2 CRITICAL, 5 HIGH, 16 UNKNOWN`. A level is written as JSON
 * and `--fail-on` name it; the level without a rating is UNKNOWN here too, never "other" or "unrated" (`explainUnknown`
 * adds "(no source rates it)").
 */
export function levelCounts(counts: Readonly<Record<Severity, number>>, explainUnknown = false): string {
  return SEVERITIES.slice()
    .reverse()
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}${s === 'UNKNOWN' && explainUnknown ? ' (no source rates it)' : ''}`)
    .join(', ');
}

/** Zero for every level. */
export function emptyCounts(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
}

/**
 * A project as people read it: its name, with ` @ branch` only when the name does not already end with `@<branch>`
 * (inventory names are `host/owner/repo@branch`: the branch is never said twice).
 */
export function projectLabel(project: string, branch: string | null | undefined): string {
  return !branch || project.endsWith(`@${branch}`) ? project : `${project} @ ${branch}`;
}

/** The dashboard view of one maintainer: `notify.dashboard_url` + `#maintainer=` + the address (undefined without a URL). */
export function maintainerViewUrl(dashboardUrl: string | undefined, email: string): string | undefined {
  return dashboardUrl ? `${dashboardUrl}#maintainer=${encodeURIComponent(email)}` : undefined;
}
