/** The typed, frozen configuration object passed down to stages. */
import path from 'node:path';
import { IcmsError, ExitCode } from '../shared/errors.js';
import { parseAdvisorySources, type AdvisorySourceConfig } from '../advisories/config.js';
import { SEVERITY_ORDER_KINDS } from '../matcher/rating.js';
import { parseGitAuthConfig, type GitAuthConfig } from '../gitsync/auth.js';

export type { AdvisorySourceConfig } from '../advisories/config.js';



export interface Config {
  db: string;
  workDir: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  logFile: string | undefined;
  inventory: {
    source: 'ops' | 'file';
    file: string;
    ops: {
      url: string | undefined;
      tokenEnv: string;
      tokenFile: string | undefined;
      refreshUrl: string | undefined;
      refreshStyle: 'auto' | 'form' | 'bearer';
      refreshTokenEnv: string;
      refreshTokenFile: string | undefined;
      timeoutMs: number;
      retries: number;
    };
    allow: { domains: string[]; organizations: string[]; local: boolean };
  };
  trivy: { path: string | undefined; timeoutMs: number; extraArgs: string[]; maxReportMb: number };
  git: { timeoutMs: number; auth: GitAuthConfig };
  scan: { concurrency: number };
  advisories: { sources: AdvisorySourceConfig[]; severityOrder: string[] };
  triage: { register: string | undefined; severitySource: 'base' | 'environmental'; unknownSeverity: 'unknown' | 'low' | 'medium' | 'high' | 'critical'; defaultProfile: string; profiles: Record<string, Record<string, string>> };
  notify: {
    transport: 'smtp' | 'outbox';
    outboxDir: string;
    schedule: 'daily' | 'on-change';
    template: string | undefined;
    from: string;
    replyTo: string | undefined;
    securityTeam: string[];
    alertSeverity: 'low' | 'medium' | 'high' | 'critical';
    sendEmpty: boolean;
    links: Record<string, string>;
    digestMaxItems: number;
    alertMaxItems: number;
    dashboardUrl: string | undefined;
  };
  smtp: {
    host: string | undefined;
    port: number;
    secure: boolean;
    requireTls: boolean;
    user: string | undefined;
    passwordEnv: string;
    passwordFile: string | undefined;
    caFile: string | undefined;
    pool: boolean;
    rateLimit: number;
    timeoutMs: number;
  };
  report: { trendDays: number; archiveDir: string | undefined; archiveRetentionDays: number; htmlOutput: string | undefined };
  run: { lockTimeoutMs: number };
}

/** Builds the typed config from validated dotted-key values. */
export function buildConfig(values: Map<string, unknown>, file: string | undefined, cwd: string): Config {
  const get = <T>(key: string): T => values.get(key) as T;
  const where = file ?? 'configuration';
  const config: Config = {
    db: get('db'),
    workDir: get('work_dir'),
    logLevel: get('log_level'),
    logFile: get('log_file'),
    inventory: {
      source: get('inventory.source'),
      file: get('inventory.file'),
      ops: {
        url: get('inventory.ops.url'),
        tokenEnv: get('inventory.ops.token_env'),
        tokenFile: get('inventory.ops.token_file'),
        refreshUrl: get('inventory.ops.refresh_url'),
        refreshStyle: get('inventory.ops.refresh_style'),
        refreshTokenEnv: get('inventory.ops.refresh_token_env'),
        refreshTokenFile: get('inventory.ops.refresh_token_file'),
        timeoutMs: get('inventory.ops.timeout_ms'),
        retries: get('inventory.ops.retries'),
      },
      allow: { domains: get('inventory.allow.domains'), organizations: get('inventory.allow.organizations'), local: get('inventory.allow.local') },
    },
    trivy: { path: get('trivy.path'), timeoutMs: get('trivy.timeout_ms'), extraArgs: get('trivy.extra_args'), maxReportMb: get('trivy.max_report_mb') },
    git: { timeoutMs: get('git.timeout_ms'), auth: parseGitAuthConfig(get('git.auth'), `${where}: git.auth`) },
    scan: { concurrency: get('scan.concurrency') },
    advisories: advisoriesConfig(get('advisories.sources'), get('advisories.severity_order'), file ? path.dirname(file) : cwd, where),
    triage: {
      register: get('triage.register'),
      severitySource: get('triage.severity_source'),
      unknownSeverity: get('triage.unknown_severity'),
      defaultProfile: get('triage.default_profile'),
      profiles: stringMaps(get('triage.profiles'), 'triage.profiles', where),
    },
    notify: {
      transport: get('notify.transport'),
      outboxDir: get('notify.outbox_dir'),
      schedule: get('notify.schedule'),
      template: get('notify.template'),
      from: get('notify.from'),
      replyTo: get('notify.reply_to'),
      securityTeam: get('notify.security_team'),
      alertSeverity: get('notify.alert_severity'),
      sendEmpty: get('notify.send_empty'),
      links: stringMap(get('notify.links'), 'notify.links', where),
      digestMaxItems: get('notify.digest_max_items'),
      alertMaxItems: get('notify.alert_max_items'),
      dashboardUrl: dashboardUrl(get('notify.dashboard_url'), where),
    },
    smtp: {
      host: get('smtp.host'),
      port: get('smtp.port'),
      secure: get('smtp.secure'),
      requireTls: get('smtp.require_tls'),
      user: get('smtp.user'),
      passwordEnv: get('smtp.password_env'),
      passwordFile: get('smtp.password_file'),
      caFile: get('smtp.ca_file'),
      pool: get('smtp.pool'),
      rateLimit: get('smtp.rate_limit'),
      timeoutMs: get('smtp.timeout_ms'),
    },
    report: {
      trendDays: get('report.trend_days'),
      archiveDir: get('report.archive_dir'),
      archiveRetentionDays: get('report.archive_retention_days'),
      htmlOutput: get('report.html_output'),
    },
    run: { lockTimeoutMs: get('run.lock_timeout_ms') },
  };
  return deepFreeze(config);
}

function advisoriesConfig(rawSources: unknown, rawOrder: unknown, baseDir: string, where: string): Config['advisories'] {
  const sources = parseAdvisorySources(rawSources, baseDir, where);
  const order = (rawOrder as string[]).map((k) => String(k).trim());
  const known = new Set<string>([...SEVERITY_ORDER_KINDS, ...sources.map((s) => s.name)]);
  const bad = order.filter((k) => !known.has(k));
  if (bad.length > 0 || order.length === 0) {
    throw new IcmsError(`${where}: advisories.severity_order: ${bad.length > 0 ? `unknown entries ${bad.join(', ')}` : 'empty'}`, ExitCode.Usage, {
      hint: `use ${SEVERITY_ORDER_KINDS.join(', ')} or a source name of advisories.sources`,
    });
  }
  return { sources, severityOrder: order };
}

function stringMap(raw: unknown, key: string, where: string): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
    throw new IcmsError(`${where}: ${key} must be a mapping of names to strings`, ExitCode.Usage, { hint: `see README for ${key}` });
  }
  return raw as Record<string, string>;
}

/** `notify.dashboard_url`: an http(s) URL (file:/// for a dashboard on disk) without a fragment (digests append `#maintainer=<email>`). */
function dashboardUrl(raw: string | undefined, where: string): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^(https?:\/\/|file:\/\/\/)[^\s#]+$/i.test(raw)) {
    throw new IcmsError(`${where}: notify.dashboard_url must be an http(s) (or file:///) URL without '#', got ${JSON.stringify(raw)}`, ExitCode.Usage, {
      hint: 'e.g. https://security.example.com/icms/ (digests add #maintainer=<email>)',
    });
  }
  return raw;
}

function stringMaps(raw: unknown, key: string, where: string): Record<string, Record<string, string>> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new IcmsError(`${where}: ${key} must be a mapping`, ExitCode.Usage, { hint: `see README for ${key}` });
  }
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, stringMap(v, `${key}.${k}`, where)]));
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
