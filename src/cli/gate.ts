/**
 * The exit gates (`--fail-on` and any later ones) and what tripped them. Every gate that trips is printed with its
 * count and first findings, so a red CI job says why; a new gate adds one `GateTrip`.
 */
import { severityRank, type Severity } from '../model/types.js';
import { stripControl } from '../shared/text-safety.js';

/** A finding as a gate message names it. */
export interface GateFinding {
  /** The stored finding id (`icms explain <id>`); absent for findings of a scan that stored nothing. */
  id?: number | undefined;
  project: string;
  groupId: string;
  package: string;
  version: string;
  severity: Severity;
}

/** One gate that tripped: how it is written on the command line and the findings that tripped it. */
export interface GateTrip {
  gate: string;
  findings: GateFinding[];
}

/** How many tripping findings each gate message lists. */
export const GATE_SHOWN = 5;

/** Findings at or above `level` (by `severityOf`), most severe first; empty without a level. */
export function atOrAbove<T>(findings: readonly T[], level: Severity | undefined, severityOf: (f: T) => Severity): T[] {
  if (!level) return [];
  return findings.filter((f) => severityRank(severityOf(f)) >= severityRank(level)).sort((a, b) => severityRank(severityOf(b)) - severityRank(severityOf(a)));
}

/** The text printed for the gates that tripped: one block per gate, count then the first GATE_SHOWN findings. */
export function gateMessage(trips: readonly GateTrip[]): string {
  let out = '';
  for (const t of trips) {
    if (t.findings.length === 0) continue;
    out += `gate ${t.gate} tripped by ${t.findings.length} finding${t.findings.length === 1 ? '' : 's'}:\n`;
    for (const f of t.findings.slice(0, GATE_SHOWN)) {
      const id = f.id !== undefined ? ` (explain ${f.id})` : '';
      out += `  ${f.severity} ${f.groupId} ${f.package}@${f.version} in ${f.project}${id}\n`;
    }
    if (t.findings.length > GATE_SHOWN) out += `  … and ${t.findings.length - GATE_SHOWN} more\n`;
  }
  return stripControl(out);
}
