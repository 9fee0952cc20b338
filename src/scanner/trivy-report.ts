/**
 * Pure parser of trivy's JSON report (SchemaVersion 2, `--list-all-pkgs`) into icms Packages.
 * Reads every Result (lang-pkgs and os-pkgs; license Results carry no packages) and survives the quirks of
 * real trivy 0.44 output: rows without name/version, duplicate rows, no Results at all.
 */
import { ExitCode, IcmsError } from '../shared/errors.js';
import type { Package } from '../model/types.js';
import { langEcosystem, matchVersionFor, osEcosystem, type AdvisoryNaming } from './ecosystems.js';
import { pep503 } from '../model/package-name.js';
import { buildPurl } from './purl.js';

/** A report that is not valid trivy JSON: the caller fails that one project. */
export class TrivyReportError extends IcmsError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, ExitCode.External, {
      hint: 'run the same trivy command by hand to see its output; a truncated report usually means trivy was killed',
      ...opts,
    });
    this.name = 'TrivyReportError';
  }
}

/** What was scanned, as the report names it. */
export interface TrivyArtifact {
  name: string;
  type: string;
  /** Image scans: the detected OS (`Metadata.OS`). */
  os?: { family: string; release: string } | undefined;
}

/** Counters the caller may log or store with the scan. */
export interface ParseStats {
  /** Rows without a name or version (pnpm v9 `{"ID":"@"}`), skipped. */
  skipped: number;
  /** Rows repeating an ecosystem/name/version/target already seen, merged into one package. */
  duplicates: number;
  /** Packages whose Type or OS family has no known OSV ecosystem. */
  unmapped: number;
}

export interface ParsedTrivyReport {
  packages: Package[];
  warnings: string[];
  artifact: TrivyArtifact;
  stats: ParseStats;
}

interface RawPackage {
  ID?: unknown;
  Name?: unknown;
  Version?: unknown;
  Release?: unknown;
  Epoch?: unknown;
  Arch?: unknown;
  SrcName?: unknown;
  SrcVersion?: unknown;
  SrcRelease?: unknown;
  SrcEpoch?: unknown;
  Identifier?: { PURL?: unknown } | undefined;
  Indirect?: unknown;
  DependsOn?: unknown;
  FilePath?: unknown;
}

/** The fields of a Result the parser reads. */
export interface RawResult {
  Target?: unknown;
  Class?: unknown;
  Type?: unknown;
  Packages?: unknown;
}

/** How one Result's packages map to an ecosystem. */
export interface ResultContext {
  target: string;
  pkgType: string;
  ecosystem: string;
  isOs: boolean;
  naming: AdvisoryNaming;
  unmapped: boolean;
  os?: { family: string; release: string } | undefined;
}

/** Parses report text; a truncated or invalid document is a TrivyReportError naming `where`. */
export function parseTrivyReportText(text: string, where: string): ParsedTrivyReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TrivyReportError(`${where}: trivy report is not valid JSON (${text.length} bytes; truncated?)`, { cause: err });
  }
  return parseTrivyReport(json, { where });
}

/** Turns a parsed trivy JSON report into packages (deduplicated per target), warnings and the artifact. */
export function parseTrivyReport(json: unknown, opts: { where?: string } = {}): ParsedTrivyReport {
  const where = opts.where ?? 'trivy report';
  const doc = asObject(json, `${where}: not a trivy report (expected a JSON object)`);
  const sink = new PackageCollector();
  const reader = new TrivyResultReader(where, sink);
  reader.header(doc);
  const results = doc.Results ?? [];
  if (!Array.isArray(results)) throw new TrivyReportError(`${where}: "Results" is not an array`);
  results.forEach((r: unknown, i) => {
    const result = asObject(r, `${where}: Results[${i}] is not an object`) as RawResult;
    if (!listsPackages(result) || result.Packages === undefined || result.Packages === null) return;
    if (!Array.isArray(result.Packages)) throw new TrivyReportError(`${where}: Results[${i}].Packages is not an array`);
    reader.rows(reader.context(result), result.Packages, `${where}: Results[${i}]`);
  });
  return reader.finish(sink.packages(), sink);
}

/** Whether a Result is of a class that lists packages (lang-pkgs, os-pkgs); license, secret and config ones do not. */
export function listsPackages(result: RawResult): boolean {
  return result.Class === 'lang-pkgs' || result.Class === 'os-pkgs';
}

/** Where parsed packages go: kept in memory (`PackageCollector`) or written to the database in batches. */
export interface PackageSink {
  add(pkg: Package): void;
}

/** The in-memory sink: one package per ecosystem/name/version/target, duplicate rows merged into it. */
export class PackageCollector implements PackageSink {
  private readonly seen = new Map<string, Package>();
  duplicates = 0;
  unmapped = 0;

  add(pkg: Package): void {
    const key = `${pkg.ecosystem}\0${pkg.name}\0${pkg.version}\0${pkg.target}`;
    const prev = this.seen.get(key);
    if (prev) {
      mergeInto(prev, pkg);
      this.duplicates++;
      return;
    }
    this.seen.set(key, pkg);
    if (pkg.unmapped) this.unmapped++;
  }

  /** The packages in the order first seen. */
  packages(): Package[] {
    return [...this.seen.values()];
  }
}

/** trivy's meaning of a report's parts, whichever way they arrive (a parsed document, or a stream of Results and rows). */
export class TrivyResultReader {
  readonly warnings: string[] = [];
  artifact: TrivyArtifact = { name: '', type: '' };
  private skipped = 0;

  constructor(
    readonly where: string,
    private readonly sink: PackageSink,
  ) {}

  /** The top-level fields (SchemaVersion, ArtifactName, ArtifactType, Metadata); they come before Results. */
  header(doc: Record<string, unknown>): void {
    if (doc.SchemaVersion !== undefined && doc.SchemaVersion !== 2) {
      throw new TrivyReportError(`${this.where}: unsupported trivy SchemaVersion ${JSON.stringify(doc.SchemaVersion)} (expected 2)`);
    }
    this.artifact = readArtifact(doc);
  }

  /** How the rows of a Result that `listsPackages` map to packages (warns once when its ecosystem is unknown). */
  context(result: RawResult): ResultContext {
    return resultContext(result, result.Class === 'os-pkgs', this.artifact, this.warnings);
  }

  /** All the rows of one Result (the pnpm check needs the whole list). */
  rows(ctx: ResultContext, rows: readonly unknown[], where: string): void {
    if (isUnreadablePnpm(ctx, rows)) {
      this.skipped += rows.length;
      this.warnings.push(
        `${ctx.target}: trivy could not read this pnpm lockfile (v9 format: nameless "@" rows, scoped names without their scope); ` +
          `all ${rows.length} rows skipped rather than matched under wrong names — a newer trivy reads it`,
      );
      return;
    }
    let skipped = 0;
    rows.forEach((row, j) => {
      if (!this.row(ctx, row, `${where}.Packages[${j}]`)) skipped++;
    });
    this.endRows(ctx, skipped, rows.length);
  }

  /** One row, handed to the sink; false when it has no name or version (skipped). */
  row(ctx: ResultContext, row: unknown, where: string): boolean {
    const pkg = toPackage(ctx, asObject(row, `${where} is not an object`) as RawPackage);
    if (!pkg) return false;
    this.sink.add(pkg);
    return true;
  }

  /** Closes a Result whose rows went one by one through `row`: `skipped` of `total` had no name or version. */
  endRows(ctx: ResultContext, skipped: number, total: number): void {
    if (skipped === 0) return;
    this.skipped += skipped;
    this.warnings.push(`${ctx.target}: ${skipped} of ${total} ${ctx.pkgType} rows without a name or version skipped`);
  }

  /** The report as read: the packages (none when the sink stored them), warnings, artifact and counters. */
  finish(packages: Package[], counts: { duplicates: number; unmapped: number }): ParsedTrivyReport {
    return { packages, warnings: this.warnings, artifact: this.artifact, stats: { skipped: this.skipped, duplicates: counts.duplicates, unmapped: counts.unmapped } };
  }
}

/**
 * trivy 0.44 misreads pnpm lockfile v9: unscoped packages come out as `{"ID":"@"}` and scoped ones lose their
 * scope (`@types/argparse@1.0.38` -> `argparse@1.0.38`), so even its named rows would match the wrong package.
 */
export function isUnreadablePnpm(ctx: ResultContext, rows: readonly unknown[]): boolean {
  return ctx.pkgType === 'pnpm' && rows.some((r) => typeof r === 'object' && r !== null && (r as RawPackage).ID === '@');
}

/** A duplicate row: direct wins over indirect, dependency lists are united. */
function mergeInto(prev: Package, dup: Package): void {
  prev.indirect = prev.indirect && dup.indirect;
  if (dup.dependsOn) prev.dependsOn = [...new Set([...(prev.dependsOn ?? []), ...dup.dependsOn])];
  prev.purl ??= dup.purl;
}

function toPackage(ctx: ResultContext, raw: RawPackage): Package | undefined {
  const name = str(raw.Name);
  const baseVersion = str(raw.Version);
  if (!name || !baseVersion) return undefined;
  const version = ctx.isOs ? evr(raw.Epoch, baseVersion, raw.Release) : baseVersion;
  const srcName = ctx.isOs ? (str(raw.SrcName) ?? name) : undefined;
  const srcBase = str(raw.SrcVersion);
  const srcVersion = ctx.isOs ? (srcBase ? evr(raw.SrcEpoch, srcBase, raw.SrcRelease) : version) : undefined;
  const useSource = ctx.isOs && ctx.naming === 'source';
  const dependsOn = Array.isArray(raw.DependsOn) ? raw.DependsOn.filter((d): d is string => typeof d === 'string') : undefined;
  const purl = str(raw.Identifier?.PURL) ?? buildPurl({ ...ctx, name, version, arch: str(raw.Arch) });
  return {
    ecosystem: ctx.ecosystem,
    name,
    version,
    pkgType: ctx.pkgType,
    target: str(raw.FilePath) ?? ctx.target,
    purl,
    indirect: raw.Indirect === true,
    dependsOn: dependsOn && dependsOn.length > 0 ? dependsOn : undefined,
    srcName,
    srcVersion,
    matchName: useSource ? (srcName ?? name) : matchNameFor(ctx.ecosystem, name),
    matchVersion: useSource ? (srcVersion ?? version) : ctx.isOs ? version : matchVersionFor(ctx.ecosystem, version),
    unmapped: ctx.unmapped,
  };
}

/** Name as the ecosystem's advisories spell it: PyPI per PEP 503, everything else (Maven `group:artifact`) exact. */
function matchNameFor(ecosystem: string, name: string): string {
  return ecosystem === 'PyPI' ? pep503(name) : name;
}

/** `[epoch:]version[-release]`, the way dpkg and rpm write a full version (epoch 0 is left out). */
function evr(epoch: unknown, version: string, release: unknown): string {
  const e = typeof epoch === 'number' && epoch > 0 ? `${epoch}:` : typeof epoch === 'string' && epoch !== '' && epoch !== '0' ? `${epoch}:` : '';
  const r = str(release);
  return `${e}${version}${r ? `-${r}` : ''}`;
}

function resultContext(result: RawResult, isOs: boolean, artifact: TrivyArtifact, warnings: string[]): ResultContext {
  const target = str(result.Target) ?? '';
  const pkgType = str(result.Type) ?? (isOs ? (artifact.os?.family ?? 'unknown') : 'unknown');
  if (isOs) {
    const family = artifact.os?.family ?? pkgType;
    const release = artifact.os?.release ?? '';
    const mapped = osEcosystem(family, release);
    if (!mapped) warnings.push(`${target}: no OSV ecosystem known for OS "${family} ${release}"; its packages are recorded as "${pkgType}" and not matched`);
    const os = { family, release };
    return { target, pkgType, isOs, os, ecosystem: mapped?.ecosystem ?? pkgType, naming: mapped?.naming ?? 'source', unmapped: !mapped };
  }
  const ecosystem = langEcosystem(pkgType);
  if (!ecosystem) warnings.push(`${target}: no OSV ecosystem known for trivy type "${pkgType}"; its packages are recorded as-is and not matched`);
  return { target, pkgType, isOs, ecosystem: ecosystem ?? pkgType, naming: 'source', unmapped: !ecosystem };
}

function readArtifact(doc: Record<string, unknown>): TrivyArtifact {
  const meta = typeof doc.Metadata === 'object' && doc.Metadata !== null ? (doc.Metadata as Record<string, unknown>) : {};
  const os = typeof meta.OS === 'object' && meta.OS !== null ? (meta.OS as Record<string, unknown>) : undefined;
  const family = str(os?.Family);
  return {
    name: str(doc.ArtifactName) ?? '',
    type: str(doc.ArtifactType) ?? '',
    os: family ? { family, release: str(os?.Name) ?? '' } : undefined,
  };
}

/** `v` as an object, or a TrivyReportError with `message`. */
export function asObject(v: unknown, message: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TrivyReportError(message);
  return v as Record<string, unknown>;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
