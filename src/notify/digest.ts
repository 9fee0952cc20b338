/** Digests: who gets what. Pure: recipients and findings in, one digest per maintainer out. */
import { createHash } from 'node:crypto';
import type { NotifyFinding, Recipient } from '../db/notifications.js';
import { packageUpgrade } from '../matcher/match.js';
import { SEVERITIES, severityRank, type Severity } from '../model/types.js';

/** A finding row as a message shows it, with its age. */
export interface DigestRow extends NotifyFinding {
  ageDays: number;
}

/** The one upgrade of a package (in one project) that clears all its open advisories. */
export interface PackageUpgrade {
  project: string;
  branch: string;
  ecosystem: string;
  package: string;
  version: string;
  /** undefined when some advisory has no fix yet. */
  upgrade: string | undefined;
  advisories: number;
}

/** What one maintainer is told. */
export interface Digest {
  recipient: { name: string; email: string };
  projects: string[];
  sections: { new: DigestRow[]; open: DigestRow[]; fixed: DigestRow[]; accepted: DigestRow[]; expired: DigestRow[] };
  /** Open findings (new + still open + acceptance expired) by severity. */
  counts: Record<Severity, number>;
  upgrades: PackageUpgrade[];
  /** The open findings shown; stored in the ledger so the next digest knows what is new. */
  findingIds: number[];
  /** Hash of what the recipient is told (finding ids and states), not of the rendered text. */
  contentHash: string;
  /** Nothing open (no new, open or expired findings). */
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

/** The order of attention: KEV-listed first, then most severe, then most likely exploited (EPSS), then oldest, then by project and package. */
export function bySeverityThenAge(a: DigestRow, b: DigestRow): number {
  return (
    Number(Boolean(b.kev)) - Number(Boolean(a.kev)) ||
    severityRank(effectiveSeverity(b)) - severityRank(effectiveSeverity(a)) ||
    (b.epss?.score ?? -1) - (a.epss?.score ?? -1) ||
    b.ageDays - a.ageDays ||
    a.project.localeCompare(b.project) ||
    a.package.localeCompare(b.package) ||
    a.groupId.localeCompare(b.groupId)
  );
}

/** The severity on the configured basis (`basisSeverity`, set by the notify stage); without it the environmental severity when triage set one, else the base severity. */
export function effectiveSeverity(f: Pick<NotifyFinding, 'severity' | 'envSeverity' | 'basisSeverity'>): Severity {
  return f.basisSeverity ?? f.envSeverity ?? f.severity;
}

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
  for (const f of rows) {
    if (isAcceptanceExpired(f, now)) sections.expired.push(f);
    else if (ACTIVE.has(f.status)) (prev.has(f.id) ? sections.open : sections.new).push(f);
    else if (f.status === 'accepted' || f.status === 'false_positive') sections.accepted.push(f);
    else if (f.status === 'fixed' && prev.has(f.id)) sections.fixed.push(f);
  }
  for (const list of Object.values(sections)) list.sort(bySeverityThenAge);
  const open = [...sections.new, ...sections.open, ...sections.expired];
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of open) counts[effectiveSeverity(f)]++;
  const shown = [...open, ...sections.accepted].map((f) => `${f.id}:${f.status}:${isAcceptanceExpired(f, now) ? 'expired' : ''}`).sort();
  return {
    recipient,
    projects: projects.sort(),
    sections,
    counts,
    upgrades: upgradesOf(open),
    findingIds: open.map((f) => f.id).sort((a, b) => a - b),
    contentHash: createHash('sha256').update(shown.join('\n')).digest('hex'),
    isEmpty: open.length === 0,
  };
}

/** Per (project, package, version): the one upgrade that clears all its open advisories. */
export function upgradesOf(open: readonly DigestRow[]): PackageUpgrade[] {
  const groups = new Map<string, DigestRow[]>();
  for (const f of open) {
    const key = `${f.projectId}\0${f.ecosystem}\0${f.package}\0${f.version}`;
    const group = groups.get(key);
    if (group) group.push(f);
    else groups.set(key, [f]);
  }
  return [...groups.values()]
    .map((g) => ({
      project: g[0]!.project,
      branch: g[0]!.branch,
      ecosystem: g[0]!.ecosystem,
      package: g[0]!.package,
      version: g[0]!.version,
      upgrade: packageUpgrade(g[0]!.ecosystem, g.map((f) => f.fixedVersion ?? undefined)),
      advisories: g.length,
    }))
    .sort((a, b) => a.project.localeCompare(b.project) || a.package.localeCompare(b.package) || a.version.localeCompare(b.version));
}

/** The subject line, e.g. `[icms] 3 new, 12 open CVEs in your projects (2 critical)`. */
export function digestSubject(d: Digest): string {
  const open = d.sections.new.length + d.sections.open.length + d.sections.expired.length;
  const extra = [d.counts.CRITICAL > 0 ? `${d.counts.CRITICAL} critical` : '', d.sections.expired.length > 0 ? `${d.sections.expired.length} acceptance expired` : ''].filter(Boolean);
  if (open === 0) return '[icms] no open CVEs in your projects';
  return `[icms] ${d.sections.new.length} new, ${open} open CVE${open === 1 ? '' : 's'} in your projects${extra.length ? ` (${extra.join(', ')})` : ''}`;
}
