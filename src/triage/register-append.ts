/**
 * Appends imported entries to the register text the user keeps (pure): what is there stays byte for byte,
 * entries already present (same id, kind and scope) are not repeated, and the result must parse as a register.
 */
import { parseRegister, renderRegister, type RegisterEntry } from './register.js';

/** The new register text and what was added or already there. */
export interface AppendResult {
  text: string;
  added: number;
  duplicates: number;
}

const key = (e: Omit<RegisterEntry, 'line'>): string =>
  [e.id.toUpperCase(), e.kind, e.scope.allProjects ? '*' : (e.scope.project ?? ''), e.scope.package?.toLowerCase() ?? '', e.scope.version ?? ''].join('\0');

/** Appends `entries` under a comment naming their source; `existing` is undefined when there is no register file yet. */
export function appendToRegister(existing: string | undefined, entries: readonly Omit<RegisterEntry, 'line'>[], file: string, comment: string): AppendResult {
  const before = existing === undefined ? [] : parseRegister(existing, file);
  const seen = new Set(before.map(key));
  const fresh: Omit<RegisterEntry, 'line'>[] = [];
  for (const e of entries) {
    if (seen.has(key(e))) continue;
    seen.add(key(e));
    fresh.push(e);
  }
  const duplicates = entries.length - fresh.length;
  if (fresh.length === 0) return { text: existing ?? '', added: 0, duplicates };
  // renderRegister's list items, without its header comment
  const items = renderRegister(fresh).split('\n').filter((l) => !l.startsWith('#')).join('\n');
  let base = existing ?? '';
  // an empty flow list (`[]`, as `triage export` writes an empty register) cannot be followed by block items
  if (before.length === 0 && /^\s*\[\s*\]\s*$/m.test(base)) base = base.replace(/^(\s*)\[\s*\]\s*$/m, '');
  if (base !== '' && !base.endsWith('\n')) base += '\n';
  const text = `${base}${base === '' ? '' : '\n'}# ${comment}\n${items}`;
  parseRegister(text, file); // never write a register that no longer reads
  return { text, added: fresh.length, duplicates };
}
