/** Secrets come from environment variables or files, never from flags; each is registered for redaction. */
import { readFileSync, existsSync } from 'node:fs';
import { IcmsError, ExitCode, errorMessage } from '../shared/errors.js';
import { writeFileAtomic } from '../shared/atomic-write.js';
import type { Session } from './session.js';

/** The ops API token: the token file when it exists (a refresh writes there), else the named env variable. */
export function readOpsToken(s: Session): string {
  const { tokenFile, tokenEnv } = s.config.inventory.ops;
  let token: string | undefined;
  if (tokenFile && existsSync(tokenFile)) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new IcmsError(`cannot read inventory.ops.token_file ${tokenFile}: ${errorMessage(err)}`, ExitCode.Usage, { hint: 'check its permissions' });
    }
  }
  token ||= s.ctx.env[tokenEnv]?.trim();
  if (!token) {
    throw new IcmsError('no ops API token', ExitCode.Usage, {
      hint: `export ${tokenEnv}=<token>, or set inventory.ops.token_file to a file holding it`,
    });
  }
  s.redactor.add(token);
  return token;
}

/** The refresh token of the newer ops platform (bearer refresh): its file when present, else its env variable; undefined when neither. */
export function readOpsRefreshToken(s: Session): string | undefined {
  const { refreshTokenFile, refreshTokenEnv } = s.config.inventory.ops;
  let token: string | undefined;
  if (refreshTokenFile && existsSync(refreshTokenFile)) {
    try {
      token = readFileSync(refreshTokenFile, 'utf8').trim();
    } catch (err) {
      throw new IcmsError(`cannot read inventory.ops.refresh_token_file ${refreshTokenFile}: ${errorMessage(err)}`, ExitCode.Usage, { hint: 'check its permissions' });
    }
  }
  token ||= s.ctx.env[refreshTokenEnv]?.trim();
  if (token) s.redactor.add(token);
  return token || undefined;
}

/** Persists a refreshed ops token to the token file (mode 0600), never to the database. */
export async function saveOpsToken(s: Session, token: string): Promise<void> {
  s.redactor.add(token);
  const file = s.config.inventory.ops.tokenFile;
  if (!file) {
    s.logger.warn('ops token refreshed but inventory.ops.token_file is not set: the new token is used for this run only');
    return;
  }
  await writeFileAtomic(file, `${token}\n`, { mode: 0o600 });
}

/** Registers every configured secret present in the environment, so even stray echoes are masked. */
export function registerKnownSecrets(s: Session): void {
  s.redactor.add(s.ctx.env[s.config.inventory.ops.tokenEnv]);
  s.redactor.add(s.ctx.env[s.config.inventory.ops.refreshTokenEnv]);
  for (const auth of Object.values(s.config.git.auth)) s.redactor.add(s.ctx.env[auth.token_env]);
  for (const src of s.config.advisories.sources) if (src.type === 'nvd' && src.apiKeyEnv) s.redactor.add(s.ctx.env[src.apiKeyEnv]);
}
