/** Findings new, fixed and changed between two points of the finding history (see `findingStatesAt`). */
import type { FindingStatus } from '../model/types.js';

type StateClass = 'absent' | 'active' | 'accepted' | 'false_positive' | 'fixed';

function classOf(s: FindingStatus | undefined): StateClass {
  if (s === undefined) return 'absent';
  if (s === 'new' || s === 'open' || s === 'reopened') return 'active';
  return s;
}

export interface RunDiffEntry {
  findingId: number;
  from: FindingStatus | null;
  to: FindingStatus | null;
}

export interface RunDiff {
  /** Present (open or triaged) at `to`, absent or fixed at `from`. */
  new: RunDiffEntry[];
  /** Present at `from`, fixed (or gone) at `to`. */
  fixed: RunDiffEntry[];
  /** Present at both, with a different triage state (open <-> accepted <-> false positive). */
  changed: RunDiffEntry[];
}

/** Compares two snapshots of finding states (finding id -> status). */
export function diffRuns(from: ReadonlyMap<number, FindingStatus>, to: ReadonlyMap<number, FindingStatus>): RunDiff {
  const out: RunDiff = { new: [], fixed: [], changed: [] };
  const ids = [...new Set([...from.keys(), ...to.keys()])].sort((a, b) => a - b);
  for (const id of ids) {
    const a = classOf(from.get(id));
    const b = classOf(to.get(id));
    const entry = { findingId: id, from: from.get(id) ?? null, to: to.get(id) ?? null };
    const wasThere = a !== 'absent' && a !== 'fixed';
    const isThere = b !== 'absent' && b !== 'fixed';
    if (!wasThere && isThere) out.new.push(entry);
    else if (wasThere && !isThere) out.fixed.push(entry);
    else if (wasThere && isThere && a !== b) out.changed.push(entry);
  }
  return out;
}
