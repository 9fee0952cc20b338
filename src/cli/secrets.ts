/** Secrets come from environment variables or files, never from flags; each is registered for redaction. */
import { readFileSync, existsSync } from 'node:fs';
import { IcmsError, ExitCode, errorMessage } from '../shared/errors.js';
import { writeFileAtomic } from '../shared/atomic-write.js';
import type { Session } from './session.js';

/**
 * A secret from `file` when it exists (what a refresh writes), else from the environment variable `env`; registered
 * for redaction; undefined when neither has one. `clean` trims what was read (a password keeps its spaces: only the
 * file's final line break is dropped).
 */
export function readSecret(s: Session, where: { file: string | undefined; fileKey: string; env: string; clean: (raw: string) => string }): string | undefined {
  let secret: string | undefined;
  if (where.file && existsSync(where.file)) {
    try {
      secret = where.clean(readFileSync(where.file, 'utf8'));
    } catch (err) {
      throw new IcmsError(`cannot read ${where.fileKey} ${where.file}: ${errorMessage(err)}`, ExitCode.Usage, { hint: 'check its permissions' });
    }
  }
  secret ||= where.clean(s.ctx.env[where.env] ?? '');
  if (secret) s.redactor.add(secret);
  return secret || undefined;
}

const trim = (raw: string): string => raw.trim();

/** The ops API token: the token file when it exists (a refresh writes there), else the named env variable. */
export function readOpsToken(s: Session): string {
  const { tokenFile, tokenEnv } = s.config.inventory.ops;
  const token = readSecret(s, { file: tokenFile, fileKey: 'inventory.ops.token_file', env: tokenEnv, clean: trim });
  if (!token) {
    throw new IcmsError('no ops API token', ExitCode.Usage, {
      hint: `export ${tokenEnv}=<token>, or set inventory.ops.token_file to a file holding it`,
    });
  }
  return token;
}

/** The refresh token of the newer ops platform (bearer refresh): its file when present, else its env variable; undefined when neither. */
export function readOpsRefreshToken(s: Session): string | undefined {
  const { refreshTokenFile, refreshTokenEnv } = s.config.inventory.ops;
  return readSecret(s, { file: refreshTokenFile, fileKey: 'inventory.ops.refresh_token_file', env: refreshTokenEnv, clean: trim });
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
