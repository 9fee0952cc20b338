/** Digests: who gets what. Pure: recipients and findings in, one digest per maintainer out. */
import { createHash } from 'node:crypto';
import type { NotifyFinding, Recipient } from '../db/notify-findings.js';
import type { Severity } from '../model/types.js';
import { effectiveSeverity } from './severity.js';
import { buildTodo, byPriority, type TodoItem } from './todo.js';
import { emptyCounts, plural } from './wording.js';

/** A finding row as a message shows it, with its age. */
export interface DigestRow extends NotifyFinding {
  ageDays: number;
}

/** The counts at the top of a digest, on the configured severity basis. */
export interface DigestSummary {
  /** Open advisories (new, still open, acceptance expired); notices not counted. */
  open: number;
  /** Of those, new since the recipient's last digest. */
  new: number;
  /** Fixed since the last digest. */
  fixed: number;
  /** Age in days of the oldest open advisory (0 when none). */
  oldestDays: number;
  /** Of the open ones, CISA-listed as exploited. */
  exploited: number;
  /** Packages to upgrade (to-do items) and the projects they are in. */
  packages: number;
  projects: number;
}

/** What one maintainer is told. */
export interface Digest {
  recipient: { name: string; email: string };
  projects: string[];
  /** Vulnerabilities only: informational notices are in `notices`. */
  sections: { new: DigestRow[]; open: DigestRow[]; fixed: DigestRow[]; accepted: DigestRow[]; expired: DigestRow[] };
  /** Open findings (new + still open + acceptance expired) by severity. */
  counts: Record<Severity, number>;
  summary: DigestSummary;
  /** The to-do list: one upgrade per package, in priority order (all of them; the renderer caps). */
  items: TodoItem[];
  /** Open informational advisories (RUSTSEC unmaintained, unsound, notice): shown apart, never counted. */
  notices: DigestRow[];
  /** The open findings shown (notices too); stored in the ledger so the next digest knows what is new. */
  findingIds: number[];
  /** Hash of what the recipient is told (finding ids and states), not of the rendered text. */
  contentHash: string;
  /** No open vulnerability (no new, open or expired finding that is not a notice). */
  isEmpty: boolean;
}

const ACTIVE = new Set(['new', 'open', 'reopened']);
const DAY_MS = 86_400_000;

/** Age in whole days from `firstSeen` to `now`. */
export function ageDays(firstSeen: string, now: Date): number {
  const t = Date.parse(firstSeen);
  return Number.isNaN(t) ? 0 : Math.max(0, Math.floor((now.getTime() - t) / DAY_MS));
}

/**
 * True when the finding's acceptance lapsed: triage reopened it with the note 'acceptance expired', or its
 * acceptance has an expiry in the past (`YYYY-MM-DD` is inclusive: the end of that day, UTC).
 */
export function isAcceptanceExpired(f: Pick<NotifyFinding, 'status' | 'statusNote' | 'acceptanceExpires'>, now: Date): boolean {
  if (ACTIVE.has(f.status) && f.statusNote === 'acceptance expired') return true;
  if (!f.acceptanceExpires || f.status === 'fixed' || f.status === 'false_positive') return false;
  const end = /^\d{4}-\d{2}-\d{2}$/.test(f.acceptanceExpires) ? Date.parse(`${f.acceptanceExpires}T23:59:59.999Z`) : Date.parse(f.acceptanceExpires);
  return !Number.isNaN(end) && end < now.getTime();
}

export { effectiveSeverity };

/**
 * Builds each recipient's digest. `previous` maps a lower-cased address to the finding ids of their last
 * sent digest (absent: never mailed, so every open finding is new to them).
 */
export function buildDigests(input: {
  recipients: readonly Recipient[];
  findings: readonly NotifyFinding[];
  previous: ReadonlyMap<string, readonly number[]>;
  now: Date;
}): Digest[] {
  const build = digestBuilder(input.findings, input.now);
  return input.recipients.map((r) => build(r, input.previous.get(r.email.toLowerCase())));
}

/**
 * Indexes the findings by project once and returns a function building one recipient's digest, so a caller
 * can build, send and drop digests one at a time. `previous`: the finding ids of their last sent digest.
 */
export function digestBuilder(findings: readonly NotifyFinding[], now: Date): (r: Recipient, previous: readonly number[] | undefined) => Digest {
  const byProject = new Map<number, NotifyFinding[]>();
  for (const f of findings) {
    const list = byProject.get(f.projectId);
    if (list) list.push(f);
    else byProject.set(f.projectId, [f]);
  }
  return (r, previous) => {
    const rows = r.projects.flatMap((p) => byProject.get(p.id) ?? []).map((f) => ({ ...f, ageDays: ageDays(f.firstSeen, now) }));
    const projects = [...new Set(r.projects.map((p) => p.name))];
    return buildDigest({ name: r.name, email: r.email }, projects, rows, previous, now);
  };
}

function buildDigest(recipient: Digest['recipient'], projects: string[], rows: DigestRow[], previous: readonly number[] | undefined, now: Date): Digest {
  const prev = new Set(previous ?? []);
  const sections: Digest['sections'] = { new: [], open: [], fixed: [], accepted: [], expired: [] };
  const notices: DigestRow[] = [];
  for (const f of rows) {
    if (f.informational && ACTIVE.has(f.status)) notices.push(f);
    else if (f.informational && f.status === 'fixed') continue; // a notice that went away is no fix of a vulnerability
    else if (isAcceptanceExpired(f, now)) sections.expired.push(f);
    else if (ACTIVE.has(f.status)) (prev.has(f.id) ? sections.open : sections.new).push(f);
    else if (f.status === 'accepted' || f.status === 'false_positive') sections.accepted.push(f);
    else if (f.status === 'fixed' && prev.has(f.id)) sections.fixed.push(f);
  }
  for (const list of Object.values(sections)) list.sort(byPriority);
  notices.sort((a, b) => a.project.localeCompare(b.project) || a.package.localeCompare(b.package) || a.groupId.localeCompare(b.groupId));
  const open = [...sections.new, ...sections.open, ...sections.expired];
  const counts = emptyCounts();
  for (const f of open) counts[effectiveSeverity(f)]++;
  const items = buildTodo(open, new Set(sections.new.map((f) => f.id)));
  const shown = [...open, ...notices, ...sections.accepted].map((f) => `${f.id}:${f.status}:${isAcceptanceExpired(f, now) ? 'expired' : ''}`).sort();
  return {
    recipient,
    projects: projects.sort(),
    sections,
    counts,
    summary: {
      open: open.length,
      new: sections.new.length,
      fixed: sections.fixed.length,
      oldestDays: open.reduce((max, f) => Math.max(max, f.ageDays), 0),
      exploited: open.filter((f) => f.kev).length,
      packages: items.length,
      projects: new Set(items.map((i) => i.projectId)).size,
    },
    items,
    notices,
    findingIds: [...open, ...notices].map((f) => f.id).sort((a, b) => a - b),
    contentHash: createHash('sha256').update(shown.join('\n')).digest('hex'),
    isEmpty: open.length === 0,
  };
}

/**
 * The subject line on the configured severity basis, e.g.
 * `[icms] 3 new, 12 open advisories in your projects (2 CRITICAL, 5 HIGH, 1 exploited, 1 acceptance expired)`.
 */
export function digestSubject(d: Digest): string {
  const { open, exploited } = d.summary;
  if (open === 0) return '[icms] no open advisories in your projects';
  const extra = [
    d.counts.CRITICAL > 0 ? `${d.counts.CRITICAL} CRITICAL` : '',
    d.counts.HIGH > 0 ? `${d.counts.HIGH} HIGH` : '',
    exploited > 0 ? `${exploited} exploited` : '',
    d.sections.expired.length > 0 ? `${d.sections.expired.length} acceptance expired` : '',
  ].filter(Boolean);
  return `[icms] ${d.summary.new} new, ${plural(open, 'open advisory', 'open advisories')} in your projects${extra.length ? ` (${extra.join(', ')})` : ''}`;
}
