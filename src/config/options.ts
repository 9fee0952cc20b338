/**
 * Every configuration option, declared once: file key, environment variable, default, type and help.
 * README's configuration reference is generated from this table (`icms config keys --markdown`).
 */

export type OptionType = 'string' | 'path' | 'int' | 'bool' | 'enum' | 'list' | 'object' | 'secret-ref';

export interface OptionSpec {
  /** Dotted key in the YAML file, e.g. 'inventory.ops.url'. */
  key: string;
  type: OptionType;
  /** Allowed values for enums. */
  values?: readonly string[];
  default?: unknown;
  /** ICMS_* variable; derived from the key when omitted, `null` for none. */
  env?: string | null;
  /** Bounds for ints. */
  min?: number;
  max?: number;
  description: string;
}

/** Options whose value is a structured object (validated by their stage's own checker). */
export const OPTIONS: readonly OptionSpec[] = [
  { key: 'db', type: 'path', default: './icms.db', description: 'SQLite database file (created 0600).' },
  { key: 'work_dir', type: 'path', default: './.icms', description: 'Working directory: clones, trivy cache, temp files (created 0700).' },
  { key: 'log_level', type: 'enum', values: ['debug', 'info', 'warn', 'error'], default: 'info', description: 'Least level logged to stderr (`--verbose` = debug, `--quiet` = warn).' },
  { key: 'log_file', type: 'path', description: 'Also append plain timestamped log lines to this file.' },

  { key: 'inventory.source', type: 'enum', values: ['ops', 'file'], default: 'file', description: 'Where `fetch-projects` reads the inventory: the ops platform API or a YAML file.' },
  { key: 'inventory.file', type: 'path', default: './inventory.yaml', description: 'Inventory YAML file (when `inventory.source: file`).' },
  { key: 'inventory.ops.url', type: 'string', description: 'Ops platform endpoint returning `{err_code | code, description, data: [{repository, branch, developer, email}]}` (both platform generations).' },
  { key: 'inventory.ops.token_env', type: 'string', default: 'ICMS_OPS_TOKEN', env: null, description: 'Name of the environment variable holding the ops Bearer token.' },
  { key: 'inventory.ops.token_file', type: 'path', description: 'File holding the ops token (read first when present; a refreshed token is written here, mode 0600).' },
  { key: 'inventory.ops.refresh_url', type: 'string', description: 'Token refresh endpoint, POSTed once when the API answers 401 or 403 (expired token); see `refresh_style`.' },
  { key: 'inventory.ops.refresh_style', type: 'enum', values: ['auto', 'form', 'bearer'], default: 'auto', description: '`form`: form field `token` -> `{"token"}` (platform before Sept. 2023); `bearer`: current token as Bearer + `{"refresh"}` -> `{code, data: {access}}` (newer); `auto`: bearer when a refresh token is configured, else form.' },
  { key: 'inventory.ops.refresh_token_env', type: 'string', default: 'ICMS_OPS_REFRESH_TOKEN', env: null, description: 'Name of the environment variable holding the refresh token of the newer platform (bearer style).' },
  { key: 'inventory.ops.refresh_token_file', type: 'path', description: 'File holding the refresh token of the newer platform (read first when present).' },
  { key: 'inventory.ops.timeout_ms', type: 'int', default: 30000, min: 100, description: 'Request timeout for the ops API.' },
  { key: 'inventory.ops.retries', type: 'int', default: 3, min: 0, max: 10, description: 'Retries (with backoff) on 5xx answers and timeouts.' },
  { key: 'inventory.allow.domains', type: 'list', default: [], description: 'Only repositories on these hosts are kept (empty = any host).' },
  { key: 'inventory.allow.local', type: 'bool', default: false, description: 'Let the ops API name local repositories (`file://` URLs); refused otherwise (a YAML inventory file always may).' },
  { key: 'inventory.allow.organizations', type: 'list', default: [], description: 'Only repositories of these owners/organisations are kept (empty = any).' },

  { key: 'trivy.path', type: 'path', env: 'ICMS_TRIVY', description: 'trivy binary; else `trivy` on PATH, else the bundled one.' },
  { key: 'trivy.timeout_ms', type: 'int', default: 600000, min: 1000, description: 'Timeout of one trivy run.' },
  { key: 'trivy.max_report_mb', type: 'int', default: 1024, min: 1, max: 65536, description: 'Largest trivy report read (MB); a bigger one fails its project with a message. Reports are read as a stream (memory stays near 250 MB whatever their size), so this only bounds time and database: about 0.1 s of CPU and 0.75 MB of database per MB of report (the largest real report seen is under 1 MB).' },
  { key: 'trivy.extra_args', type: 'list', default: [], env: null, description: 'Extra arguments appended to every trivy command.' },

  { key: 'git.timeout_ms', type: 'int', default: 300000, min: 1000, description: 'Timeout of one git command.' },
  { key: 'git.auth', type: 'object', default: {}, env: null, description: 'Per-host tokens: `{github.com: {token_env: GITHUB_TOKEN}}`; sent as an HTTP header per command, never stored.' },

  { key: 'scan.concurrency', type: 'int', default: 4, min: 1, max: 64, description: 'Projects scanned at once.' },

  { key: 'advisories.sources', type: 'object', default: [], env: null, description: 'Advisory sources: a list of `{name, type: osv|vtopia|nvd|kev|epss, path|url, ...}` (see "Advisory sources").' },
  { key: 'advisories.severity_order', type: 'list', default: ['own', 'ghsa', 'nvd-primary', 'nvd-secondary', 'other'], description: 'Whose rating a finding takes, first rated wins: `own` (the matching advisory), `ghsa`, `nvd-primary`, `nvd-secondary`, `vtopia`, `osv`, `other`, or a source name (see "Severity: which rating wins").' },
  { key: 'triage.register', type: 'path', description: 'Accepted-CVE register (YAML) kept under review; `triage import/export` read and write it.' },
  { key: 'triage.severity_source', type: 'enum', values: ['base', 'environmental'], default: 'base', description: 'Severity basis of gates, the security alert, digests and the report\'s order: the advisory base rating or the environmental re-score.' },
  { key: 'triage.unknown_severity', type: 'enum', values: ['unknown', 'low', 'medium', 'high', 'critical'], default: 'high', description: 'How a finding no source rates counts in `--fail-on` gates and the security alert (`unknown`: below low, as before).' },
  { key: 'triage.default_profile', type: 'string', default: 'internal', description: 'Environmental CVSS profile for projects without an `exposure` label matching a profile.' },
  { key: 'triage.profiles', type: 'object', default: {}, env: null, description: 'Environmental CVSS profiles by name: `{internal: {MAV: A, CR: H, IR: M, AR: L}}` (merged over the built-in `internal` and `internet`).' },

  { key: 'notify.transport', type: 'enum', values: ['smtp', 'outbox'], default: 'outbox', description: 'How mail leaves: SMTP, or `.eml` files written to `notify.outbox_dir` (for trying icms out).' },
  { key: 'notify.outbox_dir', type: 'path', default: './outbox', description: 'Directory for `.eml` files (transport outbox and `--dry-run`).' },
  { key: 'notify.schedule', type: 'enum', values: ['daily', 'on-change'], default: 'daily', description: 'One digest per maintainer per day, or only when something changed for them.' },
  { key: 'notify.template', type: 'path', description: 'Digest template file (default: the shipped one).' },
  { key: 'notify.from', type: 'string', default: 'icms <icms@localhost>', description: 'From address of every message.' },
  { key: 'notify.reply_to', type: 'string', description: 'Reply-To address.' },
  { key: 'notify.security_team', type: 'list', default: [], description: 'Addresses alerted about findings new in a run at or above `notify.alert_severity`.' },
  { key: 'notify.alert_severity', type: 'enum', values: ['low', 'medium', 'high', 'critical'], default: 'high', description: 'Least severity of the security-team alert.' },
  { key: 'notify.send_empty', type: 'bool', default: false, description: 'Also mail maintainers who have nothing open.' },
  { key: 'notify.digest_max_items', type: 'int', default: 25, min: 1, max: 10000, description: 'Packages (one upgrade each) a digest lists; the rest is summed up as "and N more packages" with a link to the dashboard view (or the `report` command).' },
  { key: 'notify.alert_max_items', type: 'int', default: 100, min: 1, max: 100000, description: 'Findings the security-team alert lists, most urgent first; the rest is counted as "and N more" with a pointer to the dashboard (or `icms report --status new`).' },
  { key: 'notify.dashboard_url', type: 'string', description: 'Where the team publishes `icms report --format html` (http(s), or file:/// for one on disk): digests link to `<url>#maintainer=<email>`, the view of the recipient\'s projects.' },
  { key: 'notify.links', type: 'object', default: {}, env: null, description: 'Advisory link prefix per source name, e.g. `{osv: https://osv.dev/vulnerability/}`.' },
  { key: 'smtp.host', type: 'string', description: 'SMTP server host.' },
  { key: 'smtp.port', type: 'int', default: 587, min: 1, max: 65535, description: 'SMTP port (465 implicit TLS, 587 STARTTLS).' },
  { key: 'smtp.secure', type: 'bool', default: false, description: 'Implicit TLS from the first byte (port 465); otherwise STARTTLS when offered.' },
  { key: 'smtp.require_tls', type: 'bool', default: true, description: 'Refuse to send without STARTTLS (when `smtp.secure` is false).' },
  { key: 'smtp.user', type: 'string', description: 'SMTP AUTH user.' },
  { key: 'smtp.password_env', type: 'string', default: 'ICMS_SMTP_PASSWORD', env: null, description: 'Environment variable holding the SMTP password.' },
  { key: 'smtp.password_file', type: 'path', description: 'File holding the SMTP password (read when present).' },
  { key: 'smtp.ca_file', type: 'path', description: 'CA certificate (PEM) to trust for an internal SMTP server.' },
  { key: 'smtp.pool', type: 'bool', default: true, description: 'Reuse SMTP connections.' },
  { key: 'smtp.rate_limit', type: 'int', default: 10, min: 1, description: 'Messages per second at most.' },
  { key: 'smtp.timeout_ms', type: 'int', default: 30000, min: 100, description: 'SMTP connection and greeting timeout.' },

  { key: 'report.trend_days', type: 'int', default: 30, min: 1, max: 3650, description: 'Days of history in the dashboard trend chart.' },
  { key: 'report.archive_dir', type: 'path', description: 'Where `report --archive` (and `run --all`) writes dated JSON snapshots.' },
  { key: 'report.archive_retention_days', type: 'int', default: 400, min: 1, description: 'Archives older than this are deleted.' },
  { key: 'report.html_output', type: 'path', description: 'Dashboard file written by `run --all` (e.g. /var/www/icms/index.html).' },

  { key: 'run.lock_timeout_ms', type: 'int', default: 21600000, min: 1000, description: 'A run lock older than this is stale and taken over.' },
];

/** The ICMS_* variable of an option, or undefined when it has none. */
export function envNameOf(spec: OptionSpec): string | undefined {
  if (spec.env === null) return undefined;
  return spec.env ?? `ICMS_${spec.key.replace(/\./g, '_').toUpperCase()}`;
}

/** Looks an option up by its dotted key. */
export function optionSpec(key: string): OptionSpec | undefined {
  return OPTIONS.find((o) => o.key === key);
}
