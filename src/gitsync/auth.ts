/**
 * Per-host HTTP tokens for private repositories (`git.auth` in the config). The token itself is read
 * from an environment variable named in the config, never from the config file or a flag.
 */
import { usageError } from '../shared/errors.js';

/** How to authenticate against one host. */
export interface HostAuth {
  /** Name of the environment variable holding the token. */
  token_env: string;
  /** `basic` (default): `Basic base64(username:token)`, accepted by GitHub and Gitee for HTTPS git. */
  scheme?: 'bearer' | 'basic';
  /** Basic-auth user name; GitHub ignores it but needs one, `x-access-token` by convention. */
  username?: string;
}

/** `git.auth`: host (as in the URL, e.g. `github.com` or `git.corp:8443`) -> how to authenticate. */
export type GitAuthConfig = Record<string, HostAuth>;

const DEFAULT_USERNAME = 'x-access-token';

/** Validates the raw `git.auth` config value; Usage IcmsError naming the bad key. */
export function parseGitAuthConfig(raw: unknown, where = 'git.auth'): GitAuthConfig {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw usageError(`${where} must be a map of host -> { token_env }`);
  const out: GitAuthConfig = {};
  for (const [host, value] of Object.entries(raw as Record<string, unknown>)) {
    const at = `${where}.${host}`;
    if (!/^[a-z0-9.-]+(?::\d+)?$/i.test(host)) throw usageError(`${at}: "${host}" is not a host name`);
    if (typeof value !== 'object' || value === null) throw usageError(`${at} must be { token_env: NAME }`);
    const v = value as Record<string, unknown>;
    if (typeof v.token_env !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v.token_env)) {
      throw usageError(`${at}.token_env must name an environment variable`, 'secrets come from the environment, never from the config file: token_env: GITHUB_TOKEN');
    }
    const extra = Object.keys(v).find((k) => !['token_env', 'scheme', 'username'].includes(k));
    if (extra !== undefined) throw usageError(`${at}: unknown key "${extra}"`, 'allowed: token_env, scheme (basic|bearer), username');
    if (v.scheme !== undefined && v.scheme !== 'basic' && v.scheme !== 'bearer') {
      throw usageError(`${at}.scheme must be "basic" or "bearer", got "${String(v.scheme)}"`);
    }
    if (v.username !== undefined && (typeof v.username !== 'string' || v.username === '' || /[:\s]/.test(v.username))) {
      throw usageError(`${at}.username must be a non-empty name without ":" or spaces`);
    }
    const entry: HostAuth = { token_env: v.token_env };
    if (v.scheme !== undefined) entry.scheme = v.scheme;
    if (v.username !== undefined) entry.username = v.username as string;
    out[host.toLowerCase()] = entry;
  }
  return out;
}

function configFor(url: URL, config: GitAuthConfig): [string, HostAuth] | undefined {
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  for (const [key, auth] of Object.entries(config)) {
    const k = key.toLowerCase();
    if (k === host || (!k.includes(':') && k === hostname)) return [key, auth];
  }
  return undefined;
}

/**
 * The `Authorization: ...` header line git should send for `url`, or undefined when the URL is not
 * http(s) or its host has no `git.auth` entry. Throws a Usage IcmsError when the entry's variable is unset,
 * since a silent anonymous clone of a private repository would only fail later with a vaguer message.
 */
export function authHeaderFor(url: string, config: GitAuthConfig, env: Record<string, string | undefined>): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // scp-like ssh syntax and the like: ssh authenticates with keys
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  const found = configFor(parsed, config);
  if (!found) return undefined;
  const [host, auth] = found;
  const token = env[auth.token_env];
  if (!token) {
    throw usageError(`git.auth.${host}: environment variable ${auth.token_env} is not set`, `export ${auth.token_env}=<token>`);
  }
  if (/[\r\n]/.test(token)) throw usageError(`git.auth.${host}: ${auth.token_env} contains a line break`);
  if ((auth.scheme ?? 'basic') === 'bearer') return `Authorization: Bearer ${token}`;
  const basic = Buffer.from(`${auth.username ?? DEFAULT_USERNAME}:${token}`).toString('base64');
  return `Authorization: Basic ${basic}`;
}

/**
 * Registry credentials for an image reference, from the `git.auth` entry of its registry host (one place for
 * per-host tokens): trivy reads them from TRIVY_USERNAME / TRIVY_PASSWORD. Undefined for Docker Hub-style refs
 * without a host and for hosts without an entry; a Usage IcmsError when the entry's variable is unset.
 */
export function registryAuthFor(ref: string, config: GitAuthConfig, env: Record<string, string | undefined>): { username: string; password: string } | undefined {
  const first = ref.split('/')[0] ?? '';
  // a registry host has a dot or a port, or is localhost (https://github.com/distribution/reference)
  if (!ref.includes('/') || !(/[.:]/.test(first) || first === 'localhost')) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(`https://${first}`);
  } catch {
    return undefined;
  }
  const found = configFor(parsed, config);
  if (!found) return undefined;
  const [host, auth] = found;
  const token = env[auth.token_env];
  if (!token) throw usageError(`git.auth.${host}: environment variable ${auth.token_env} is not set (needed to pull ${ref})`, `export ${auth.token_env}=<token>`);
  return { username: auth.username ?? DEFAULT_USERNAME, password: token };
}
