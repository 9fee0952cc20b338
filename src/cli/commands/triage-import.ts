/**
 * `icms triage import --format openvex|cyclonedx-vex <file>` and `--from trivyignore|osv-scanner|grype <file>`:
 * another tool's decisions become register entries, appended to the register file for review (then
 * `icms triage import` loads them like any other entry); without a register file they go to stdout.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../shared/atomic-write.js';
import { usageError } from '../../shared/errors.js';
import { packageFromPurl, parsePurl } from '../../scanner/purl-package.js';
import { parseIgnoreFile, type IgnoreFormat } from '../../triage/ignore-files.js';
import type { ImportedFile, PurlResolver } from '../../triage/imported.js';
import { appendToRegister } from '../../triage/register-append.js';
import type { RegisterEntry } from '../../triage/register.js';
import { parseVexFile, type VexFormat } from '../../triage/vex-import.js';
import type { Session } from '../session.js';

/** Flags of an import from another tool. */
export interface InteropImportFlags {
  format?: VexFormat;
  from?: IgnoreFormat;
  project?: string;
  allProjects?: boolean;
  register?: string;
  by?: string;
}

/** A purl as icms names its package (Maven `group:artifact`, Debian binary name, epoch in the version). */
const resolvePurl: PurlResolver = (purl) => {
  const parsed = parsePurl(purl);
  const pkg = parsed ? packageFromPurl(parsed, purl, { target: '' }) : undefined;
  if (parsed && !pkg) return { name: parsed.namespace && parsed.type === 'maven' ? `${parsed.namespace}:${parsed.name}` : parsed.name };
  return pkg && !pkg.unmapped ? { name: pkg.name, version: pkg.version } : undefined;
};

/** Reads the file, converts it, appends the entries to the register (or prints them); returns a summary. */
export async function importFromTool(s: Session, file: string | undefined, flags: InteropImportFlags): Promise<{ added: number; duplicates: number; skipped: number }> {
  if (!file) throw usageError(`--${flags.format ? 'format' : 'from'} needs the file to import`, 'e.g. icms triage import --from trivyignore .trivyignore --project web');
  if (flags.format && flags.from) throw usageError('give either --format (a VEX document) or --from (an ignore file), not both');
  if (Boolean(flags.project) === Boolean(flags.allProjects)) throw usageError('give exactly one of --project <name> or --all-projects', 'the scope of the imported entries');
  const source = path.resolve(s.ctx.cwd, file);
  if (!existsSync(source)) throw usageError(`${source}: no such file`);
  const text = readFileSync(source, 'utf8');
  const read: ImportedFile = flags.format ? parseVexFile(flags.format, text, file, resolvePurl) : parseIgnoreFile(flags.from!, text, file, resolvePurl);
  for (const w of read.skipped) s.logger.warn(`skipped ${w}`);
  const today = s.ctx.now().toISOString().slice(0, 10);
  const entries: Omit<RegisterEntry, 'line'>[] = [];
  for (const e of read.entries) {
    if (e.expires !== undefined && e.expires < today) {
      s.logger.warn(`skipped ${e.id}: it expired on ${e.expires}`);
      continue;
    }
    entries.push({
      id: e.id,
      kind: e.kind,
      scope: { allProjects: Boolean(flags.allProjects), ...(flags.project ? { project: flags.project } : {}), ...(e.package ? { package: e.package } : {}), ...(e.package && e.version ? { version: e.version } : {}) },
      reason: e.reason,
      ...(e.expires ? { expires: e.expires } : {}),
      ...(flags.by ? { by: flags.by } : {}),
    });
  }
  const comment = `imported ${today} from ${file} (${flags.format ?? flags.from}) by icms triage import; review before \`icms triage import\``;
  const registerFile = flags.register ?? s.config.triage.register;
  if (!registerFile) {
    const r = appendToRegister(undefined, entries, '(stdout)', comment);
    s.ctx.stdout.write(r.text);
    return { added: r.added, duplicates: r.duplicates, skipped: read.skipped.length };
  }
  const target = path.resolve(s.ctx.cwd, registerFile);
  const r = appendToRegister(existsSync(target) ? readFileSync(target, 'utf8') : undefined, entries, target, comment);
  if (r.added > 0) await writeFileAtomic(target, r.text);
  s.ctx.stdout.write(`${target}: ${r.added} entr${r.added === 1 ? 'y' : 'ies'} appended from ${file}, ${r.duplicates} already there, ${read.skipped.length} skipped; review them, then run \`icms triage import\`\n`);
  return { added: r.added, duplicates: r.duplicates, skipped: read.skipped.length };
}
