/**
 * Checks a parsed bundle before anything of it is stored: the format and schema version first (so an old or
 * new icms gets a clear "wrong version" instead of a field-by-field complaint), then each field import uses.
 */
import { usageError } from '../shared/errors.js';
import { BUNDLE_FORMAT, BUNDLE_SCHEMA_VERSION, type BundlePackage, type BundleScan, type ScanBundle } from './format.js';
import { inventoryFingerprint } from './shard.js';
import type { Maintainer, Project } from '../model/types.js';

type Json = Record<string, unknown>;

class Invalid extends Error {}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function obj(v: unknown, where: string): Json {
  if (!isObj(v)) throw new Invalid(`${where} must be an object`);
  return v;
}
function str(o: Json, k: string, where: string): string {
  if (typeof o[k] !== 'string') throw new Invalid(`${where}.${k} must be a string`);
  return o[k];
}
function optStr(o: Json, k: string, where: string): string | null {
  return o[k] === null || o[k] === undefined ? null : str(o, k, where);
}
function int(o: Json, k: string, where: string): number {
  if (typeof o[k] !== 'number' || !Number.isInteger(o[k]) || o[k] < 0) throw new Invalid(`${where}.${k} must be a non-negative integer`);
  return o[k];
}
function optInt(o: Json, k: string, where: string): number | null {
  return o[k] === null || o[k] === undefined ? null : int(o, k, where);
}
function arr(o: Json, k: string, where: string): unknown[] {
  if (!Array.isArray(o[k])) throw new Invalid(`${where}.${k} must be an array`);
  return o[k];
}
function time(o: Json, k: string, where: string): string {
  const v = str(o, k, where);
  if (Number.isNaN(Date.parse(v))) throw new Invalid(`${where}.${k} must be an ISO date-time, got "${v.slice(0, 40)}"`);
  return v;
}
function strings(o: Json, k: string, where: string): string[] {
  return arr(o, k, where).map((s, i) => {
    if (typeof s !== 'string') throw new Invalid(`${where}.${k}[${i}] must be a string`);
    return s;
  });
}

function project(v: unknown, where: string): Project {
  const o = obj(v, where);
  if (o.kind !== 'repo') throw new Invalid(`${where}.kind must be "repo"`);
  const labels = obj(o.labels, `${where}.labels`);
  for (const [k, l] of Object.entries(labels)) if (typeof l !== 'string') throw new Invalid(`${where}.labels.${k} must be a string`);
  const maintainers = arr(o, 'maintainers', where).map((m, i): Maintainer => {
    const mo = obj(m, `${where}.maintainers[${i}]`);
    return { name: str(mo, 'name', `${where}.maintainers[${i}]`), email: str(mo, 'email', `${where}.maintainers[${i}]`) };
  });
  return { kind: 'repo', url: str(o, 'url', where), branch: str(o, 'branch', where), maintainers, labels: labels as Record<string, string> };
}

function bundlePackage(v: unknown, where: string): BundlePackage {
  const o = obj(v, where);
  const bool = (k: string) => {
    if (typeof o[k] !== 'boolean') throw new Invalid(`${where}.${k} must be true or false`);
    return o[k];
  };
  return {
    ecosystem: str(o, 'ecosystem', where),
    name: str(o, 'name', where),
    version: str(o, 'version', where),
    pkg_type: str(o, 'pkg_type', where),
    target: str(o, 'target', where),
    purl: optStr(o, 'purl', where),
    indirect: bool('indirect'),
    depends_on: o.depends_on === null || o.depends_on === undefined ? null : strings(o, 'depends_on', where),
    src_name: optStr(o, 'src_name', where),
    src_version: optStr(o, 'src_version', where),
    match_name: str(o, 'match_name', where),
    match_version: str(o, 'match_version', where),
    unmapped: bool('unmapped'),
  };
}

function bundleScan(v: unknown, where: string): BundleScan {
  const o = obj(v, where);
  const status = o.status;
  if (status !== 'ok' && status !== 'skipped' && status !== 'failed') throw new Invalid(`${where}.status must be ok, skipped or failed`);
  const counts = obj(o.counts, `${where}.counts`);
  for (const k of Object.keys(counts)) int(counts, k, `${where}.counts`);
  return {
    url: str(o, 'url', where),
    branch: str(o, 'branch', where),
    name: str(o, 'name', where),
    status,
    started_at: time(o, 'started_at', where),
    finished_at: time(o, 'finished_at', where),
    duration_ms: optInt(o, 'duration_ms', where),
    commit: optStr(o, 'commit', where),
    trivy_path: optStr(o, 'trivy_path', where),
    trivy_version: optStr(o, 'trivy_version', where),
    package_count: optInt(o, 'package_count', where),
    counts: counts as Record<string, number>,
    warnings: strings(o, 'warnings', where),
    error: optStr(o, 'error', where),
    packages: arr(o, 'packages', where).map((p, i) => bundlePackage(p, `${where}.packages[${i}]`)),
  };
}

/** Validates a parsed bundle read from `file`; a bad one is an input error (exit 2) naming the field. */
export function validateBundle(value: unknown, file: string): ScanBundle {
  if (!isObj(value) || value.format !== BUNDLE_FORMAT) {
    throw usageError(`${file}: not an icms scan bundle (no "format": "${BUNDLE_FORMAT}")`, 'give the files `icms scan --all --export <file>` wrote');
  }
  if (value.schema_version !== BUNDLE_SCHEMA_VERSION) {
    throw usageError(
      `${file}: bundle schema_version ${JSON.stringify(value.schema_version)} (written by icms ${String(value.icms_version)}), this icms reads schema_version ${BUNDLE_SCHEMA_VERSION}`,
      'scan and import with the same icms version: upgrade the importing or the scanning machines, then scan again',
    );
  }
  try {
    const shard = obj(value.shard, 'shard');
    const index = int(shard, 'index', 'shard');
    const count = int(shard, 'count', 'shard');
    if (count < 1 || index >= count) throw new Invalid(`shard ${index}/${count} is not a 0-based index below the count`);
    const inv = obj(value.inventory, 'inventory');
    const projects = arr(inv, 'projects', 'inventory').map((p, i) => project(p, `inventory.projects[${i}]`));
    const fingerprint = str(inv, 'fingerprint', 'inventory');
    if (inventoryFingerprint(projects) !== fingerprint) throw new Invalid('inventory.fingerprint does not match inventory.projects (the file was altered)');
    const trivy = obj(value.trivy, 'trivy');
    const timings = obj(value.timings, 'timings');
    return {
      format: BUNDLE_FORMAT,
      schema_version: BUNDLE_SCHEMA_VERSION,
      icms_version: str(value, 'icms_version', 'bundle'),
      created_at: time(value, 'created_at', 'bundle'),
      label: optStr(value, 'label', 'bundle'),
      shard: { index, count },
      inventory: { fingerprint, projects },
      trivy: { path: str(trivy, 'path', 'trivy'), version: str(trivy, 'version', 'trivy') },
      timings: { started_at: time(timings, 'started_at', 'timings'), finished_at: time(timings, 'finished_at', 'timings'), duration_ms: int(timings, 'duration_ms', 'timings') },
      scans: arr(value, 'scans', 'bundle').map((s, i) => bundleScan(s, `scans[${i}]`)),
    };
  } catch (err) {
    if (err instanceof Invalid) throw usageError(`${file}: invalid scan bundle: ${err.message}`, 'the file is damaged or was not written by `icms scan --export`; scan that shard again');
    throw err;
  }
}
