/** Turning git's stderr into a clear, redacted per-project IcmsError. */
import { externalError, type IcmsError } from '../shared/errors.js';
import { redactPatterns } from '../shared/redact.js';

const MASK = '***';
const TAIL_LINES = 6;

/** Masks the auth header (and its credential, raw and decoded) plus URL/header credential shapes. */
export function redactGitText(text: string, authHeader?: string): string {
  let out = text;
  for (const secret of secretsOf(authHeader)) {
    if (secret.length >= 4) out = out.split(secret).join(MASK);
  }
  return redactPatterns(out);
}

function secretsOf(header: string | undefined): string[] {
  if (!header) return [];
  const value = header.replace(/^authorization:\s*/i, '');
  const credential = value.replace(/^\S+\s+/, '');
  const secrets = [header, value, credential];
  if (/^basic\s/i.test(value)) {
    const decoded = Buffer.from(credential, 'base64').toString('utf8');
    secrets.push(decoded, decoded.slice(decoded.indexOf(':') + 1));
  }
  return secrets.sort((a, b) => b.length - a.length);
}

/** What went wrong, by git's (LC_ALL=C) stderr; first match wins. */
const KINDS: { re: RegExp; what: (ctx: GitErrorContext) => string; hint?: string }[] = [
  {
    re: /Remote branch .* not found|couldn't find remote ref/i,
    what: (c) => `branch "${c.branch}" not found on ${c.url}`,
    hint: 'fix the branch in the inventory, or remove the project',
  },
  {
    re: /Authentication failed|could not read (Username|Password)|terminal prompts disabled|HTTP (401|403)|returned error: 40[13]|Permission denied \(publickey|Access denied/i,
    what: (c) => `authentication failed for ${c.url}`,
    hint: 'set a token for this host in git.auth (token_env) or check the ssh key; the token needs read access',
  },
  {
    re: /Host key verification failed/i,
    what: (c) => `ssh host key of ${c.url} is not trusted`,
    hint: 'add the host key to ~/.ssh/known_hosts of the icms user (ssh-keyscan)',
  },
  {
    re: /Repository not found|does not appear to be a git repository|returned error: 404|HTTP 404|not found$/im,
    what: (c) => `repository ${c.url} not found (deleted, renamed or no access)`,
    hint: 'check the URL in the inventory; private repositories also answer "not found" without a token',
  },
  {
    re: /Could not resolve host|Connection refused|Failed to connect|Connection timed out|Network is unreachable|Could not read from remote/i,
    what: (c) => `cannot reach ${c.url}`,
    hint: 'check the network, proxy settings (https_proxy) and the host name',
  },
];

export interface GitErrorContext {
  url: string;
  branch: string;
  /** git subcommand that failed, e.g. "clone". */
  command: string;
  timeoutMs: number;
  authHeader?: string | undefined;
}

/** The IcmsError (External) for a failed git command: what failed, where, git's stderr tail, all redacted. */
export function gitFailure(ctx: GitErrorContext, stderr: string, isTimeout: boolean): IcmsError {
  const url = redactGitText(ctx.url, ctx.authHeader);
  const safe = { ...ctx, url };
  const tail = redactGitText(stderrTail(stderr), ctx.authHeader);
  if (isTimeout) {
    return externalError(`git ${ctx.command} of ${url} timed out after ${ctx.timeoutMs / 1000}s`, {
      hint: 'the remote did not answer in time; raise the git timeout or check the host',
    });
  }
  const kind = KINDS.find((k) => k.re.test(stderr));
  const what = kind ? kind.what(safe) : `git ${ctx.command} failed for ${url}`;
  return externalError(tail ? `${what}: ${tail}` : what, kind?.hint ? { hint: kind.hint } : {});
}

/** The last few non-empty lines of stderr, joined on one line. */
export function stderrTail(stderr: string): string {
  return stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    // The askpass line is our own doing (GIT_ASKPASS=false), not news to the operator.
    .filter((l) => l !== '' && !/^(hint|remote): *$/.test(l) && !/unable to read askpass response/.test(l))
    .slice(-TAIL_LINES)
    .join(' | ');
}

/** A branch that is missing from the remote's ref list (seen by ls-remote, before any checkout is touched). */
export function branchNotFound(ctx: GitErrorContext): IcmsError {
  return externalError(`branch "${ctx.branch}" not found on ${redactGitText(ctx.url, ctx.authHeader)}`, {
    hint: 'fix the branch in the inventory, or remove the project',
  });
}
