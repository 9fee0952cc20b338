/** `icms scan`: sync repositories with git and list their packages with trivy (also local paths, URLs, images). */
import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { authHeaderFor } from '../../gitsync/auth.js';
import { syncRepo } from '../../gitsync/sync.js';
import type { Db } from '../../db/open.js';
import { openDb } from '../../db/open.js';
import { ensureProject } from '../../db/projects.js';
import { iterateAffectedEntries, listFindings } from '../../db/findings.js';
import { hasAdvisories } from '../../db/advisories.js';
import { buildAffectedIndex, matchPackages } from '../../matcher/match.js';
import { parseRepoUrl } from '../../model/repo-url.js';
import type { Project, Severity } from '../../model/types.js';
import { severityRank } from '../../model/types.js';
import { scanProjects, type Checkout, type ScanItem, type ScanStageResult } from '../../scanner/scan-projects.js';
import { runTrivyFs, runTrivyImage } from '../../scanner/trivy.js';
import { trivyContext } from '../trivy.js';
import { ExitCode, usageError } from '../../shared/errors.js';
import type { App } from '../main.js';
import { formatOption, renderTable, writeJson } from '../output.js';
import { withRun } from '../run-command.js';
import { openSession, type Session } from '../session.js';
import { registerKnownSecrets } from '../secrets.js';
import { collect, parseSeverity, tripsGate } from '../findings-view.js';
import { matchProjects } from './match.js';
import { ensureWorkDir } from '../work-dir.js';
import { parseShard } from '../../bundle/shard.js';
import { applyInventoryFile, checkShardFlags, exportShard, inventoryToScan, type ShardFlags } from '../scan-shard.js';

interface ScanFlags extends ShardFlags {
  all?: boolean;
  image?: string[];
  imageTar?: string[];
  force?: boolean;
  save?: boolean;
  branch: string;
  concurrency?: string;
  trivy?: string;
  label?: string;
  failOn?: Severity;
  newOnly?: boolean;
  format: 'table' | 'json';
}

/** Registers `scan`. */
export function registerScan(program: Command, app: App): void {
  program
    .command('scan')
    .description('clone/update repositories and list their packages with trivy; or scan local paths, URLs and images')
    .argument('[targets...]', 'local directories or repository URLs to scan now (default with --all: the inventory)')
    .option('--all', 'scan every active project of the inventory')
    .option('--image <ref>', 'scan a container image by reference (repeatable)', collect)
    .option('--image-tar <file>', 'scan a docker-archive / OCI tar (repeatable)', collect)
    .option('--force', 'rescan even when the branch head has not changed since the last scan')
    .option('--save', 'store local paths and URLs as projects (and their findings)')
    .option('--branch <name>', 'branch for repository URLs given as targets', 'main')
    .option('--concurrency <n>', 'projects scanned at once (config scan.concurrency)')
    .option('--trivy <path>', 'trivy binary (config trivy.path, ICMS_TRIVY)')
    .option('--label <label>', 'tag this scan (e.g. a release: 4.1.0)')
    .option('--fail-on <severity>', 'exit 1 if a finding at or above SEVERITY is found (low|medium|high|critical)', parseSeverity)
    .option('--new-only', 'with --fail-on: only findings new in this run trip the gate')
    .option('--shard <i/n>', 'with --all: scan only shard i of n (0-based: 0/4 .. 3/4, as JOB_COMPLETION_INDEX)', parseShard)
    .option('--inventory <file>', 'with --all: first store the inventory of FILE (inventory YAML or a scan bundle)')
    .option('--export <file>', 'with --all: write this scan as a bundle (gzipped JSON) for `icms import`')
    .addOption(formatOption(['table', 'json']))
    .action(async (targets: string[], flags: ScanFlags) => {
      if (!flags.all && targets.length === 0 && !flags.image && !flags.imageTar) {
        throw usageError('nothing to scan', 'give --all, a path or URL, --image <ref> or --image-tar <file>');
      }
      checkShardFlags(flags, targets.length > 0 || Boolean(flags.image) || Boolean(flags.imageTar));
      const s = openSession(app.ctx, app.globals(), app.redactor, { 'scan.concurrency': flags.concurrency, 'trivy.path': flags.trivy });
      registerKnownSecrets(s);
      app.setExitCode(await scan(s, targets, flags));
    });
}

async function scan(s: Session, targets: string[], flags: ScanFlags): Promise<ExitCode> {
  ensureWorkDir(s.config.workDir, s.logger);
  const tc = await trivyContext(s);
  const locals = targets.map((t) => classifyTarget(s, t));
  const stored = flags.all || flags.save || flags.image || flags.imageTar;
  if (!stored) return scanEphemeral(s, locals, flags, tc);
  return withRun(s, 'scan', async (db, runId) => {
    if (flags.inventory) await applyInventoryFile(s, db, flags.inventory, runId);
    const startedAt = s.ctx.now();
    const items = collectItems(db, s, locals, flags);
    const kinds = new Map(items.map((i) => [i.item.projectId, i.project]));
    const result = await scanProjects(db, items.map((i) => i.item), {
      trivy: tc.trivy,
      checkout: (item) => checkoutFor(s, kinds.get(item.projectId)!),
      listPackages: (item, co) => {
        const p = kinds.get(item.projectId)!;
        if (p.kind !== 'image') return runTrivyFs(tc.trivy.path, co.dir, tc.runOpts);
        return runTrivyImage(tc.trivy.path, p.url.endsWith('.tar') && existsSync(p.url) ? { tarPath: p.url } : p.url, tc.runOpts);
      },
    }, { concurrency: s.config.scan.concurrency, force: Boolean(flags.force), runId, label: flags.label, now: () => s.ctx.now(), logger: s.logger, redact: (t) => s.redactor.redact(t) });
    let gate = false;
    if (flags.failOn || (!flags.all && flags.save)) {
      const ids = result.done.map((d) => d.item.projectId);
      if (ids.length > 0 && hasAdvisories(db)) {
        await matchProjects(db, ids, { now: s.ctx.now(), runId, logger: s.logger, triage: s.config.triage });
        gate = tripsGate(listFindings(db, { projectIds: ids }), flags.failOn, Boolean(flags.newOnly), s.config.triage.severitySource);
      }
    }
    if (flags.export) {
      const { inventory, mine } = inventoryToScan(db, flags.shard);
      await exportShard(s, db, { file: flags.export, runId, shard: flags.shard, inventory, mine, trivy: tc.trivy, label: flags.label, startedAt });
    }
    printScan(s, result, flags.format);
    const exitCode = result.failed.length > 0 ? ExitCode.Partial : gate ? ExitCode.Gate : ExitCode.Ok;
    return { exitCode, summary: summarize(result) };
  }, { label: flags.label });
}

interface LocalTarget {
  kind: 'local' | 'repo';
  url: string;
}

function classifyTarget(s: Session, target: string): LocalTarget {
  const dir = path.resolve(s.ctx.cwd, target);
  if (existsSync(dir) && statSync(dir).isDirectory()) return { kind: 'local', url: dir };
  const parts = parseRepoUrl(target);
  if (!parts) throw usageError(`${target}: not a directory and not a repository URL`, 'give an existing directory or https://host/owner/repo');
  return { kind: 'repo', url: parts.url };
}

function collectItems(db: Db, s: Session, locals: LocalTarget[], flags: ScanFlags): { item: ScanItem; project: Project }[] {
  const now = s.ctx.now();
  const out: { item: ScanItem; project: Project }[] = [];
  const { inventory, mine } = inventoryToScan(db, flags.all ? flags.shard : undefined);
  if (flags.all) for (const p of mine) out.push({ item: { projectId: p.id, name: p.name }, project: p });
  const adhoc: Project[] = [
    ...locals.map((l): Project => ({ kind: l.kind, url: l.url, branch: l.kind === 'repo' ? flags.branch : '', maintainers: [], labels: {} })),
    ...(flags.image ?? []).map((ref): Project => ({ kind: 'image', url: ref, branch: '', maintainers: [], labels: {} })),
    ...(flags.imageTar ?? []).map((f): Project => ({ kind: 'image', url: path.resolve(s.ctx.cwd, f), branch: '', maintainers: [], labels: {} })),
  ];
  for (const p of adhoc) {
    const id = ensureProject(db, p, now, 'scan');
    out.push({ item: { projectId: id, name: p.kind === 'repo' ? `${p.url}@${p.branch}` : p.url }, project: p });
  }
  // a shard of a small inventory may hold no project: it still writes its (empty) bundle
  if (out.length === 0 && !(flags.shard && inventory.length > 0)) throw usageError('the inventory has no active projects', 'run `icms fetch-projects` first');
  return out;
}

async function checkoutFor(s: Session, p: Project): Promise<Checkout> {
  if (p.kind === 'local' || p.kind === 'image') return { dir: p.url, head: undefined };
  const auth = authHeaderFor(p.url, s.config.git.auth, s.ctx.env);
  s.redactor.add(auth);
  const r = await syncRepo({ url: p.url, branch: p.branch }, { workDir: s.config.workDir, auth, timeoutMs: s.config.git.timeoutMs, env: s.ctx.env, logger: s.logger });
  return { dir: r.dir, head: r.head };
}

/** A local scan that stores nothing: trivy, then an in-memory match against the stored advisories if any. */
async function scanEphemeral(s: Session, targets: LocalTarget[], flags: ScanFlags, tc: Awaited<ReturnType<typeof trivyContext>>): Promise<ExitCode> {
  const dbExists = existsSync(s.config.db);
  const db = dbExists ? openDb(s.config.db) : undefined;
  try {
    const index = db && hasAdvisories(db) ? buildAffectedIndex(iterateAffectedEntries(db)) : undefined;
    if (!index) s.logger.warn(`no advisories in ${s.config.db}: listing packages only (run \`icms sync-vulns\` to match)`);
    const reports = [];
    let gate = false;
    for (const [i, t] of targets.entries()) {
      const tmp = t.kind === 'repo' ? await mkdtemp(path.join(s.config.workDir, 'tmp', 'url-')) : undefined;
      try {
        const dir = tmp ? (await checkoutFor({ ...s, config: { ...s.config, workDir: tmp } }, { kind: 'repo', url: t.url, branch: flags.branch, maintainers: [], labels: {} })).dir : t.url;
        const report = await runTrivyFs(tc.trivy.path, dir, tc.runOpts);
        const packages = report.packages.map((p) => ({ ...p, projectId: i, target: p.target }));
        const matched = index ? matchPackages(packages, index).findings : [];
        if (flags.failOn && matched.some((f) => severityRank(f.severity) >= severityRank(flags.failOn!))) gate = true;
        reports.push({ target: t.url, packages: report.packages, findings: matched });
      } finally {
        if (tmp) await rm(tmp, { recursive: true, force: true });
      }
    }
    printEphemeral(s, reports, flags.format);
    return gate ? ExitCode.Gate : ExitCode.Ok;
  } finally {
    db?.close();
  }
}

function summarize(r: ScanStageResult) {
  const perEcosystem: Record<string, number> = {};
  for (const d of r.done) for (const [e, c] of Object.entries(d.perEcosystem)) perEcosystem[e] = (perEcosystem[e] ?? 0) + c.direct + c.indirect;
  return {
    scanned: r.done.filter((d) => d.status === 'ok').length,
    skipped: r.done.filter((d) => d.status === 'skipped').length,
    failed: r.failed.length,
    perEcosystem,
    projects: r.done.map((d) => ({ project: d.item.name, status: d.status, commit: d.commit ?? null, packages: d.packages, durationMs: d.durationMs })),
    failures: r.failed.map((f) => ({ project: f.item.name, error: f.error })),
  };
}

function printScan(s: Session, r: ScanStageResult, format: string): void {
  const sum = summarize(r);
  if (format === 'json') return writeJson(s.ctx, sum);
  const rows = [...sum.projects.map((p) => [p.project, p.status, p.commit?.slice(0, 12) ?? '', p.packages, '']), ...sum.failures.map((f) => [f.project, 'FAILED', '', '', f.error])];
  s.ctx.stdout.write(renderTable(['project', 'status', 'commit', 'packages', 'error'], rows, { color: s.color }));
  s.ctx.stdout.write(`scanned ${sum.scanned}, skipped (unchanged) ${sum.skipped}, failed ${sum.failed}; packages: ${Object.entries(sum.perEcosystem).map(([e, n]) => `${e} ${n}`).join(', ') || 'none'}\n`);
}

function printEphemeral(s: Session, reports: { target: string; packages: { ecosystem: string; indirect: boolean }[]; findings: ReturnType<typeof matchPackages>['findings'] }[], format: string): void {
  if (format === 'json') {
    writeJson(s.ctx, { targets: reports.map((r) => ({ target: r.target, packages: r.packages, findings: r.findings })) });
    return;
  }
  for (const r of reports) {
    const per: Record<string, { direct: number; indirect: number }> = {};
    for (const p of r.packages) (per[p.ecosystem] ??= { direct: 0, indirect: 0 })[p.indirect ? 'indirect' : 'direct']++;
    s.ctx.stdout.write(`${r.target}\n`);
    s.ctx.stdout.write(renderTable(['ecosystem', 'packages', 'direct', 'indirect'], Object.entries(per).map(([e, c]) => [e, c.direct + c.indirect, c.direct, c.indirect]), { color: s.color }));
    if (r.findings.length > 0) {
      const sorted = [...r.findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
      s.ctx.stdout.write(renderTable(['severity', 'package', 'version', 'advisory', 'fixed in', 'file'], sorted.map((f) => [f.severity, f.package, f.version, f.groupId, f.fixedVersion ?? '-', f.targets.join(', ')]), { color: s.color }));
    }
  }
}
