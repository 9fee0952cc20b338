/** `icms config show|keys`: the effective configuration (secrets never printed) and the key reference. */
import type { Command } from 'commander';
import { OPTIONS, envNameOf } from '../../config/options.js';
import type { App } from '../main.js';
import { formatOption, renderTable, writeJson } from '../output.js';
import { openSession, type Session } from '../session.js';

/** Registers `config show` and `config keys`. */
export function registerConfig(program: Command, app: App): void {
  const config = program.command('config').description('show the effective configuration or the reference of every key');
  config
    .command('show')
    .description('print the effective configuration (defaults < file < ICMS_* env < flags) with where each value came from')
    .addOption(formatOption(['yaml', 'json']))
    .action((flags: { format: string }) => {
      const s = openSession(app.ctx, app.globals(), app.redactor);
      const data = effectiveConfig(s);
      if (flags.format === 'json') writeJson(s.ctx, data);
      else s.ctx.stdout.write(renderShow(data));
    });
  config
    .command('keys')
    .description('list every configuration key with its environment variable, default and meaning')
    .addOption(formatOption(['table', 'markdown', 'json']))
    .action((flags: { format: string }) => {
      if (flags.format === 'json') writeJson(app.ctx, OPTIONS.map((o) => ({ ...o, env: envNameOf(o) ?? null })));
      else if (flags.format === 'markdown') app.ctx.stdout.write(keysMarkdown());
      else app.ctx.stdout.write(renderTable(['key', 'env', 'default', 'meaning'], OPTIONS.map((o) => [o.key, envNameOf(o) ?? '', fmtDefault(o.default), o.description]), { color: false }));
    });
}

interface Effective {
  file: string | null;
  values: { key: string; value: unknown; origin: string }[];
  secrets: { name: string; purpose: string; state: 'set' | 'missing' }[];
}

function effectiveConfig(s: Session): Effective {
  const flat = flatten(s.config as unknown as Record<string, unknown>);
  const values = OPTIONS.map((o) => ({ key: o.key, value: flat.get(o.key), origin: s.origins[o.key] ?? 'unset' }));
  const secrets: Effective['secrets'] = [
    { name: s.config.inventory.ops.tokenEnv, purpose: 'ops API token', state: s.ctx.env[s.config.inventory.ops.tokenEnv] ? 'set' : 'missing' },
    ...Object.entries(s.config.git.auth).map(([host, a]) => ({ name: a.token_env, purpose: `git token for ${host}`, state: (s.ctx.env[a.token_env] ? 'set' : 'missing') as 'set' | 'missing' })),
  ];
  return { file: s.configFile ?? null, values, secrets };
}

/** Maps the typed config back to dotted file keys (camelCase → snake_case). */
function flatten(obj: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix + k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (v && typeof v === 'object' && !Array.isArray(v) && !OPTIONS.some((o) => o.key === key)) {
      for (const [kk, vv] of flatten(v as Record<string, unknown>, `${key}.`)) out.set(kk, vv);
    } else out.set(key, v);
  }
  return out;
}

function renderShow(d: Effective): string {
  const lines = [`# config file: ${d.file ?? '(none: defaults and environment only)'}`];
  for (const v of d.values) lines.push(`${v.key}: ${v.value === undefined ? '(unset)' : JSON.stringify(v.value)}  # ${v.origin}`);
  lines.push('# secrets (values never printed):');
  for (const sec of d.secrets) lines.push(`#   ${sec.name}: ${sec.state} (${sec.purpose})`);
  return `${lines.join('\n')}\n`;
}

function fmtDefault(v: unknown): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function keysMarkdown(): string {
  const rows = OPTIONS.map((o) => `| \`${o.key}\` | ${o.type === 'enum' ? o.values?.join(' \\| ') : o.type} | ${fmtDefault(o.default) ? `\`${fmtDefault(o.default)}\`` : ''} | ${envNameOf(o) ? `\`${envNameOf(o)}\`` : ''} | ${o.description.replace(/\|/g, '\\|')} |`);
  return ['| key | type | default | environment | meaning |', '|---|---|---|---|---|', ...rows].join('\n') + '\n';
}
