/** Repository URL normalisation and project display names (shared by inventory, db and gitsync). */
import type { Project } from './types.js';

export interface RepoUrlParts {
  /** Normalised URL: scheme and host lower-cased, userinfo, trailing `/` and `.git` removed. */
  url: string;
  host: string;
  /** Path segments after the host, e.g. ['org', 'repo']. */
  segments: string[];
  /** True when the input carried credentials (they are dropped, never stored). */
  hadCredentials: boolean;
}

const SCP_LIKE = /^([A-Za-z0-9._-]+@)?([A-Za-z0-9.-]+):(?!\/\/)(.+)$/;

/** Parses and normalises a repository URL; returns undefined when it is not a URL icms can clone. */
export function parseRepoUrl(input: string): RepoUrlParts | undefined {
  const raw = input.trim();
  if (raw === '' || /[\s\0]/.test(raw) || raw.startsWith('-')) return undefined;
  const scp = SCP_LIKE.exec(raw);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    const host = scp[2]!.toLowerCase();
    const segments = trimPath(scp[3]!);
    // scp-like syntax needs user@ or a dotted host, and owner/repo: `javascript:alert(1)` is not a repository
    if (segments.length < 2 || (!scp[1] && !host.includes('.'))) return undefined;
    return { url: `${scp[1] ?? ''}${host}:${segments.join('/')}`, host, segments, hadCredentials: false };
  }
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return undefined;
  }
  if (!['https:', 'http:', 'ssh:', 'git:', 'file:'].includes(u.protocol)) return undefined;
  const hadCredentials = u.password !== '' || (u.username !== '' && u.protocol.startsWith('http'));
  const segments = trimPath(decodeURIComponent(u.pathname));
  if (segments.length === 0) return undefined;
  const host = u.host.toLowerCase();
  const keepUser = u.protocol === 'ssh:' && u.username ? `${u.username}@` : '';
  const url = `${u.protocol}//${keepUser}${host}/${segments.join('/')}`;
  return { url, host: u.protocol === 'file:' ? 'local' : u.hostname.toLowerCase(), segments, hadCredentials };
}

function trimPath(p: string): string[] {
  const segments = p.split('/').filter((s) => s !== '');
  const last = segments.length - 1;
  if (last >= 0 && segments[last]!.toLowerCase().endsWith('.git')) segments[last] = segments[last]!.slice(0, -4);
  if (last >= 0 && segments[last] === '') segments.pop();
  return segments;
}

/** Human name of a project: host/owner/repo@branch. */
export function projectName(p: Pick<Project, 'url' | 'branch' | 'kind'>): string {
  if (p.kind !== 'repo') return p.url;
  const parts = parseRepoUrl(p.url);
  // a file:// repository is named by its folder: the full path says nothing a person needs in a table
  const base = !parts ? p.url : parts.host === 'local' ? `local/${parts.segments.at(-1)}` : `${parts.host}/${parts.segments.join('/')}`;
  return p.branch ? `${base}@${p.branch}` : base;
}


/**
 * One key per repository whatever form its URL takes: `https://github.com/org/repo(.git)`, scp-style
 * `git@github.com:org/repo.git` and `ssh://git@github.com(:22)/org/repo` are all `github.com/org/repo`
 * (host lower-cased, user and port dropped, path as written). A `file://` repository is keyed by its full path.
 */
export function repoIdentity(url: string): string | undefined {
  const parts = parseRepoUrl(url);
  if (!parts) return undefined;
  if (parts.host === 'local') return `local:/${parts.segments.join('/')}`;
  return `${parts.host.replace(/:\d+$/, '')}/${parts.segments.join('/')}`;
}

/**
 * Names to try, in order, until one is not taken: the usual name, then (for `file://` repositories, whose names
 * use only the last folder) names with one more parent folder each, then the usual name with ` #2`, ` #3`, ….
 */
export function* projectNameCandidates(p: Pick<Project, 'url' | 'branch' | 'kind'>, usual = projectName(p)): Generator<string> {
  yield usual;
  const parts = p.kind === 'repo' ? parseRepoUrl(p.url) : undefined;
  if (parts?.host === 'local') {
    for (let n = 2; n <= parts.segments.length; n++) yield `local/${parts.segments.slice(-n).join('/')}${p.branch ? `@${p.branch}` : ''}`;
  }
  for (let i = 2; ; i++) yield `${usual} #${i}`;
}
