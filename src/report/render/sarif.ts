/**
 * `--format sarif`: SARIF 2.1.0 for GitHub code scanning. One run per project (its own automation id, so
 * uploads of several projects don't replace each other), one rule per alias group, one result per finding
 * located at the manifest/lockfile paths inside the repository. Fixed findings are left out (nothing to show);
 * accepted ones carry an external suppression. https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 */
import { createHash } from 'node:crypto';
import type { Severity } from '../../model/types.js';
import { severityRank } from '../../model/types.js';
import { isHttpUrl, stripControl } from '../../shared/text-safety.js';
import type { ReportData, ReportFinding } from '../model.js';
import { fixText } from '../summary.js';
import { markdownCell } from './markdown.js';
import type { RenderOptions } from './types.js';

type Level = 'error' | 'warning' | 'note';

/** SARIF level of a severity: critical/high are errors, medium a warning, the rest notes. */
export function sarifLevel(s: Severity): Level {
  return severityRank(s) >= severityRank('HIGH') ? 'error' : s === 'MEDIUM' ? 'warning' : 'note';
}

// GitHub maps security-severity to critical (>= 9.0), high (7.0-8.9), medium (4.0-6.9), low (0.1-3.9).
const DEFAULT_SCORE: Partial<Record<Severity, number>> = { CRITICAL: 9.5, HIGH: 8.0, MEDIUM: 5.5, LOW: 2.0 };

/** The `security-severity` property: the CVSS base score when known, else a score inside the severity's band. */
export function securitySeverity(severity: Severity, score: number | null): string | undefined {
  const s = score ?? DEFAULT_SCORE[severity];
  return s === undefined ? undefined : s.toFixed(1);
}

function text(s: string): string {
  return stripControl(s).trim();
}

function artifactUri(target: string): string {
  return target
    .replace(/^\.?\//, '')
    .split('/')
    .map(encodeURIComponent)
    .join('/');
}

function rule(groupId: string, fs: ReportFinding[], data: ReportData): Record<string, unknown> {
  const worst = fs.reduce((w, f) => (severityRank(f.severity) > severityRank(w.severity) ? f : w));
  const score = fs.reduce<number | null>((m, f) => (f.cvssScore !== null && (m === null || f.cvssScore > m) ? f.cvssScore : m), null);
  const adv = fs[0]!.advisoryIds.map((id) => data.advisories[id]).filter((a) => a !== undefined);
  const summary = text(adv.find((a) => a.summary)?.summary ?? `${groupId} in ${fs[0]!.package}`);
  const details = text(adv.find((a) => a.details)?.details ?? summary);
  const refs = [...new Set(adv.flatMap((a) => a.references.map((r) => r.url)).filter(isHttpUrl).map((u) => new URL(u).href))];
  const fixes = [...new Set(fs.map((f) => `${f.package} ${f.version}: ${fixText(f) || 'no fixed version known'}`))];
  const aliases = [...new Set(fs.flatMap((f) => f.aliases))].filter((a) => a !== groupId);
  // the markdown variant escapes advisory text (no raw HTML or links from it) and links references as <autolinks>
  const help = (esc: (s: string) => string, url: (u: string) => string): string =>
    [esc(summary), '', ...fixes.map((f) => `- ${esc(f)}`), ...(aliases.length ? ['', `Aliases: ${esc(aliases.join(', '))}`] : []), ...(refs.length ? ['', 'References:', ...refs.map((r) => `- ${url(r)}`)] : [])].join('\n');
  const sev = securitySeverity(worst.severity, score);
  return {
    id: groupId,
    name: 'VulnerablePackage',
    shortDescription: { text: summary.slice(0, 1000) },
    fullDescription: { text: details.slice(0, 4000) },
    ...(refs[0] ? { helpUri: refs[0] } : {}),
    help: { text: help(text, (u) => u), markdown: help(markdownCell, (u) => `<${u}>`) },
    defaultConfiguration: { level: sarifLevel(worst.severity) },
    properties: { ...(sev ? { 'security-severity': sev } : {}), precision: 'very-high', tags: ['security', 'vulnerability', worst.severity.toLowerCase()] },
  };
}

function result(f: ReportFinding, ruleIndex: number, data: ReportData): Record<string, unknown> {
  const summary = f.advisoryIds.map((id) => data.advisories[id]?.summary).find((s) => s);
  const fix = fixText(f) || 'no fixed version known';
  const message = `${f.package} ${f.version} (${f.ecosystem}) is affected by ${f.groupId}${summary ? `: ${summary}` : ''}. Fix: ${fix}.`;
  const targets = f.targets.length > 0 ? f.targets : ['.'];
  const fingerprint = createHash('sha256').update([f.project, f.groupId, f.ecosystem, f.package, f.version].join('\0')).digest('hex');
  const accepted = f.status === 'accepted' || f.status === 'false_positive';
  return {
    ruleId: f.groupId,
    ruleIndex,
    level: sarifLevel(f.severity),
    message: { text: text(message) },
    locations: targets.map((t) => ({
      physicalLocation: { artifactLocation: { uri: artifactUri(t) }, region: { startLine: 1 } },
      message: { text: text(`${f.package} ${f.version} in ${t}`) },
    })),
    partialFingerprints: { 'icmsFinding/v1': fingerprint },
    ...(accepted ? { suppressions: [{ kind: 'external', status: 'accepted', justification: text(f.acceptance?.reason ?? f.statusNote ?? f.status) }] } : {}),
    properties: { project: f.project, status: f.status, ...(f.upgrade ? { upgrade: f.upgrade } : {}) },
  };
}

function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function run(project: string | undefined, fs: ReportFinding[], data: ReportData, opts: RenderOptions): Record<string, unknown> {
  const groups = new Map<string, ReportFinding[]>();
  for (const f of fs) pushTo(groups, f.groupId, f);
  const ids = [...groups.keys()].sort();
  const index = new Map(ids.map((id, i) => [id, i]));
  return {
    tool: { driver: { name: 'icms', version: opts.toolVersion, semanticVersion: opts.toolVersion, rules: ids.map((id) => rule(id, groups.get(id)!, data)) } },
    ...(project ? { automationDetails: { id: `icms/${project}/` } } : {}),
    results: fs.map((f) => result(f, index.get(f.groupId)!, data)),
    columnKind: 'utf16CodeUnits',
  };
}

/** Renders the findings as a SARIF 2.1.0 log. */
export function renderSarif(data: ReportData, opts: RenderOptions): string {
  const shown = data.findings.filter((f) => f.status !== 'fixed');
  const byProject = new Map<string, ReportFinding[]>();
  for (const p of data.projects) byProject.set(p.name, []);
  for (const f of shown) pushTo(byProject, f.project, f);
  const runs = [...byProject].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, fs]) => run(p, fs, data, opts));
  const log = { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: runs.length > 0 ? runs : [run(undefined, [], data, opts)] };
  return `${JSON.stringify(log, null, 2)}\n`;
}
