/**
 * The accepted-CVE register file (config `triage.register`): a YAML list reviewed in pull requests.
 * ```yaml
 * - id: CVE-2021-3749
 *   kind: accepted            # or false_positive
 *   scope: {project: web-frontend, package: axios, version: 0.19.0}   # or {all_projects: true}
 *   reason: only internal callers reach the parser
 *   expires: 2026-06-30       # optional, inclusive
 *   by: alice                 # optional
 * ```
 */
import { stringify } from 'yaml';
import { IcmsError, usageError } from '../shared/errors.js';
import { parseYamlWithLines } from '../shared/yaml.js';
import { isIsoDate, normalizeVulnId } from './acceptance.js';

/** One register entry; `line` is where it starts in the file (for error messages). */
export interface RegisterEntry {
  id: string;
  kind: 'accepted' | 'false_positive';
  scope: { project?: string; allProjects: boolean; package?: string; version?: string };
  reason: string;
  expires?: string;
  by?: string;
  line: number;
}

const ENTRY_KEYS = ['id', 'kind', 'scope', 'reason', 'expires', 'by'];
const SCOPE_KEYS = ['project', 'all_projects', 'package', 'version'];

/** Parses and validates register text; bad entries are one usage error naming each `file:line` (exit 2). */
export function parseRegister(text: string, file: string): RegisterEntry[] {
  const { value, lineOf, doc } = parseYamlWithLines(text, file);
  // a plain `version: 1.10` is a YAML number; the text as written is what the user meant
  const sourceOf = (path: (string | number)[], v: unknown): string => {
    const node = doc.getIn(path, true) as { source?: unknown } | undefined;
    return typeof v === 'number' && typeof node?.source === 'string' ? node.source : String(v);
  };
  if (value === null || value === undefined) return [];
  const bad = (path: (string | number)[], what: string, hint = 'see README "Register file" for the format'): never => {
    throw usageError(`${file}:${lineOf(path)}: ${what}`, hint);
  };
  if (!Array.isArray(value)) return bad([], 'expected a YAML list of acceptances');
  // every bad entry is reported at once: a reviewer fixes the file in one go
  const problems: IcmsError[] = [];
  const entries = value.map((raw: unknown, i: number): RegisterEntry | undefined => {
    try {
      return parseEntry(raw, i);
    } catch (err) {
      if (!(err instanceof IcmsError)) throw err;
      problems.push(err);
      return undefined;
    }
  });
  if (problems.length === 1) throw problems[0]!;
  if (problems.length > 1) {
    throw usageError(`${problems.length} bad register entries:\n  ${problems.map((p) => p.message).join('\n  ')}`, 'see README "Register file" for the format');
  }
  return entries.filter((e): e is RegisterEntry => e !== undefined);

  function parseEntry(raw: unknown, i: number): RegisterEntry {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return bad([i], `entry ${i + 1} must be a mapping`);
    const e = raw as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!ENTRY_KEYS.includes(k)) bad([i, k], `entry ${i + 1}: unknown key "${k}"`, `allowed keys: ${ENTRY_KEYS.join(', ')}`);
    const str = (k: string): string | undefined => {
      const v = e[k];
      if (v === undefined || v === null) return undefined;
      if (typeof v !== 'string' && typeof v !== 'number') return bad([i, k], `entry ${i + 1}: ${k} must be text`);
      return sourceOf([i, k], v).trim();
    };
    const id = str('id');
    if (!id) return bad([i], `entry ${i + 1}: id (the CVE or any alias) is required`);
    const kind = str('kind') ?? 'accepted';
    if (kind !== 'accepted' && kind !== 'false_positive') return bad([i, 'kind'], `entry ${i + 1}: kind must be accepted or false_positive, got ${kind}`);
    const reason = str('reason');
    if (!reason) return bad([i], `entry ${i + 1} (${id}): reason is required`, 'say why the risk is accepted or why it is a false positive');
    const expires = str('expires');
    if (expires !== undefined && !isIsoDate(expires)) return bad([i, 'expires'], `entry ${i + 1} (${id}): expires must be a date YYYY-MM-DD, got ${expires}`);
    const by = str('by');
    return { id: normalizeVulnId(id), kind, scope: parseScope(e.scope, i, id, bad, sourceOf), reason, ...(expires ? { expires } : {}), ...(by ? { by } : {}), line: lineOf([i]) };
  }
}

type Bad = (path: (string | number)[], what: string, hint?: string) => never;

function parseScope(raw: unknown, i: number, id: string, bad: Bad, sourceOf: (path: (string | number)[], v: unknown) => string): RegisterEntry['scope'] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return bad([i, 'scope'], `entry ${i + 1} (${id}): scope must be a mapping with project or all_projects: true`);
  const s = raw as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!SCOPE_KEYS.includes(k)) bad([i, 'scope', k], `entry ${i + 1}: unknown scope key "${k}"`, `allowed: ${SCOPE_KEYS.join(', ')}`);
  const text = (k: string): string | undefined => (s[k] === undefined || s[k] === null ? undefined : sourceOf([i, 'scope', k], s[k]).trim() || undefined);
  const allProjects = s.all_projects === true;
  const project = text('project');
  if (allProjects === (project !== undefined)) return bad([i, 'scope'], `entry ${i + 1} (${id}): scope needs exactly one of project or all_projects: true`);
  const pkg = text('package');
  const version = text('version');
  if (version !== undefined && pkg === undefined) return bad([i, 'scope', 'version'], `entry ${i + 1} (${id}): scope.version needs scope.package`);
  return { allProjects, ...(project ? { project } : {}), ...(pkg ? { package: pkg } : {}), ...(version ? { version } : {}) };
}

/** Renders entries as register YAML (stable key order, so an export diffs cleanly in review). */
export function renderRegister(entries: readonly Omit<RegisterEntry, 'line'>[]): string {
  const list = entries.map((e) => ({
    id: e.id,
    kind: e.kind,
    scope: {
      ...(e.scope.allProjects ? { all_projects: true } : { project: e.scope.project }),
      ...(e.scope.package ? { package: e.scope.package } : {}),
      ...(e.scope.version ? { version: e.scope.version } : {}),
    },
    reason: e.reason,
    ...(e.expires ? { expires: e.expires } : {}),
    ...(e.by ? { by: e.by } : {}),
  }));
  const header = '# Accepted vulnerabilities and false positives (icms triage export). Review changes in pull requests.\n';
  return header + (list.length === 0 ? '[]\n' : stringify(list, { lineWidth: 0 }));
}
