/**
 * Refreshing the ops platform token, in either generation's style (../shared/reference/ops-api.md):
 * - `form` (until Sept. 2023): `POST refresh_url` with form field `token=<old>`, answered `{"token": "<new>"}`;
 * - `bearer` (simplejwt, since Sept. 2023): `POST refresh_url` with the current access token as Bearer and JSON
 *   `{"refresh": "<refresh token>"}`, answered `{"code": 0, "data": {"access": "<new>"}}`.
 * Either answer shape is accepted whatever style asked, so a platform upgrade does not break the refresh.
 */
import { IcmsError, ExitCode } from '../shared/errors.js';
import { httpRequest } from '../shared/http.js';
import type { Logger } from '../shared/log.js';

/** How to refresh: by config, or `auto` (bearer when a refresh token is configured, else form). */
export type RefreshStyle = 'auto' | 'form' | 'bearer';

/** What a refresh needs. */
export interface RefreshOptions {
  refreshUrl: string;
  style: RefreshStyle;
  /** The simplejwt refresh token (bearer style). */
  refreshToken?: string | undefined;
  timeoutMs: number;
  retries: number;
  backoffMs?: number | undefined;
  logger: Logger;
}

/** The style `auto` resolves to. */
export function refreshStyleOf(opts: Pick<RefreshOptions, 'style' | 'refreshToken'>): 'form' | 'bearer' {
  if (opts.style !== 'auto') return opts.style;
  return opts.refreshToken ? 'bearer' : 'form';
}

/** Exchanges `token` for a new access token; a refusal or an answer without one is an External error. */
export async function refreshOpsToken(opts: RefreshOptions, token: string): Promise<string> {
  const style = refreshStyleOf(opts);
  if (style === 'bearer' && !opts.refreshToken) {
    throw new IcmsError('ops token refresh: refresh_style is bearer but no refresh token is configured', ExitCode.Usage, {
      hint: 'set inventory.ops.refresh_token_file or the variable named by inventory.ops.refresh_token_env',
    });
  }
  const res = await httpRequest(opts.refreshUrl, {
    method: 'POST',
    ...(style === 'form'
      ? { body: new URLSearchParams({ token }) }
      : { body: JSON.stringify({ refresh: opts.refreshToken }), headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' } }),
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    backoffMs: opts.backoffMs,
    logger: opts.logger,
    what: `ops token refresh (${style})`,
  });
  const fresh = tokenIn(res.text);
  if (fresh === undefined) {
    throw new IcmsError(`ops token refresh (${style}): the answer has neither "token" nor "data.access" (or reports an error code)`, ExitCode.External, {
      hint: 'check inventory.ops.refresh_url and refresh_style; set a valid token in the token file or environment',
    });
  }
  return fresh;
}

/** `{"token"}` (form) or `{"code": 0, "data": {"access"}}` (bearer); undefined when neither or a non-zero code. */
function tokenIn(text: string): string | undefined {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null) return undefined;
  const r = o as { token?: unknown; code?: unknown; err_code?: unknown; data?: unknown };
  if ((r.code !== undefined && r.code !== 0) || (r.err_code !== undefined && r.err_code !== 0)) return undefined;
  const data = typeof r.data === 'object' && r.data !== null ? (r.data as { access?: unknown }) : undefined;
  const fresh = typeof r.token === 'string' ? r.token : data?.access;
  return typeof fresh === 'string' && fresh.trim() !== '' ? fresh.trim() : undefined;
}
