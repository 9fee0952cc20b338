/**
 * Ignore files of other scanners -> register entries (pure), read the way each tool reads them:
 * - `.trivyignore`: one id per line, `#` comments, an optional `exp:YYYY-MM-DD` field (trivy pkg/result/ignore.go);
 * - `.trivyignore.yaml`: `vulnerabilities: [{id, paths, purls, expired_at, statement}]`;
 * - `osv-scanner.toml`: `[[IgnoredVulns]] id, ignoreUntil, reason` (TOML dates);
 * - `.grype.yaml`: `ignore: [{vulnerability, package: {name, version}, vex-status, vex-justification, reason}]`.
 * Each entry's reason names the file and line it came from.
 */
import { parse as parseToml } from 'smol-toml';
import { usageError } from '../shared/errors.js';
import { parseYamlWithLines } from '../shared/yaml.js';
import { isIsoDate, normalizeVulnId } from './acceptance.js';
import { isVulnId, type ImportedFile, type PurlResolver } from './imported.js';

/** The ignore-file formats `triage import --from` reads. */
export const IGNORE_FORMATS = ['trivyignore', 'osv-scanner', 'grype'] as const;
export type IgnoreFormat = (typeof IGNORE_FORMATS)[number];

/** Parses an ignore file; `name` (its path as the user gave it) goes into every reason. */
export function parseIgnoreFile(format: IgnoreFormat, text: string, name: string, resolve: PurlResolver): ImportedFile {
  if (format === 'osv-scanner') return parseOsvScanner(text, name);
  if (format === 'grype') return parseGrype(text, name);
  return /\.ya?ml$/i.test(name) ? parseTrivyYaml(text, name, resolve) : parseTrivyIgnore(text, name);
}

function parseTrivyIgnore(text: string, name: string): ImportedFile {
  const out: ImportedFile = { entries: [], skipped: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [id, ...fields] = line.split(/\s+/);
    const where = `${name}:${i + 1}`;
    if (!isVulnId(id!)) return void out.skipped.push(`${where}: ${id} is not a vulnerability id (misconfiguration, secret or licence rule)`);
    const exp = fields.find((f) => f.startsWith('exp:'))?.slice(4);
    if (exp !== undefined && !isIsoDate(exp)) throw usageError(`${where}: exp:${exp} is not a date YYYY-MM-DD`, 'trivy reads exp:2024-12-31');
    const comment = line.includes('#') ? line.slice(line.indexOf('#') + 1).trim() : '';
    out.entries.push({ id: normalizeVulnId(id!), kind: 'accepted', reason: `from ${where}${comment ? `: ${comment}` : ''}`, expires: exp });
  });
  return out;
}

function parseTrivyYaml(text: string, name: string, resolve: PurlResolver): ImportedFile {
  const { value, lineOf } = parseYamlWithLines(text, name);
  const out: ImportedFile = { entries: [], skipped: [] };
  const doc = (value ?? {}) as Record<string, unknown>;
  for (const section of ['misconfigurations', 'secrets', 'licenses']) {
    if (Array.isArray(doc[section]) && doc[section].length > 0) out.skipped.push(`${name}: ${section} (${doc[section].length}) are not vulnerabilities`);
  }
  const list = doc.vulnerabilities ?? [];
  if (!Array.isArray(list)) throw usageError(`${name}:${lineOf(['vulnerabilities'])}: vulnerabilities must be a list`);
  list.forEach((raw: unknown, i) => {
    const v = (raw ?? {}) as Record<string, unknown>;
    const where = `${name}:${lineOf(['vulnerabilities', i])}`;
    const id = text1(v.id);
    if (!id) throw usageError(`${where}: an entry without an id`, 'each vulnerabilities entry needs id: CVE-...');
    const expires = dateOf(v.expired_at, where, 'expired_at');
    const paths = Array.isArray(v.paths) ? v.paths.map(String) : [];
    const statement = text1(v.statement);
    const reason = `from ${where}${statement ? `: ${statement}` : ''}${paths.length ? ` (trivy limited it to ${paths.join(', ')}; icms scopes by project and package)` : ''}`;
    const purls = Array.isArray(v.purls) ? v.purls.map(String) : [];
    if (purls.length === 0) return void out.entries.push({ id: normalizeVulnId(id), kind: 'accepted', reason, expires });
    for (const purl of purls) {
      const pkg = resolve(purl);
      if (!pkg) out.skipped.push(`${where}: ${purl} is not a purl icms can read`);
      else out.entries.push({ id: normalizeVulnId(id), kind: 'accepted', package: pkg.name, version: pkg.version, reason, expires });
    }
  });
  return out;
}

function parseOsvScanner(text: string, name: string): ImportedFile {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    throw usageError(`${name}: invalid TOML: ${(err as Error).message.split('\n')[0]}`, 'osv-scanner.toml is TOML with [[IgnoredVulns]] tables');
  }
  const out: ImportedFile = { entries: [], skipped: [] };
  const list = Array.isArray(doc.IgnoredVulns) ? doc.IgnoredVulns : [];
  list.forEach((raw: unknown, i) => {
    const v = (raw ?? {}) as Record<string, unknown>;
    const where = `${name} [[IgnoredVulns]] #${i + 1}`;
    const id = text1(v.id);
    if (!id) throw usageError(`${where}: no id`, 'each [[IgnoredVulns]] needs id = "GHSA-..."');
    const reason = text1(v.reason);
    out.entries.push({ id: normalizeVulnId(id), kind: 'accepted', reason: `from ${where}${reason ? `: ${reason}` : ''}`, expires: dateOf(v.ignoreUntil, where, 'ignoreUntil') });
  });
  const overrides = Array.isArray(doc.PackageOverrides) ? doc.PackageOverrides.length : 0;
  if (overrides > 0) out.skipped.push(`${name}: ${overrides} [[PackageOverrides]] ignore whole packages, not vulnerabilities; accept those by id`);
  return out;
}

function parseGrype(text: string, name: string): ImportedFile {
  const { value, lineOf } = parseYamlWithLines(text, name);
  const out: ImportedFile = { entries: [], skipped: [] };
  const list = ((value ?? {}) as Record<string, unknown>).ignore ?? [];
  if (!Array.isArray(list)) throw usageError(`${name}:${lineOf(['ignore'])}: ignore must be a list of rules`);
  list.forEach((raw: unknown, i) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const where = `${name}:${lineOf(['ignore', i])}`;
    const id = text1(r.vulnerability);
    if (!id) return void out.skipped.push(`${where}: a rule without a vulnerability (by package, fix-state or location) has no register equivalent`);
    const pkg = (r.package ?? {}) as Record<string, unknown>;
    const vex = text1(r['vex-status']);
    const why = [text1(r.reason), text1(r['vex-justification']), text1(pkg.location) ? `location ${text1(pkg.location)}` : undefined].filter(Boolean).join('; ');
    out.entries.push({
      id: normalizeVulnId(id),
      kind: vex === 'not_affected' || vex === 'fixed' ? 'false_positive' : 'accepted',
      package: text1(pkg.name),
      version: text1(pkg.name) ? text1(pkg.version) : undefined,
      reason: `from ${where}${why ? `: ${why}` : ''}`,
    });
  });
  return out;
}

function text1(v: unknown): string | undefined {
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** A YAML/TOML date (string or Date) as YYYY-MM-DD. */
function dateOf(v: unknown, where: string, key: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);
  if (!isIsoDate(s)) throw usageError(`${where}: ${key} ${JSON.stringify(String(v))} is not a date`, 'write it as YYYY-MM-DD');
  return s;
}
