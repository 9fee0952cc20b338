/**
 * Where a repository's checkout lives: `<workDir>/repos/<host>/<owner...>/<repo>@<branch>`, built only
 * from validated, percent-encoded parts so that no inventory entry can point outside the work dir.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { usageError } from '../shared/errors.js';
import { redactPatterns } from '../shared/redact.js';

/** A repository URL split into the parts icms trusts. */
export interface ParsedRepoUrl {
  scheme: 'https' | 'http' | 'ssh' | 'file';
  /** Lower-cased host (with `:port` when given); `local` for file URLs. */
  host: string;
  /** Decoded path segments, `.git` stripped from the last one; at least one. */
  segments: string[];
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const URL_FORM = /^(https?|ssh|file):\/\/([^/]*)(\/.*)?$/i;
// scp-like syntax: [user@]host:path, recognised by git when a ':' comes before any '/'.
const SCP_FORM = /^(?:[^@/:]+@)?([^/:]+):(?!\/\/)(.+)$/;
const HOST_OK = /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;
const MAX_COMPONENT = 150;

/** Percent-encodes everything outside `[A-Za-z0-9._-]`, so a name is exactly one inert path component. */
export function encodeComponent(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9._-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  // Long names (deep branch names, 3x after encoding) would overflow NAME_MAX: keep a prefix plus a hash.
  if (out.length > MAX_COMPONENT) {
    out = `${out.slice(0, MAX_COMPONENT - 18)}~${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
  }
  return out;
}

function fail(url: string, why: string): never {
  throw usageError(`repository URL "${redactPatterns(url)}": ${why}`, 'use https://host/owner/repo, ssh://, git@host:owner/repo or file:///path');
}

function splitSegments(url: string, rawPath: string): string[] {
  const parts = rawPath.replace(/\/+$/, '').split('/');
  if (parts[0] === '') parts.shift(); // the leading '/'
  return parts.map((raw) => {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return fail(url, `bad percent-encoding in path segment "${raw}"`);
    }
    if (seg === '' || seg === '.' || seg === '..') fail(url, `path segment "${raw}" is empty, "." or ".."`);
    if (/[/\\]/.test(seg)) fail(url, `path segment "${raw}" contains a slash`);
    if (CONTROL.test(seg)) fail(url, 'path contains control characters');
    if (seg.startsWith('-')) fail(url, `path segment "${raw}" starts with "-"`);
    return seg;
  });
}

function checkHost(url: string, host: string): string {
  const h = host.toLowerCase();
  if (!HOST_OK.test(h)) fail(url, `host "${host}" is not a valid host name`);
  return h;
}

/** Parses and validates a repository URL; throws a Usage IcmsError naming the URL and why. */
export function parseRepoUrl(url: string): ParsedRepoUrl {
  if (url.length === 0) fail(url, 'empty URL');
  if (CONTROL.test(url)) fail(url, 'contains control characters');
  if (/\s/.test(url)) fail(url, 'contains white space');
  if (url.startsWith('-')) fail(url, 'starts with "-"');
  // git reads `<transport>::<address>` as "run git-remote-<transport>" (ext::sh -c ...): never ours.
  if (/^[^/]*::/.test(url)) fail(url, 'transport "::" syntax is not allowed');
  let parsed: ParsedRepoUrl;
  const m = URL_FORM.exec(url);
  if (m) {
    const scheme = m[1]!.toLowerCase() as ParsedRepoUrl['scheme'];
    const authority = m[2]!;
    const at = authority.lastIndexOf('@');
    const userinfo = at >= 0 ? authority.slice(0, at) : '';
    if (scheme !== 'ssh' && userinfo.includes(':')) fail(url, 'credentials in the URL are not allowed');
    const hostPart = authority.slice(at + 1);
    let host: string;
    if (scheme === 'file') {
      if (hostPart !== '' && hostPart.toLowerCase() !== 'localhost') fail(url, 'file URLs must be file:///absolute/path');
      host = 'local';
    } else {
      host = checkHost(url, hostPart);
    }
    parsed = { scheme, host, segments: splitSegments(url, m[3] ?? '') };
  } else {
    const s = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? null : SCP_FORM.exec(url);
    if (!s) fail(url, 'unsupported URL form (allowed: https, http, ssh, file, [user@]host:path)');
    parsed = { scheme: 'ssh', host: checkHost(url, s[1]!), segments: splitSegments(url, s[2]!) };
  }
  const last = parsed.segments.length - 1;
  if (last < 0) fail(url, 'no repository path');
  const repo = parsed.segments[last]!.replace(/\.git$/, '');
  if (repo === '' || repo === '.' || repo === '..') fail(url, 'no repository name');
  parsed.segments[last] = repo;
  return parsed;
}

/**
 * Validates a branch name by `git check-ref-format --branch` rules (and no leading '-', not 'HEAD'),
 * so nothing that could be read as an option or a revision expression ever reaches git.
 */
export function checkBranchName(branch: string): string {
  const why = branchProblem(branch);
  if (why) throw usageError(`branch "${branch.replace(CONTROL, '?')}": ${why}`, 'use a plain branch name such as main or feature/x');
  return branch;
}

function branchProblem(b: string): string | undefined {
  if (b === '') return 'empty branch name';
  if (b.startsWith('-')) return 'starts with "-"';
  if (b === 'HEAD' || b === '@') return `"${b}" is not a branch name`;
  if (CONTROL.test(b)) return 'contains control characters';
  if (/[ ~^:?*[\\]/.test(b)) return 'contains one of: space ~ ^ : ? * [ \\';
  if (b.includes('..')) return 'contains ".."';
  if (b.includes('@{')) return 'contains "@{"';
  if (b.startsWith('/') || b.endsWith('/') || b.includes('//')) return 'has an empty path component';
  if (b.endsWith('.')) return 'ends with "."';
  for (const comp of b.split('/')) {
    if (comp.startsWith('.')) return `component "${comp}" starts with "."`;
    if (comp.endsWith('.lock')) return `component "${comp}" ends with ".lock"`;
  }
  return undefined;
}

/** The checkout directory of `url` at `branch` under `<workDir>/repos`; Usage IcmsError when either is unsafe. */
export function repoDir(workDir: string, url: string, branch: string): string {
  const { host, segments } = parseRepoUrl(url);
  checkBranchName(branch);
  const owners = segments.slice(0, -1).map(encodeComponent);
  const leaf = `${encodeComponent(segments[segments.length - 1]!)}@${encodeComponent(branch)}`;
  const root = path.resolve(workDir, 'repos');
  const dir = path.join(root, encodeComponent(host), ...owners, leaf);
  // Belt and braces: encoding already makes every component inert; this catches any future slip.
  const rel = path.relative(root, path.resolve(dir));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) fail(url, 'resolves outside the work directory');
  return dir;
}
