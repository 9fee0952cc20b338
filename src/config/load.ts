/**
 * Loads the effective configuration: defaults < file < ICMS_* environment < flags, validated once and
 * frozen. Errors name the file, the key, its line, what was expected and how to fix it (exit 2).
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseDocument, LineCounter, isMap, isScalar, type Node, type Document } from 'yaml';
import { IcmsError, ExitCode, errorMessage } from '../shared/errors.js';
import { OPTIONS, envNameOf, optionSpec, type OptionSpec } from './options.js';
import { buildConfig, type Config } from './config.js';

export type ValueOrigin = 'default' | 'file' | 'env' | 'flag';

export interface LoadConfigInput {
  cwd: string;
  env: Record<string, string | undefined>;
  /** `--config` value, if given. */
  configFlag?: string | undefined;
  /** Values from flags, by dotted key (already typed by the flag parser). */
  flags?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: Config;
  /** The file read, if any. */
  file: string | undefined;
  origins: Record<string, ValueOrigin>;
}

/** Finds the config file: `--config`, else ICMS_CONFIG, else ./icms.yaml when present. */
export function locateConfigFile(input: LoadConfigInput): string | undefined {
  const explicit = input.configFlag ?? input.env.ICMS_CONFIG;
  if (explicit) {
    const file = path.resolve(input.cwd, explicit);
    if (!existsSync(file)) {
      throw new IcmsError(`config file ${file} does not exist`, ExitCode.Usage, {
        hint: 'fix --config / ICMS_CONFIG, or create the file (see README "Configuration")',
      });
    }
    return file;
  }
  const local = path.resolve(input.cwd, 'icms.yaml');
  return existsSync(local) ? local : undefined;
}

/** Loads, merges and validates the configuration. */
export function loadConfig(input: LoadConfigInput): LoadedConfig {
  const file = locateConfigFile(input);
  const values = new Map<string, unknown>();
  const origins: Record<string, ValueOrigin> = {};
  for (const spec of OPTIONS) {
    if (spec.default !== undefined) {
      values.set(spec.key, spec.type === 'path' ? path.resolve(input.cwd, String(spec.default)) : spec.default);
      origins[spec.key] = 'default';
    }
  }
  if (file) {
    for (const [key, value] of readConfigFile(file)) {
      values.set(key, value);
      origins[key] = 'file';
    }
  }
  for (const spec of OPTIONS) {
    const name = envNameOf(spec);
    const raw = name ? input.env[name] : undefined;
    if (raw === undefined || raw === '') continue;
    values.set(spec.key, coerce(spec, raw, { where: `environment variable ${name}`, baseDir: input.cwd }));
    origins[spec.key] = 'env';
  }
  for (const [key, raw] of Object.entries(input.flags ?? {})) {
    if (raw === undefined) continue;
    const spec = optionSpec(key);
    if (!spec) throw new IcmsError(`internal: flag maps to unknown option ${key}`, ExitCode.Bug);
    values.set(key, coerce(spec, raw, { where: `flag for ${key}`, baseDir: input.cwd }));
    origins[key] = 'flag';
  }
  return { config: buildConfig(values, file, input.cwd), file, origins };
}

/** Reads a YAML config file into dotted key → validated value pairs. */
function readConfigFile(file: string): Map<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new IcmsError(`cannot read config file ${file}: ${errorMessage(err)}`, ExitCode.Usage, { hint: 'check the path and its permissions' });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = lines.linePos(e.pos[0]).line;
    throw new IcmsError(`${file}:${line}: invalid YAML: ${e.message.split('\n')[0]}`, ExitCode.Usage, {
      hint: 'fix the YAML syntax (indentation, quotes, colons)',
    });
  }
  const out = new Map<string, unknown>();
  if (doc.contents === null) return out;
  if (!isMap(doc.contents)) {
    throw new IcmsError(`${file}:1: the config must be a mapping of keys`, ExitCode.Usage, { hint: 'see README "Configuration"' });
  }
  walk(doc, doc.contents, [], file, lines, out);
  return out;
}

function walk(doc: Document, node: Node, prefix: string[], file: string, lines: LineCounter, out: Map<string, unknown>): void {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    const keyText = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const key = [...prefix, keyText].join('.');
    const range = (pair.key as Node | null)?.range;
    const line = range ? lines.linePos(range[0]).line : 0;
    const where = `${file}:${line}`;
    const spec = optionSpec(key);
    const valueNode = pair.value as Node | null;
    if (spec) {
      const value = valueNode === null ? null : (valueNode.toJSON() as unknown);
      if (value === null) continue; // `key:` with no value keeps the default
      out.set(key, coerce(spec, value, { where: `${where}: ${key}`, baseDir: path.dirname(file) }));
      continue;
    }
    const isPrefix = OPTIONS.some((o) => o.key.startsWith(`${key}.`));
    if (isPrefix && valueNode && isMap(valueNode)) {
      walk(doc, valueNode, [...prefix, keyText], file, lines, out);
      continue;
    }
    if (isPrefix) {
      throw new IcmsError(`${where}: ${key} must be a mapping`, ExitCode.Usage, { hint: `see README "Configuration" for the keys under ${key}` });
    }
    throw new IcmsError(`${where}: unknown key "${key}"`, ExitCode.Usage, { hint: suggestKey(key) });
  }
}

function suggestKey(key: string): string {
  const candidates = new Set<string>();
  for (const o of OPTIONS) {
    const parts = o.key.split('.');
    for (let n = 1; n <= parts.length; n++) candidates.add(parts.slice(0, n).join('.'));
  }
  const depth = key.split('.').length;
  const close = [...candidates]
    .filter((c) => c.split('.').length === depth)
    .map((c) => ({ c, d: editDistance(c, key) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(key.length / 4)))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => x.c);
  return close.length > 0 ? `did you mean ${close.join(' or ')}? (\`icms config keys\` lists every key)` : 'remove it; `icms config keys` lists every key';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Converts a raw value (YAML, env string or flag) to the option's type, or throws a Usage error. */
export function coerce(spec: OptionSpec, raw: unknown, ctx: { where: string; baseDir: string }): unknown {
  const fail = (expected: string, hint?: string): never => {
    throw new IcmsError(`${ctx.where}: expected ${expected}, got ${JSON.stringify(raw)}`, ExitCode.Usage, {
      hint: hint ?? `set ${spec.key} to ${expected}`,
    });
  };
  switch (spec.type) {
    case 'string':
    case 'secret-ref':
      if (typeof raw !== 'string' || raw.trim() === '') return fail('a non-empty string');
      return raw;
    case 'path':
      if (typeof raw !== 'string' || raw.trim() === '') return fail('a file path');
      return path.resolve(ctx.baseDir, raw);
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isInteger(n)) return fail('a whole number');
      if (spec.min !== undefined && n < spec.min) return fail(`a whole number >= ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) return fail(`a whole number <= ${spec.max}`);
      return n;
    }
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1' || raw === 'yes') return true;
      if (raw === 'false' || raw === '0' || raw === 'no') return false;
      return fail('true or false');
    case 'enum':
      if (typeof raw !== 'string' || !spec.values?.includes(raw)) return fail(`one of ${spec.values?.join(', ')}`);
      return raw;
    case 'list': {
      const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
      if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' || typeof x === 'number')) return fail('a list of strings');
      return (list as unknown[]).map(String);
    }
    case 'object':
      if (raw === null || typeof raw !== 'object') return fail('a mapping or list');
      return raw;
  }
}
