/**
 * The environment every git child process of icms runs with: never prompts, never touches the
 * operator's credential store, English messages we can classify, and the auth header handed over
 * through GIT_CONFIG_* variables (per process, not in argv where `ps` shows it, never on disk).
 */

/**
 * The only inherited variables git gets: what it and its transports (curl, ssh) need to find programs, the home
 * directory (ssh keys, known_hosts), the ssh agent, proxies and CA bundles. Everything else — the ops token, the
 * SMTP password, every host's token variable — stays out of git's environment (and of its hooks, helpers, ssh).
 */
const KEPT = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'TMPDIR', 'TZ', 'XDG_CONFIG_HOME', 'SSH_AUTH_SOCK',
  'http_proxy', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'CURL_CA_BUNDLE',
  'SYSTEMROOT', 'USERPROFILE', 'APPDATA', 'PATHEXT', 'COMSPEC',
]);

export interface GitEnvOptions {
  /** `Authorization: ...` header line for every HTTP request of this process. */
  authHeader?: string | undefined;
  /** No repository discovery at or above this directory. */
  ceiling: string;
  /** The per-command limit; transports give up on a stalled connection within it. */
  timeoutMs: number;
}

/**
 * Child env for git from the caller's `env`:
 * 1. keep only the inherited variables in KEPT: no secret, no GIT_* (GIT_DIR from a hook, GIT_TRACE_CURL,
 *    GIT_CONFIG_* ...), no editor/pager/askpass, no locale;
 * 2. no prompts: GIT_TERMINAL_PROMPT=0, GIT_ASKPASS=false (beats core.askPass and SSH_ASKPASS), GCM never
 *    interactive, ssh in BatchMode (the operator's GIT_SSH_COMMAND is kept, BatchMode appended);
 * 3. credential helpers reset so a 401 neither asks nor erases the operator's stored credentials;
 * 4. only the transports icms accepts; no repository discovery above `ceiling`; LC_ALL=C for stderr matching;
 * 5. stalled transfers end by themselves: killing git on timeout leaves its transport helper
 *    (git-remote-http, ssh) running, so curl's low-speed limit and ssh's timeouts bound them too.
 */
export function gitEnv(env: Record<string, string | undefined>, opts: GitEnvOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && KEPT.has(k)) out[k] = v;
  const ssh = env.GIT_SSH_COMMAND?.trim() || 'ssh';
  const seconds = String(Math.max(1, Math.ceil(opts.timeoutMs / 1000)));
  Object.assign(out, {
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'false',
    GCM_INTERACTIVE: 'never',
    GIT_SSH_COMMAND: `${ssh} -o BatchMode=yes -o ConnectTimeout=${seconds} -o ServerAliveInterval=15 -o ServerAliveCountMax=4`,
    GIT_HTTP_LOW_SPEED_LIMIT: '1',
    GIT_HTTP_LOW_SPEED_TIME: seconds,
    GIT_ALLOW_PROTOCOL: 'https:http:ssh:file',
    // Lockfiles are never LFS objects; a globally installed git-lfs would otherwise download every blob.
    GIT_LFS_SKIP_SMUDGE: '1',
    // A missing .git in a checkout dir must never make git walk up into an enclosing repository.
    GIT_CEILING_DIRECTORIES: opts.ceiling,
  });
  const config: [string, string][] = [['credential.helper', '']];
  if (opts.authHeader !== undefined) config.push(['http.extraHeader', opts.authHeader]);
  out.GIT_CONFIG_COUNT = String(config.length);
  config.forEach(([key, value], i) => {
    out[`GIT_CONFIG_KEY_${i}`] = key;
    out[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return out;
}

/** The simple-git `unsafe` switches for exactly the variables `gitEnv` sets itself. */
export const GIT_ENV_UNSAFE_FLAGS = {
  allowUnsafeAskPass: true,
  allowUnsafeSshCommand: true,
  allowUnsafeConfigEnvCount: true,
  allowUnsafeCredentialHelper: true,
} as const;
