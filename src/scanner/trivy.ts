/**
 * The trivy edge: runs `trivy fs` / `trivy image` in license-only, offline mode (package listing, no vulnerability
 * DB) and reads its JSON report as a stream (trivy-report-stream.ts). Failures are IcmsErrors (exit 4) carrying
 * trivy's stderr tail.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { ExitCode, IcmsError } from '../shared/errors.js';
import { redactPatterns } from '../shared/redact.js';
import { PackageCollector, type PackageSink, type ParsedTrivyReport, type RawResult } from './trivy-report.js';
import { readTrivyReportStream, type RowReplacement } from './trivy-report-stream.js';
import { lockfileListFor, replacementNote, trivyListsNpmLockUnstably } from './lockfile-fixup.js';

export interface TrivyRunOptions {
  /** Wall-clock limit for one trivy run; also passed to trivy's own `--timeout`. */
  timeoutMs: number;
  /** trivy's `--cache-dir` (analysis cache; no vulnerability DB is needed). */
  cacheDir: string;
  /** Where the report file is written (and trivy's working directory, so a repo's trivy.yaml is never read). */
  tmpDir: string;
  /** Extra trivy flags from config, appended after ours. */
  extraArgs?: readonly string[] | undefined;
  /** The caller's working directory, against which a relative `dir` / `tarPath` is resolved. */
  cwd?: string | undefined;
  /** The trivy version (as `trivyVersion` reads it); decides whether npm lockfile lists are read from the lockfile. */
  trivyVersion?: string | undefined;
  /** The caller's environment; only the non-secret variables in SAFE_ENV reach trivy. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Largest report read (default 1 GiB): a bigger one fails the project before it is read. */
  maxReportBytes?: number | undefined;
  /** Registry credentials for `trivy image`, handed over as TRIVY_USERNAME / TRIVY_PASSWORD (never on the command line). */
  registryAuth?: { username: string; password: string } | undefined;
}

/** Variables trivy may see: no tokens, no proxies with credentials, no TRIVY_* that would change the scan. */
const SAFE_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'SSL_CERT_FILE', 'SSL_CERT_DIR'] as const;
const STDERR_TAIL_LINES = 20;
/** Time trivy gets past its own --timeout to report before it is killed: a tenth, at most 10 s. */
const killGraceMs = (timeoutMs: number): number => Math.min(10_000, Math.ceil(timeoutMs / 10));

/**
 * Flags that make trivy 0.44 list packages without a vulnerability DB. Checked with the bundled binary:
 * `--scanners license` alone gives only license Results; with `--list-all-pkgs` it also gives `lang-pkgs`
 * and, for images, `os-pkgs` (dpkg/apk/rpm) with SrcName/SrcVersion/Epoch. `--scanners vuln` with
 * `--skip-db-update` fails on a first run ("The first run cannot skip downloading DB"), so it is not used.
 */
function scanFlags(opts: TrivyRunOptions, outFile: string): string[] {
  const seconds = Math.max(1, Math.ceil(opts.timeoutMs / 1000));
  return [
    '--list-all-pkgs', '--format', 'json', '--scanners', 'license', '--offline-scan', '--quiet',
    '--cache-dir', opts.cacheDir, '--timeout', `${seconds}s`, '--output', outFile,
    ...(opts.extraArgs ?? []),
  ];
}

/**
 * Runs `trivy fs` over a checked-out directory and returns the parsed report. With a `sink` the packages go there as
 * the report is read (the returned `packages` is empty); without, they are collected (deduplicated) in memory.
 */
export async function runTrivyFs(trivy: string, dir: string, opts: TrivyRunOptions, sink?: PackageSink): Promise<ParsedTrivyReport> {
  const abs = absolute(dir, opts);
  if (!isDirectory(abs)) {
    throw new IcmsError(`trivy fs: ${abs} is not a directory`, ExitCode.External, { hint: 'check the checkout path of the project' });
  }
  const fixup = trivyListsNpmLockUnstably(opts.trivyVersion) ? npmLockFixup(abs, opts.trivyVersion ?? 'unknown') : undefined;
  return runTrivy(trivy, ['fs', safePositional(abs)], opts, `trivy fs ${abs}`, undefined, sink, fixup);
}

/** Rows that replace trivy's for one Result of the report, read as it streams by. */
type ReportFixup = (result: RawResult) => Promise<RowReplacement | undefined>;

/** An unstable trivy's package-lock lists are replaced by the lockfile's own (see lockfile-fixup.ts). */
function npmLockFixup(dir: string, version: string): ReportFixup {
  return async (result) => {
    const list = await lockfileListFor(result, dir);
    if (!list || 'warning' in list) return list;
    const { target, lockfileVersion, rows } = list;
    return { rows, note: (trivyListed) => replacementNote({ target, lockfileVersion, packages: rows.length, trivyListed }, version) };
  };
}

/** An image: a reference trivy reads from docker/containerd/podman or a registry, or a docker-archive/OCI tar. */
export type ImageSource = string | { tarPath: string };

/** Runs `trivy image` (OS packages + language packages) and returns the parsed report (packages into `sink` as for runTrivyFs). */
export async function runTrivyImage(trivy: string, image: ImageSource, opts: TrivyRunOptions, sink?: PackageSink): Promise<ParsedTrivyReport> {
  if (typeof image === 'string') {
    if (!/^[A-Za-z0-9][\w.\-/:@]*$/.test(image)) {
      throw new IcmsError(`"${image}" is not a valid image reference`, ExitCode.Usage, { hint: 'use name[:tag] or name@sha256:digest' });
    }
    const hint =
      'trivy reads images from a local docker/containerd/podman or pulls them from the registry; without either, ' +
      '`docker save IMAGE -o image.tar` elsewhere and scan the tar';
    return runTrivy(trivy, ['image', image], opts, `trivy image ${image}`, hint, sink);
  }
  const tar = absolute(image.tarPath, opts);
  if (!existsSync(tar) || !statSync(tar).isFile()) {
    throw new IcmsError(`trivy image: ${tar} is not a file`, ExitCode.External, { hint: 'give a docker-archive or OCI tar' });
  }
  return runTrivy(trivy, ['image', `--input=${tar}`], opts, `trivy image --input ${tar}`, undefined, sink);
}

async function runTrivy(
  trivy: string,
  head: string[],
  opts: TrivyRunOptions,
  what: string,
  failHint: string | undefined,
  sink: PackageSink | undefined,
  fixup?: ReportFixup,
): Promise<ParsedTrivyReport> {
  const outFile = path.join(opts.tmpDir, `icms-trivy-${randomUUID()}.json`);
  try {
    const { execa } = await import('execa'); // loaded only when trivy runs: an unchanged portfolio never needs it
    const res = await execa(trivy, [...head, ...scanFlags(opts, outFile)], {
      cwd: opts.tmpDir,
      env: { ...pickEnv(opts.env), ...(opts.registryAuth ? { TRIVY_USERNAME: opts.registryAuth.username, TRIVY_PASSWORD: opts.registryAuth.password } : {}) },
      extendEnv: false,
      timeout: opts.timeoutMs + killGraceMs(opts.timeoutMs),
      reject: false,
      stdin: 'ignore',
      stripFinalNewline: false,
    });
    const tail = stderrTail(String(res.stderr ?? ''));
    if (res.timedOut) throw failure(`${what} timed out after ${opts.timeoutMs} ms`, tail, 'raise the scan timeout or skip large directories with extra trivy args');
    if (res.failed) {
      const how = res.exitCode !== undefined ? `exited ${res.exitCode}` : `failed (${res.signal ?? res.shortMessage})`;
      const quiet = tail === '' ? ' without an error message (the cdxgen build of trivy prints none)' : '';
      throw failure(`${what} ${how}${quiet}`, tail, failHint ?? 'run the same command by hand with --debug');
    }
    return await readReport(outFile, what, tail, opts.maxReportBytes ?? DEFAULT_MAX_REPORT_BYTES, sink, fixup);
  } finally {
    await rm(outFile, { force: true });
  }
}

/**
 * Default cap of a report. It is read as a stream (memory stays bounded), so the cap only guards time and database
 * size: the largest real report seen is under 1 MB; 1 GiB is about 3.5 million package rows (a few minutes, about
 * 1 GB of database).
 */
const DEFAULT_MAX_REPORT_BYTES = 1024 * 1024 * 1024;
/** Bytes per read of the report: big enough that the per-chunk work is small, small enough to be no memory concern. */
const READ_CHUNK = 1 << 20;

const mb = (bytes: number): string => (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '');

async function readReport(outFile: string, what: string, tail: string, maxBytes: number, sink: PackageSink | undefined, fixup: ReportFixup | undefined): Promise<ParsedTrivyReport> {
  const size = await stat(outFile).then(
    (st) => st.size,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw failure(`${what} exited 0 but wrote no report`, tail, 'run the same command by hand to see what trivy does');
      throw failure(`${what}: cannot read its report: ${err.message}`, tail, 'check the work dir\'s tmp/ (space, permissions)', err);
    },
  );
  // refused before it is read: the report streams in bounded memory, but one of GBs would take many minutes and GBs of database
  if (size > maxBytes) {
    throw failure(`${what}: the report is ${mb(size)} MB, over the limit of ${mb(maxBytes)} MB (trivy.max_report_mb)`, tail, 'raise trivy.max_report_mb, or leave out vendored or generated directories with trivy.extra_args (e.g. --skip-dirs)');
  }
  const collector = sink ? undefined : new PackageCollector();
  try {
    const chunks = createReadStream(outFile, { encoding: 'utf8', highWaterMark: READ_CHUNK });
    const read = await readTrivyReportStream(chunks, size, { where: what, sink: sink ?? collector!, replaceRows: fixup });
    if (!collector) return { ...read, packages: [] };
    return { ...read, packages: collector.packages(), stats: { ...read.stats, duplicates: collector.duplicates, unmapped: collector.unmapped } };
  } catch (err) {
    if (err instanceof IcmsError && err.exitCode === ExitCode.External) throw failure(err.message, tail, 'a truncated report usually means trivy was killed or the disk is full', err);
    throw err;
  }
}

/** The trivy version string (`Version: X` line of `trivy --version`), cached per binary path. */
export function trivyVersion(trivy: string, env?: Readonly<Record<string, string | undefined>>): Promise<string> {
  let cached = versionCache.get(trivy);
  if (!cached) {
    cached = readVersion(trivy, env);
    versionCache.set(trivy, cached);
    cached.catch(() => versionCache.delete(trivy));
  }
  return cached;
}
const versionCache = new Map<string, Promise<string>>();
/** The bundled trivy spends about 4 s of CPU on `--version`; on a loaded 2-core machine that once took over 30 s. */
const VERSION_TIMEOUT_MS = 120_000;

async function readVersion(trivy: string, env?: Readonly<Record<string, string | undefined>>): Promise<string> {
  const { execa } = await import('execa');
  const res = await execa(trivy, ['--version'], { env: pickEnv(env), extendEnv: false, timeout: VERSION_TIMEOUT_MS, reject: false, stdin: 'ignore' });
  const version = /^Version:\s*(\S+)/m.exec(String(res.stdout ?? ''))?.[1];
  if (res.failed || !version) {
    throw failure(`${trivy} --version ${res.failed ? 'failed' : 'printed no "Version:" line'}`, stderrTail(String(res.stderr ?? '')), 'check that the `trivy` path points at a trivy binary');
  }
  return version;
}

/** The variables of `env` that are safe to hand to trivy. */
export function pickEnv(env: Readonly<Record<string, string | undefined>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of SAFE_ENV) {
    const v = env?.[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** trivy runs in tmpDir, so relative paths are made absolute against the caller's cwd first. */
function absolute(p: string, opts: TrivyRunOptions): string {
  if (path.isAbsolute(p)) return p;
  if (opts.cwd === undefined) {
    throw new IcmsError(`trivy: relative path ${p} given without a cwd to resolve it against`, ExitCode.Bug);
  }
  return path.resolve(opts.cwd, p);
}

/** A path argument that cannot be taken for an option (`-x` -> `./-x`); absolute paths never start with `-`. */
function safePositional(p: string): string {
  return p.startsWith('-') ? `./${p}` : p;
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function stderrTail(stderr: string): string {
  return redactPatterns(stderr.trimEnd().split('\n').slice(-STDERR_TAIL_LINES).join('\n'));
}

function failure(message: string, tail: string, hint: string, cause?: unknown): IcmsError {
  const full = tail === '' ? message : `${message}\n--- trivy stderr (last lines) ---\n${tail}`;
  return new IcmsError(full, ExitCode.External, { hint, cause });
}
