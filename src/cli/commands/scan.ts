/** `icms scan`: sync repositories with git and list their packages with trivy (also local paths, URLs, images). */
import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { authHeaderFor, registryAuthFor } from '../../gitsync/auth.js';
import { syncRepo } from '../../gitsync/sync.js';
import type { Db } from '../../db/open.js';
import { openDb } from '../../db/open.js';
import { ensureProject, listInventoryExtras, listProjects } from '../../db/projects.js';
import { iterateAffectedEntries } from '../../db/match-inputs.js';
import { listFindings } from '../../db/findings.js';
import { hasAdvisories } from '../../db/advisories.js';
import { buildAffectedIndex, matchPackages } from '../../matcher/match.js';
import { parseRepoUrl } from '../../model/repo-url.js';
import type { Package, Project, Severity } from '../../model/types.js';
import { FINDINGS_SCHEMA_VERSION, matchedFindingJson, packageJson } from '../../report/finding-json.js';
import { severityRank } from '../../model/types.js';
import { scanProjects, type Checkout, type ScanItem, type ScanStageResult } from '../../scanner/scan-projects.js';
import { runTrivyFs, runTrivyImage } from '../../scanner/trivy.js';
import { fetchSbom, readSbomFile } from '../../scanner/sbom-file.js';
import { trivyContext } from '../trivy.js';
import { ExitCode, usageError } from '../../shared/errors.js';
import type { App } from '../main.js';
import { formatOption, renderTable, writeJson } from '../output.js';
import { withRun } from '../run-command.js';
import { openSession, type Session } from '../session.js';
import { registerKnownSecrets } from '../secrets.js';
import { collect, parseSeverity } from '../findings-view.js';
import { describeGate, evaluateGate, gateOptions, hasGate, parseEpssThreshold, type GateFinding } from '../gate.js';
import { groupFactsLookup } from '../../db/ratings.js';
import { applyRatings } from '../../matcher/rating.js';
import { applyAcceptancesInMemory, coveringProjectIds, resolveLocalTarget, resolveSbomTarget, resolveUrlTarget, type ScanTarget, type TriagedFinding } from '../scan-target.js';
import { matchProjects } from '../../matcher/match-projects.js';
import { ensureWorkDir, workDirOutside } from '../work-dir.js';
import { addFixedFilterOptions, withFixFilter } from '../fixed-filter.js';
import { parseShard } from '../../bundle/shard.js';
import { applyInventoryFile, checkShardFlags, exportShard, inventoryToScan, type ShardFlags } from '../scan-shard.js';
import { plural } from '../../shared/plural.js';

interface ScanFlags extends ShardFlags {
  all?: boolean;
  image?: string[];
  imageTar?: string[];
  sbom?: string[];
  force?: boolean;
  save?: boolean;
  branch: string;
  concurrency?: string;
  trivy?: string;
  label?: string;
  name?: string;
  failOn?: Severity;
  failOnKev?: boolean;
  failOnEpss?: number;
  newOnly?: boolean;
  format: 'table' | 'json';
  ignoreUnfixed?: boolean;
  onlyFixed?: boolean;
}

/** Registers `scan`. */
export function registerScan(program: Command, app: App): void {
  const cmd = program
    .command('scan')
    .description('clone/update repositories and list their packages with trivy; or scan local paths, URLs and images')
    .argument('[targets...]', 'local directories or repository URLs to scan now (default with --all: the inventory)')
    .option('--all', 'scan every active project of the inventory')
    .option('--image <ref>', 'scan a container image by reference (repeatable)', collect)
    .option('--image-tar <file>', 'scan a docker-archive / OCI tar (repeatable)', collect)
    .option('--sbom <file>', 'read the packages from a CycloneDX 1.4-1.6 or SPDX 2.2/2.3 JSON SBOM instead of running trivy (repeatable)', collect)
    .option('--force', 'rescan even when the branch head has not changed since the last scan')
    .option('--save', 'store local paths and URLs as projects (and their findings)')
    .option('--branch <name>', 'branch for repository URLs given as targets', 'main')
    .option('--concurrency <n>', 'projects scanned at once (config scan.concurrency)')
    .option('--trivy <path>', 'trivy binary (config trivy.path, ICMS_TRIVY)')
    .option('--label <label>', 'tag this scan (e.g. a release: 4.1.0)')
    .option('--name <name>', 'project name for one local path, URL or --sbom file (default: from its git remote, else local/<folder or file>)')
    .option('--fail-on <severity>', 'exit 1 if a finding at or above SEVERITY is found (low|medium|high|critical)', parseSeverity)
    .option('--fail-on-kev', 'exit 1 if a finding is in CISA\'s Known Exploited Vulnerabilities catalog, whatever its severity')
    .option('--fail-on-epss <p>', 'exit 1 if a finding has an EPSS score of at least P (0..1)', parseEpssThreshold)
    .option('--new-only', 'with --fail-on: only findings new in this run trip the gate')
    .option('--shard <i/n>', 'with --all: scan only shard i of n (0-based: 0/4 .. 3/4, as JOB_COMPLETION_INDEX)', parseShard)
    .option('--inventory <file>', 'with --all: first store the inventory of FILE (inventory YAML or a scan bundle)')
    .option('--export <file>', 'with --all: write this scan as a bundle (gzipped JSON) for `icms import`')
    .addOption(formatOption(['table', 'json']));
  addFixedFilterOptions(cmd)
    .action(async (targets: string[], flags: ScanFlags) => {
      if (!flags.all && targets.length === 0 && !flags.image && !flags.imageTar && !flags.sbom) {
        throw usageError('nothing to scan', 'give --all, a path or URL, --image <ref>, --image-tar <file> or --sbom <file>');
      }
      checkShardFlags(flags, targets.length > 0 || Boolean(flags.image) || Boolean(flags.imageTar));
      const s = openSession(app.ctx, app.globals(), app.redactor, { 'scan.concurrency': flags.concurrency, 'trivy.path': flags.trivy });
      registerKnownSecrets(s);
      app.setExitCode(await scan(s, targets, flags));
    });
}

async function scan(session: Session, targets: string[], flags: ScanFlags): Promise<ExitCode> {
  if (flags.name !== undefined && targets.length + (flags.sbom?.length ?? 0) !== 1) throw usageError('--name names one target', 'give exactly one path, URL or --sbom file with --name');
  const locals = [
    ...(await Promise.all(targets.map((t) => classifyTarget(session, t, flags)))),
    ...(flags.sbom ?? []).map((f) => resolveSbomTarget(path.resolve(session.ctx.cwd, f), flags.name)),
  ];
  for (const l of locals) {
    if (l.kind === 'sbom' && !(existsSync(l.location) && statSync(l.location).isFile())) throw usageError(`--sbom ${l.location}: no such file`, 'give the path of a CycloneDX or SPDX JSON file');
  }
  const stored = flags.all || flags.save || flags.image || flags.imageTar;
  // the default ./.icms never goes into a directory being scanned (it would show in its `git status`)
  const localDirs = locals.filter((l) => l.kind === 'local').map((l) => l.location);
  const workDir = workDirOutside(session.config.workDir, session.origins.work_dir, localDirs, session.ctx.env);
  const s: Session = workDir === session.config.workDir ? session : { ...session, config: { ...session.config, workDir } };
  if (s !== session) s.logger.debug(`work dir ${workDir} (the default ./.icms would be inside the scanned directory)`);
  ensureWorkDir(s.config.workDir, s.logger);
  const tc = await trivyContext(s);
  if (!stored) return scanEphemeral(s, locals, flags, tc);
  return withRun(s, 'scan', async (db, runId) => {
    if (flags.inventory) await applyInventoryFile(s, db, flags.inventory, runId);
    const startedAt = s.ctx.now();
    const items = collectItems(db, s, locals, flags);
    let gateText = '';
    const kinds = new Map(items.map((i) => [i.item.projectId, i.project]));
    const result = await scanProjects(db, items.map((i) => i.item), {
      trivy: tc.trivy,
      checkout: (item) => checkoutFor(s, kinds.get(item.projectId)!),
      listPackages: (item, co, sink) => {
        const p = kinds.get(item.projectId)!;
        if (isSbomProject(p)) return /^https?:\/\//i.test(p.url) ? fetchSbom(p.url, { timeoutMs: s.config.git.timeoutMs, retries: 2, logger: s.logger }) : readSbomFile(p.url, s.ctx.cwd);
        if (p.kind !== 'image') return runTrivyFs(tc.trivy.path, co.dir, tc.runOpts, sink);
        if (p.url.endsWith('.tar') && existsSync(p.url)) return runTrivyImage(tc.trivy.path, { tarPath: p.url }, tc.runOpts, sink);
        const registryAuth = registryAuthFor(p.url, s.config.git.auth, s.ctx.env);
        if (registryAuth) s.redactor.add(registryAuth.password);
        return runTrivyImage(tc.trivy.path, p.url, { ...tc.runOpts, registryAuth }, sink);
      },
    }, { concurrency: s.config.scan.concurrency, force: Boolean(flags.force), runId, label: flags.label, now: () => s.ctx.now(), logger: s.logger, redact: (t) => s.redactor.redact(t) });
    let gate = false;
    if (hasGate(gateOptions(s, flags)) || (!flags.all && flags.save)) {
      const ids = result.done.map((d) => d.item.projectId);
      if (ids.length > 0 && hasAdvisories(db)) {
        await matchProjects(db, ids, { now: s.ctx.now(), runId, logger: s.logger, triage: s.config.triage, severityOrder: s.config.advisories.severityOrder });
        const g = gateOptions(s, flags);
        const verdict = evaluateGate(withFixFilter(listFindings(db, { projectIds: ids }), flags), g);
        gate = verdict.tripped;
        if (gate) gateText = describeGate(g, verdict);
      }
    }
    if (flags.export) {
      const { inventory, mine } = inventoryToScan(db, flags.shard);
      await exportShard(s, db, { file: flags.export, runId, shard: flags.shard, inventory, mine, trivy: tc.trivy, label: flags.label, startedAt });
    }
    printScan(s, result, flags.format);
    if (gate) s.ctx.stderr.write(gateText);
    const exitCode = result.failed.length > 0 ? ExitCode.Partial : gate ? ExitCode.Gate : ExitCode.Ok;
    return { exitCode, summary: summarize(result) };
  }, { label: flags.label });
}

/** An SBOM is stored as a local project whose path is the SBOM file or its https URL (a directory path means trivy fs). */
function isSbomProject(p: Project): boolean {
  return p.kind === 'local' && (/^https?:\/\//i.test(p.url) || (existsSync(p.url) && statSync(p.url).isFile()));
}

async function classifyTarget(s: Session, target: string, flags: ScanFlags): Promise<ScanTarget> {
  const dir = path.resolve(s.ctx.cwd, target);
  if (existsSync(dir) && statSync(dir).isDirectory()) return resolveLocalTarget(dir, flags.name, s.ctx.env);
  const parts = parseRepoUrl(target);
  if (!parts) throw usageError(`${target}: not a directory and not a repository URL`, 'give an existing directory or https://host/owner/repo');
  return resolveUrlTarget(parts.url, flags.branch, flags.name);
}

function collectItems(db: Db, s: Session, locals: ScanTarget[], flags: ScanFlags): { item: ScanItem; project: Project }[] {
  const now = s.ctx.now();
  const out: { item: ScanItem; project: Project }[] = [];
  const { inventory, mine } = inventoryToScan(db, flags.all ? flags.shard : undefined);
  // shards partition the repositories; the inventory's images and SBOMs are scanned by an unsharded scan --all
  const extras = flags.all ? listInventoryExtras(db) : [];
  if (flags.shard && extras.length > 0) s.logger.warn(`--shard scans repositories only: the inventory's ${plural(extras.length, 'image/SBOM project')} ${extras.length === 1 ? 'is' : 'are'} left to an unsharded scan --all`);
  if (flags.all) for (const p of [...mine, ...(flags.shard ? [] : extras)]) out.push({ item: { projectId: p.id, name: p.name }, project: p });
  // stored: the row (a local checkout is keyed by its remote); project: what to check out (a local one is its directory)
  const adhoc: { stored: Project; project: Project; name: string | undefined }[] = [
    ...locals.map((l) => ({ stored: l.stored, project: { ...l.stored, url: l.location }, name: l.name })),
    ...[...(flags.image ?? []), ...(flags.imageTar ?? []).map((f) => path.resolve(s.ctx.cwd, f))].map((ref) => {
      const p: Project = { kind: 'image', url: ref, branch: '', maintainers: [], labels: {} };
      return { stored: p, project: p, name: undefined };
    }),
  ];
  for (const a of adhoc) {
    const id = ensureProject(db, a.stored, now, 'scan', a.stored.kind === 'image' ? undefined : flags.name, a.name);
    const name = listProjects(db).find((p) => p.id === id)?.name ?? a.name ?? a.stored.url;
    out.push({ item: { projectId: id, name }, project: a.project });
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
async function scanEphemeral(s: Session, targets: ScanTarget[], flags: ScanFlags, tc: Awaited<ReturnType<typeof trivyContext>>): Promise<ExitCode> {
  const dbExists = existsSync(s.config.db);
  const db = dbExists ? openDb(s.config.db) : undefined;
  try {
    const index = db && hasAdvisories(db) ? buildAffectedIndex(iterateAffectedEntries(db)) : undefined;
    const facts = db && index ? groupFactsLookup(db) : undefined;
    if (!index) s.logger.warn(`no advisories in ${s.config.db}: listing packages only (run \`icms sync-vulns\` to match)`);
    const reports = [];
    const open: GateFinding[] = [];
    for (const [i, t] of targets.entries()) {
      const tmp = t.kind === 'repo' ? await mkdtemp(path.join(s.config.workDir, 'tmp', 'url-')) : undefined;
      try {
        const dir = tmp ? (await checkoutFor({ ...s, config: { ...s.config, workDir: tmp } }, { kind: 'repo', url: t.location, branch: flags.branch, maintainers: [], labels: {} })).dir : t.location;
        const report = t.kind === 'sbom' ? await readSbomFile(t.location, s.ctx.cwd) : await runTrivyFs(tc.trivy.path, dir, tc.runOpts);
        const packages = report.packages.map((p) => ({ ...p, projectId: i, target: p.target }));
        const matched = withFixFilter(index ? matchPackages(packages, index).findings : [], flags);
        if (facts) applyRatings(matched, facts, s.config.advisories.severityOrder);
        // the acceptances that cover this target, exactly as match applies them to a stored project
        const triaged: TriagedFinding[] = db && matched.length > 0 ? applyAcceptancesInMemory(db, matched, coveringProjectIds(db, t), s.ctx.now()) : matched.map((f) => ({ ...f, acceptance: undefined }));
        for (const f of triaged) if (!f.acceptance) open.push({ ...f, project: t.name });
        reports.push({ target: t.location, name: t.name, packages: report.packages, findings: triaged });
      } finally {
        if (tmp) await rm(tmp, { recursive: true, force: true });
      }
    }
    printEphemeral(s, reports, flags.format);
    const g = gateOptions(s, flags);
    const verdict = evaluateGate(open, g);
    if (verdict.tripped) s.ctx.stderr.write(describeGate(g, verdict));
    return verdict.tripped ? ExitCode.Gate : ExitCode.Ok;
  } finally {
    db?.close();
  }
}

function summarize(r: ScanStageResult) {
  const perEcosystem: Record<string, number> = {};
  for (const d of r.done) for (const [e, c] of Object.entries(d.perEcosystem)) perEcosystem[e] = (perEcosystem[e] ?? 0) + c.direct + c.indirect;
  return {
    schema_version: FINDINGS_SCHEMA_VERSION,
    scanned: r.done.filter((d) => d.status === 'ok').length,
    skipped: r.done.filter((d) => d.status === 'skipped').length,
    failed: r.failed.length,
    per_ecosystem: perEcosystem,
    projects: r.done.map((d) => ({ project: d.item.name, project_id: d.item.projectId, status: d.status, commit: d.commit ?? null, packages: d.packages, duration_ms: d.durationMs })),
    failures: r.failed.map((f) => ({ project: f.item.name, project_id: f.item.projectId, error: f.error })),
  };
}

function printScan(s: Session, r: ScanStageResult, format: string): void {
  const sum = summarize(r);
  if (format === 'json') return writeJson(s.ctx, sum);
  const rows = [...sum.projects.map((p) => [p.project, p.status, p.commit?.slice(0, 12) ?? '', p.packages, '']), ...sum.failures.map((f) => [f.project, 'FAILED', '', '', f.error])];
  s.ctx.stdout.write(renderTable(['project', 'status', 'commit', 'packages', 'error'], rows, { color: s.color }));
  s.ctx.stdout.write(`scanned ${sum.scanned}, skipped (unchanged) ${sum.skipped}, failed ${sum.failed}; packages: ${Object.entries(sum.per_ecosystem).map(([e, n]) => `${e} ${n}`).join(', ') || 'none'}\n`);
}

function printEphemeral(s: Session, reports: { target: string; name: string; packages: Package[]; findings: TriagedFinding[] }[], format: string): void {
  const status = (f: TriagedFinding): string => f.acceptance?.kind ?? 'open';
  if (format === 'json') {
    const targets = reports.map((r) => ({
      target: r.target,
      project: r.name,
      packages: r.packages.map(packageJson),
      findings: r.findings.map((f) => matchedFindingJson(f, r.name, f.acceptance ? { kind: f.acceptance.kind, reason: f.acceptance.reason } : undefined)),
    }));
    writeJson(s.ctx, { schema_version: FINDINGS_SCHEMA_VERSION, targets });
    return;
  }
  for (const r of reports) {
    const per: Record<string, { direct: number; indirect: number }> = {};
    for (const p of r.packages) (per[p.ecosystem] ??= { direct: 0, indirect: 0 })[p.indirect ? 'indirect' : 'direct']++;
    s.ctx.stdout.write(`${r.target} (${r.name})\n`);
    s.ctx.stdout.write(renderTable(['ecosystem', 'packages', 'direct', 'indirect'], Object.entries(per).map(([e, c]) => [e, c.direct + c.indirect, c.direct, c.indirect]), { color: s.color }));
    if (r.findings.length > 0) {
      const sorted = [...r.findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
      const rows = sorted.map((f) => [f.severity, f.package, f.version, f.groupId, status(f), f.fixedVersion ?? '-', f.targets.join(', ')]);
      s.ctx.stdout.write(renderTable(['severity', 'package', 'version', 'advisory', 'status', 'fixed in', 'file'], rows, { color: s.color }));
    }
  }
}
