/**
 * The ops platform inventory API: `GET url` with a Bearer token, answer
 * `{"err_code": 0, "description": "...", "data": [{repository, branch, developer, email}]}`.
 * On a 401 with a refresh URL configured, the token is refreshed once (POST form `token`) and kept in a file.
 */
import type { Project } from '../model/types.js';
import { IcmsError, ExitCode } from '../shared/errors.js';
import { httpRequest, HttpError } from '../shared/http.js';
import type { Logger } from '../shared/log.js';
import { isEmail } from './normalize.js';
import { parseRepoUrl } from '../model/repo-url.js';

export interface OpsApiOptions {
  url: string;
  token: string;
  refreshUrl?: string | undefined;
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
    if (!(err instanceof HttpError && err.status === 401 && opts.refreshUrl)) throw err;
    opts.logger.info('ops inventory: token rejected (401), refreshing it once');
    token = await refreshToken(opts, token);
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

async function refreshToken(opts: OpsApiOptions, token: string): Promise<string> {
  const res = await httpRequest(opts.refreshUrl!, {
    method: 'POST',
    body: new URLSearchParams({ token }),
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    backoffMs: opts.backoffMs,
    logger: opts.logger,
    what: 'ops token refresh',
  });
  let fresh: unknown;
  try {
    fresh = (JSON.parse(res.text) as { token?: unknown }).token;
  } catch {
    fresh = undefined;
  }
  if (typeof fresh !== 'string' || fresh.trim() === '') {
    throw new IcmsError('ops token refresh: the answer has no "token" string', ExitCode.External, {
      hint: 'check inventory.ops.refresh_url; set a valid token in the token file or environment',
    });
  }
  return fresh.trim();
}

/** Parses the ops API body (pure); a malformed body or non-zero err_code is an External error. */
export function parseOpsResponse(body: string, url: string): { projects: Project[]; warnings: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new IcmsError(`ops inventory: ${url} did not return JSON (first bytes: ${JSON.stringify(body.slice(0, 80))})`, ExitCode.External, {
      hint: 'check inventory.ops.url points at the projects API',
    });
  }
  const o = parsed as { err_code?: unknown; description?: unknown; data?: unknown } | null;
  if (!o || typeof o !== 'object') throw new IcmsError(`ops inventory: ${url}: answer is not an object`, ExitCode.External);
  if (o.err_code !== 0) {
    throw new IcmsError(`ops inventory: ${url} answered err_code ${JSON.stringify(o.err_code)}: ${String(o.description ?? '').slice(0, 200)}`, ExitCode.External, {
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
    const branch = typeof r.branch === 'string' && r.branch.trim() ? r.branch.trim() : 'main';
    const email = typeof r.email === 'string' ? r.email.trim() : '';
    const name = typeof r.developer === 'string' && r.developer.trim() && !/[\r\n]/.test(r.developer) ? r.developer.trim() : email;
    if (repo.hadCredentials) warnings.push(`data[${i}]: ${repo.url}: credentials in the URL were dropped; configure git.auth instead`);
    if (!isEmail(email)) warnings.push(`data[${i}]: ${repo.url}: maintainer email ${JSON.stringify(r.email)} is not valid; kept without it`);
    projects.push({ kind: 'repo', url: repo.url, branch, maintainers: isEmail(email) ? [{ name, email }] : [], labels: {} });
  });
  return { projects, warnings };
}
