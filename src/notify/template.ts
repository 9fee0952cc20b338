/**
 * A tiny template syntax for the digest: `{{name}}` is always HTML-escaped; `{{{name}}}` inserts a block
 * icms rendered itself (already escaped) and is refused for anything else. Unknown names are errors, so
 * a typo in a custom template fails at load time, not in someone's inbox.
 */
import { usageError } from '../shared/errors.js';
import { escapeHtml } from './escape.js';

/** The values a template may use: plain values (escaped) and icms-rendered HTML blocks (raw). */
export interface TemplateScope {
  values: readonly string[];
  blocks: readonly string[];
}

type Part = { kind: 'text'; text: string } | { kind: 'value' | 'block'; name: string };

/** A parsed template, ready to render many times. */
export interface CompiledTemplate {
  render(values: Readonly<Record<string, string | number>>, blocks: Readonly<Record<string, string>>): string;
}

const TAG = /\{\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}\}|\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}/gi;

/** Parses and checks `source` against `scope`; `where` names the file in errors. */
export function compileTemplate(source: string, scope: TemplateScope, where: string): CompiledTemplate {
  const parts: Part[] = [];
  let last = 0;
  for (const m of source.matchAll(TAG)) {
    parts.push({ kind: 'text', text: source.slice(last, m.index) });
    last = m.index + m[0].length;
    const line = source.slice(0, m.index).split('\n').length;
    if (m[1] !== undefined) {
      if (!scope.blocks.includes(m[1])) {
        throw usageError(`${where}:${line}: {{{${m[1]}}}} is not an icms block`, `raw blocks: ${scope.blocks.join(', ')}; use {{${m[1]}}} for values (escaped)`);
      }
      parts.push({ kind: 'block', name: m[1] });
    } else {
      const name = m[2]!;
      if (!scope.values.includes(name)) throw usageError(`${where}:${line}: unknown template value {{${name}}}`, `values: ${scope.values.join(', ')}`);
      parts.push({ kind: 'value', name });
    }
  }
  parts.push({ kind: 'text', text: source.slice(last) });
  const stray = parts.find((p) => p.kind === 'text' && /\{\{|\}\}/.test(p.text));
  if (stray) throw usageError(`${where}: malformed template tag near ${JSON.stringify((stray as { text: string }).text.match(/.{0,20}(\{\{|\}\}).{0,20}/s)?.[0])}`, 'tags are {{name}} or {{{block}}}');
  return {
    render(values, blocks) {
      return parts.map((p) => (p.kind === 'text' ? p.text : p.kind === 'value' ? escapeHtml(values[p.name] ?? '') : (blocks[p.name] ?? ''))).join('');
    },
  };
}
