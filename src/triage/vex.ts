/**
 * The register as VEX statements (pure): an accepted risk is `affected` (the reason is the action statement),
 * a false positive is `not_affected` (the reason is the impact statement), a fixed finding is `fixed` on the
 * version now in use. Products are the purls of the packages the findings are on. Renderers: openvex.ts, cyclonedx-vex.ts.
 */
import type { Acceptance } from '../db/acceptances.js';
import type { FindingRow } from '../db/findings.js';
import type { PackagePurl } from '../db/vex.js';

/** OpenVEX not_affected justifications (https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md#status-justifications). */
export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
export type VexJustification = (typeof VEX_JUSTIFICATIONS)[number];

/** One VEX statement, independent of the document format. */
export interface VexStatement {
  vulnerability: string;
  aliases: string[];
  status: 'not_affected' | 'affected' | 'fixed';
  /** purls of the packages the statement is about. */
  products: string[];
  justification?: VexJustification | undefined;
  /** The register's reason: impact statement (not_affected) or action statement (affected). */
  reason?: string | undefined;
  /** Who decided, when, where, until when: for status notes. */
  by: string | null;
  timestamp: string;
  notes: string;
}

/**
 * A reason may open with a justification (`vulnerable_code_not_in_execute_path: ...`); icms never guesses one,
 * since a wrong justification is a false claim to the customer's scanner.
 */
export function justificationOf(reason: string): VexJustification | undefined {
  const head = /^\s*([a-z_]+)\s*[:\-–]/.exec(reason)?.[1];
  return (VEX_JUSTIFICATIONS as readonly string[]).includes(head ?? '') ? (head as VexJustification) : undefined;
}

/** Statements for every active acceptance (with the purls of the findings it covers) and every fixed vulnerability. */
export function buildVexStatements(acceptances: readonly Acceptance[], findings: readonly FindingRow[], purls: readonly PackagePurl[]): VexStatement[] {
  const exact = new Map<string, string[]>();
  const byName = new Map<string, string[]>();
  for (const p of purls) {
    push(exact, `${p.projectId}\0${p.ecosystem}\0${p.name}\0${p.version}`, p.purl);
    push(byName, `${p.projectId}\0${p.ecosystem}\0${p.name}`, p.purl);
  }
  const out: VexStatement[] = [];
  for (const a of acceptances) {
    const covered = findings.filter((f) => f.acceptanceId === a.id);
    const products = unique(covered.flatMap((f) => exact.get(`${f.projectId}\0${f.ecosystem}\0${f.package}\0${f.version}`) ?? []));
    const where = a.allProjects ? 'all projects' : (a.project ?? `project #${a.projectId}`);
    const scope = `${where}${a.package ? `, ${a.package}${a.packageVersion ? `@${a.packageVersion}` : ''}` : ''}`;
    const notes = `${a.kind === 'accepted' ? 'risk accepted' : 'false positive'} in ${scope}${a.createdBy ? ` by ${a.createdBy}` : ''}${a.expires ? `, until ${a.expires}` : ''} (icms acceptance #${a.id})`;
    const aliases = unique(covered.flatMap((f) => [f.groupId, ...f.advisoryIds, ...f.aliases])).filter((x) => x !== a.advisoryId);
    out.push({
      vulnerability: a.advisoryId,
      aliases,
      status: a.kind === 'accepted' ? 'affected' : 'not_affected',
      products,
      justification: a.kind === 'false_positive' ? justificationOf(a.reason) : undefined,
      reason: a.kind === 'accepted' && a.expires ? `${a.reason} (risk accepted until ${a.expires}; upgrade before then)` : a.reason,
      by: a.createdBy,
      timestamp: a.createdAt,
      notes,
    });
  }
  out.push(...fixedStatements(findings, byName));
  return out;
}

/** One `fixed` statement per vulnerability: the versions now in use of the packages it was found on. */
function fixedStatements(findings: readonly FindingRow[], byName: Map<string, string[]>): VexStatement[] {
  const open = new Set(findings.filter((f) => f.status !== 'fixed').map((f) => `${f.groupId}\0${f.projectId}\0${f.ecosystem}\0${f.package}`));
  const groups = new Map<string, FindingRow[]>();
  for (const f of findings) {
    // still found in another version of the same package: that version is not fixed
    if (f.status !== 'fixed' || open.has(`${f.groupId}\0${f.projectId}\0${f.ecosystem}\0${f.package}`)) continue;
    push(groups, f.groupId, f);
  }
  const out: VexStatement[] = [];
  for (const [id, fs] of groups) {
    const products = unique(fs.flatMap((f) => byName.get(`${f.projectId}\0${f.ecosystem}\0${f.package}`) ?? []));
    if (products.length === 0) continue; // the package is gone altogether; nothing to state about it
    const last = fs.map((f) => f.fixedAt ?? f.lastSeen).sort().at(-1)!;
    out.push({
      vulnerability: id,
      aliases: unique(fs.flatMap((f) => [...f.advisoryIds, ...f.aliases])).filter((x) => x !== id),
      status: 'fixed',
      products,
      by: null,
      timestamp: last,
      notes: `no longer found since ${last.slice(0, 10)} (${unique(fs.map((f) => `${f.package} ${f.version}`)).join(', ')} upgraded)`,
    });
  }
  return out;
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
