/**
 * README "Running on many machines": its Kubernetes and GitHub Actions examples are real YAML, wired as the text
 * says (Indexed completion, JOB_COMPLETION_INDEX or the matrix into --shard, a shared volume or artifacts, a final
 * import), and every icms command in them parses with the real command tree: each subcommand and flag exists
 * and each value is accepted (commander runs the option parsers; the action itself is not run).
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createProgram } from '../src/cli/main.js';
import type { Context } from '../src/cli/context.js';
import { Redactor } from '../src/shared/redact.js';
import { loadConfig } from '../src/config/load.js';
import { parseInventoryYaml } from '../src/inventory/yaml-file.js';
import { tmpDir } from './helpers/tmp.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The fenced YAML block after `<!-- example:name -->`, as parsed documents. */
function example(name: string): Record<string, unknown>[] {
  const marker = readme.indexOf(`<!-- example:${name} -->`);
  expect(marker, `README has no <!-- example:${name} -->`).toBeGreaterThan(0);
  const m = /```yaml\n([\s\S]*?)```/.exec(readme.slice(marker));
  const docs = parseAllDocuments(m![1]!);
  for (const d of docs) expect(d.errors, String(d.errors[0])).toEqual([]);
  return docs.map((d) => d.toJS() as Record<string, unknown>);
}

/** The argv of every `icms` (or `npx icms`) command in a shell text, with the runner's variables filled in. */
function icmsCommands(shell: string): string[][] {
  const text = shell
    .replace(/\$\(date -u \+%F\)/g, '2026-12-06')
    .replace(/\$\{\{\s*matrix\.shard\s*\}\}/g, '0')
    .replace(/\$\{\{[^}]*\}\}/g, 'x')
    .replace(/\$\{?JOB_COMPLETION_INDEX\}?/g, '0');
  expect(text, 'an unexpanded variable left in an icms command').not.toMatch(/\$/);
  const out: string[][] = [];
  for (const command of text.split(/&&|;|\n|\|/)) {
    const words = (command.match(/'[^']*'|"[^"]*"|\S+/g) ?? []).map((w) => w.replace(/^(['"])(.*)\1$/, '$2'));
    const at = words.indexOf('icms');
    if (at >= 0 && (at === 0 || ['npx', '-c'].includes(words[at - 1]!))) out.push(words.slice(at + 1));
  }
  return out;
}

/** Parses argv with the real icms program and stops before the action: which subcommand, with which options. */
async function parseIcms(argv: string[]): Promise<{ command: string; opts: Record<string, unknown> }> {
  const ctx: Context = { cwd: '/', env: {}, stdout: { write: () => true }, stderr: { write: () => true }, stdoutIsTty: false, stderrIsTty: false, columns: undefined, now: () => new Date() };
  const program = createProgram(ctx, new Redactor(), () => undefined);
  let seen: { command: string; opts: Record<string, unknown> } | undefined;
  const stop = new Error('parsed');
  program.hook('preAction', (_root, action) => {
    seen = { command: action.name(), opts: { ...program.opts(), ...action.opts() } };
    throw stop;
  });
  await expect(program.parseAsync(argv, { from: 'user' }), `icms ${argv.join(' ')}`).rejects.toBe(stop);
  return seen!;
}

const shellOf = (container: Record<string, unknown>) => [...((container.command as string[]) ?? []), ...((container.args as string[]) ?? [])].join(' ');

describe('README: Running on many machines', () => {
  it('the Kubernetes example: an Indexed Job of n shards on a shared volume, then a final import/match/notify', async () => {
    const docs = example('kubernetes');
    const cron = (name: string) => docs.find((d) => d.kind === 'CronJob' && (d.metadata as { name: string }).name === name) as { spec: { jobTemplate: { spec: Record<string, unknown> & { template: { spec: { containers: Record<string, unknown>[]; volumes: { persistentVolumeClaim?: { claimName: string } }[] } } } } } };
    const scanJob = cron('icms-scan').spec.jobTemplate.spec;
    expect(scanJob.completionMode).toBe('Indexed');
    const shards = scanJob.completions as number;
    const [scan] = icmsCommands(shellOf(scanJob.template.spec.containers[0]!));
    expect(shellOf(scanJob.template.spec.containers[0]!)).toContain(`--shard $JOB_COMPLETION_INDEX/${shards}`);
    expect(await parseIcms(scan!)).toMatchObject({ command: 'scan', opts: { all: true, shard: { index: 0, count: shards }, inventory: '/etc/icms/inventory.yaml', export: expect.stringMatching(/^\/data\/bundles\/2026-12-06\/shard-0\.json\.gz$/) } });

    const importJob = cron('icms-import').spec.jobTemplate.spec;
    const [run] = icmsCommands(shellOf(importJob.template.spec.containers[0]!));
    expect(await parseIcms(run!)).toMatchObject({ command: 'run', opts: { all: true, fromBundles: '/data/bundles/2026-12-06' } });
    // both read and write the same volume
    const claim = (spec: typeof scanJob) => spec.template.spec.volumes.find((v) => v.persistentVolumeClaim)!.persistentVolumeClaim!.claimName;
    expect(claim(importJob)).toBe(claim(scanJob));

    // the ConfigMap's icms.yaml is a valid configuration and its inventory a valid inventory
    const data = (docs.find((d) => d.kind === 'ConfigMap') as { data: Record<string, string> }).data;
    const dir = await tmpDir();
    await writeFile(path.join(dir, 'icms.yaml'), data['icms.yaml']!);
    expect(loadConfig({ cwd: dir, env: {}, configFlag: 'icms.yaml', flags: {} }).config.inventory.file).toBe('/etc/icms/inventory.yaml');
    expect(parseInventoryYaml(data['inventory.yaml']!, 'inventory.yaml').projects).toHaveLength(1);
  });

  it('the GitHub Actions example: a matrix of n shards uploading bundles, a final job importing them', async () => {
    const [workflow] = example('github-actions') as [{ jobs: Record<string, { needs?: string; if?: string; strategy?: { matrix: { shard: number[] } }; steps: { run?: string; uses?: string }[] }> }];
    const { scan, merge } = workflow.jobs;
    const shards = scan!.strategy!.matrix.shard;
    expect(shards).toEqual([...shards.keys()]); // 0-based, as --shard wants
    const scans = scan!.steps.filter((s) => s.run).flatMap((s) => icmsCommands(s.run!));
    expect(scans).toHaveLength(1);
    expect(await parseIcms(scans[0]!)).toMatchObject({ command: 'scan', opts: { all: true, shard: { index: 0, count: shards.length }, export: 'bundles/shard-0.json.gz', db: 'shard/icms.db' } });
    expect(scan!.steps.some((s) => s.uses?.startsWith('actions/upload-artifact'))).toBe(true);

    expect(merge).toMatchObject({ needs: 'scan', if: 'always()' });
    expect(merge!.steps.some((s) => s.uses?.startsWith('actions/download-artifact'))).toBe(true);
    const runs = merge!.steps.filter((s) => s.run).flatMap((s) => icmsCommands(s.run!));
    expect(runs).toHaveLength(1);
    expect(await parseIcms(runs[0]!)).toMatchObject({ command: 'run', opts: { all: true, fromBundles: 'bundles' } });
  });

  it('every icms command in the section parses, including the short sketch', async () => {
    const start = readme.indexOf('## Running on many machines');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const sketches = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => icmsCommands(m[1]!.replace(/#.*$/gm, '')));
    const shells: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (Array.isArray(o.containers)) for (const c of o.containers) shells.push(shellOf(c as Record<string, unknown>));
      if (typeof o.run === 'string') shells.push(o.run);
      Object.values(o).forEach(walk);
    };
    walk([...example('kubernetes'), ...example('github-actions')]);
    const commands = [...sketches, ...shells.flatMap(icmsCommands)];
    expect(commands.length).toBe(6);
    for (const argv of commands) await parseIcms(argv);
  });

  it('a wrong flag or a 1-based shard in an example would be caught', async () => {
    const ctxArgs = ['scan', '--all', '--shard', '4/4'];
    const ctx: Context = { cwd: '/', env: {}, stdout: { write: () => true }, stderr: { write: () => true }, stdoutIsTty: false, stderrIsTty: false, columns: undefined, now: () => new Date() };
    for (const argv of [ctxArgs, ['scan', '--all', '--shards', '0/4'], ['import', '--adopt'], ['run', '--all', '--from-bundle', 'x']]) {
      const program = createProgram(ctx, new Redactor(), () => undefined);
      program.hook('preAction', () => {
        throw new Error('should not reach the action');
      });
      await expect(program.parseAsync(argv, { from: 'user' })).rejects.toMatchObject({ code: expect.stringMatching(/^commander\./) });
    }
  });
});
