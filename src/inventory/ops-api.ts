/**
 * The ops inventory API (../shared/reference/ops-api.md): `GET url` with a Bearer token. Both platform generations
 * are read: `{"err_code": 0, ...}` (until Sept. 2023) and `{"code": 0, "description", "data"}` (since); rows
 * `{repository, branch, developer, email}`. An expired token (403 on the older platform, 401 on the newer) is
 * refreshed once when a refresh URL is configured (`ops-token.ts`) and kept by the caller.
 */
import type { Project } from '../model/types.js';
import { IcmsError, ExitCode } from '../shared/errors.js';
import { httpRequest, HttpError } from '../shared/http.js';
import type { Logger } from '../shared/log.js';
import { isEmail } from './normalize.js';
import { parseRepoUrl } from '../model/repo-url.js';
import { refreshOpsToken, refreshStyleOf, type RefreshStyle } from './ops-token.js';

export interface OpsApiOptions {
  url: string;
  token: string;
  refreshUrl?: string | undefined;
  /** How to refresh (default auto: bearer when `refreshToken` is set, else form). */
  refreshStyle?: RefreshStyle | undefined;
  /** The simplejwt refresh token of the newer platform. */
  refreshToken?: string | undefined;
  /** Called with a refreshed token so the caller can persist it (a file, mode 0600) and redact it. */
  onTokenRefreshed?: (token: string) => Promise<void>;
  timeoutMs: number;
  retries: number;
  logger: Logger;
  backoffMs?: number;
}

/** Fetches the inventory from the ops API; entries that cannot be used are returned as warnings. */
export async function fetchOpsInventory(opts: OpsApiOptions): Promise<{ projects: Project[]; warnings: string[] }> {
  let token = opts.token;
  let body: string;
  try {
    body = (await get(opts, token)).text;
  } catch (err) {
    if (!(err instanceof HttpError && (err.status === 401 || err.status === 403) && opts.refreshUrl)) throw err;
    const style = refreshStyleOf({ style: opts.refreshStyle ?? 'auto', refreshToken: opts.refreshToken });
    opts.logger.info(`ops inventory: token rejected (${err.status}: expired or invalid), refreshing it once (${style} style)`);
    token = await refreshOpsToken({ ...opts, refreshUrl: opts.refreshUrl, style }, token);
    await opts.onTokenRefreshed?.(token);
    body = (await get(opts, token)).text;
  }
  return parseOpsResponse(body, opts.url);
}

/** ~200k inventory rows; a bigger answer is a broken endpoint, refused before it is parsed in memory. */
const OPS_MAX_BYTES = 32 * 1024 * 1024;

function get(opts: OpsApiOptions, token: string) {
  return httpRequest(opts.url, {
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    maxBytes: OPS_MAX_BYTES,
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    backoffMs: opts.backoffMs,
    logger: opts.logger,
    what: 'ops inventory',
  });
}

/**
 * Parses the ops API body (pure). The status is `err_code` (older platform) or `code` (newer); either may be absent,
 * which is success when `data` is a list. A malformed body or a non-zero status is an External error.
 * Rows without a branch come back with branch '' (`default-branch.ts` resolves them after the allowlist).
 */
export function parseOpsResponse(body: string, url: string): { projects: Project[]; warnings: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new IcmsError(`ops inventory: ${url} did not return JSON (first bytes: ${JSON.stringify(body.slice(0, 80))})`, ExitCode.External, {
      hint: 'check inventory.ops.url points at the projects API',
    });
  }
  const o = parsed as { err_code?: unknown; code?: unknown; description?: unknown; data?: unknown } | null;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new IcmsError(`ops inventory: ${url}: answer is not an object`, ExitCode.External);
  for (const key of ['err_code', 'code'] as const) {
    if (o[key] === undefined || o[key] === 0) continue;
    throw new IcmsError(`ops inventory: ${url} answered ${key} ${JSON.stringify(o[key])}: ${String(o.description ?? '').slice(0, 200)}`, ExitCode.External, {
      hint: 'the ops platform reported an error; the previous inventory is kept',
    });
  }
  if (!Array.isArray(o.data)) throw new IcmsError(`ops inventory: ${url}: "data" is not a list`, ExitCode.External);
  const projects: Project[] = [];
  const warnings: string[] = [];
  o.data.forEach((row: unknown, i: number) => {
    const r = row as Record<string, unknown> | null;
    const repo = typeof r?.repository === 'string' ? parseRepoUrl(r.repository) : undefined;
    if (!r || !repo) {
      warnings.push(`data[${i}]: repository ${JSON.stringify(r?.repository)} is not a repository URL; skipped`);
      return;
    }
    const branch = typeof r.branch === 'string' ? r.branch.trim() : '';
    const email = typeof r.email === 'string' ? r.email.trim() : '';
    const name = typeof r.developer === 'string' && r.developer.trim() && !/[\r\n]/.test(r.developer) ? r.developer.trim() : email;
    if (repo.hadCredentials) warnings.push(`data[${i}]: ${repo.url}: credentials in the URL were dropped; configure git.auth instead`);
    if (!isEmail(email)) warnings.push(`data[${i}]: ${repo.url}: maintainer email ${JSON.stringify(r.email)} is not valid; kept without it`);
    projects.push({ kind: 'repo', url: repo.url, branch, maintainers: isEmail(email) ? [{ name, email }] : [], labels: {} });
  });
  return { projects, warnings };
}
