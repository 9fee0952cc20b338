/**
 * npm package-lock.json (lockfileVersion 1, 2 and 3) read the way trivy 0.44 reads it, but deterministically.
 * trivy 0.44 keeps only the first of several entries of one name@version, in Go's random map order, and then drops
 * dev entries: a package that is `dev` at one path and production at another is listed on some runs and not on
 * others (aquasecurity/trivy#5139, #5532; fixed for v2+ in trivy 0.50). Here every entry counts: a package is
 * production when any of its entries is, direct when any production entry is a direct dependency of the root.
 * Everything else follows trivy's go-dep-parser of that release: v1 walks `dependencies` recursively and calls
 * every package indirect; v2/v3 read `packages`, resolve workspace links, keep only paths under node_modules,
 * name a package by its `name` field or its path, and treat `optional`, `devOptional`, `bundled` and `peer`
 * entries as production (only `"dev": true` is dev).
 */

/** One package row in the shape of a trivy report row, so the one report parser reads both. */
export interface NpmLockRow {
  ID: string;
  Name: string;
  Version: string;
  Indirect: boolean;
  DependsOn?: string[];
}

/** The production packages of one lockfile. */
export interface NpmLockList {
  lockfileVersion: number;
  rows: NpmLockRow[];
  /** Entries that were dev-only (left out, as trivy leaves them out). */
  devOnly: number;
}

/** A package-lock.json that cannot be read as one. */
export class NpmLockError extends Error {}

interface Entry {
  name: string;
  version: string;
  dev: boolean;
  /** undefined until a production entry is seen; then true only while every production entry is indirect. */
  prodIndirect: boolean | undefined;
  dependsOn: Set<string>;
}

interface V1Dep {
  version?: unknown;
  dev?: unknown;
  requires?: unknown;
  dependencies?: unknown;
}

interface V2Pkg {
  name?: unknown;
  version?: unknown;
  dev?: unknown;
  link?: unknown;
  resolved?: unknown;
  dependencies?: unknown;
  optionalDependencies?: unknown;
  devDependencies?: unknown;
  workspaces?: unknown;
}

const NODE_MODULES = 'node_modules';

/** Lists a parsed package-lock.json's production packages, sorted by name@version. */
export function npmLockRows(json: unknown): NpmLockList {
  const doc = record(json);
  if (!doc) throw new NpmLockError('not a JSON object');
  const lockfileVersion = typeof doc.lockfileVersion === 'number' ? doc.lockfileVersion : 0;
  const acc = new Map<string, Entry>();
  if (lockfileVersion === 1) {
    parseV1(record(doc.dependencies) ?? {}, new Map(), acc);
  } else {
    const packages = record(doc.packages);
    if (!packages) throw new NpmLockError(`lockfileVersion ${lockfileVersion} without a "packages" object`);
    parseV2(packages as Record<string, V2Pkg>, acc);
  }
  const rows: NpmLockRow[] = [];
  let devOnly = 0;
  for (const [id, e] of [...acc].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (e.dev) {
      devOnly++;
      continue;
    }
    const dependsOn = [...e.dependsOn].sort();
    rows.push({ ID: id, Name: e.name, Version: e.version, Indirect: e.prodIndirect !== false, ...(dependsOn.length > 0 ? { DependsOn: dependsOn } : {}) });
  }
  return { lockfileVersion, rows, devOnly };
}

function add(acc: Map<string, Entry>, name: string, version: string, dev: boolean, indirect: boolean, dependsOn: string[]): void {
  const id = `${name}@${version}`;
  let e = acc.get(id);
  if (!e) {
    e = { name, version, dev: true, prodIndirect: undefined, dependsOn: new Set() };
    acc.set(id, e);
  }
  if (!dev) {
    e.dev = false;
    e.prodIndirect = (e.prodIndirect ?? true) && indirect;
  }
  for (const d of dependsOn) e.dependsOn.add(d);
}

/** v1: nested `dependencies`; a `requires` name resolves to the nested copy first, then the nearest ancestor's. */
function parseV1(deps: Record<string, unknown>, inherited: ReadonlyMap<string, string>, acc: Map<string, Entry>): void {
  const versions = new Map(inherited);
  for (const [name, raw] of Object.entries(deps)) versions.set(name, str((raw as V1Dep | null)?.version));
  for (const [name, raw] of Object.entries(deps)) {
    const dep = (record(raw) ?? {}) as V1Dep;
    const nested = record(dep.dependencies);
    const dependsOn: string[] = [];
    for (const req of Object.keys(record(dep.requires) ?? {})) {
      const own = nested?.[req] as V1Dep | undefined;
      const version = own !== undefined ? str(own.version) : versions.get(req);
      if (version !== undefined) dependsOn.push(`${req}@${version}`);
    }
    add(acc, name, str(dep.version), dep.dev === true, true, dependsOn);
    if (nested) parseV1(nested, versions, acc);
  }
}

/** v2/v3: the flat `packages` map keyed by install path. */
function parseV2(input: Record<string, V2Pkg>, acc: Map<string, Entry>): void {
  const packages = resolveLinks(input);
  const root = packages.get('') ?? {};
  const direct = new Set<string>();
  for (const name of [...keys(root.dependencies), ...keys(root.optionalDependencies), ...keys(root.devDependencies)]) {
    const p = `${NODE_MODULES}/${name}`;
    if (packages.has(p)) direct.add(p);
  }
  for (const [pkgPath, pkg] of packages) {
    if (!pkgPath.startsWith(NODE_MODULES)) continue;
    const name = str(pkg.name) || nameFromPath(pkgPath);
    const dependsOn: string[] = [];
    for (const depName of new Set([...keys(pkg.dependencies), ...keys(pkg.optionalDependencies)])) {
      const version = findDependency(pkgPath, depName, packages);
      if (version !== undefined) dependsOn.push(`${depName}@${version}`);
    }
    add(acc, name, str(pkg.version), pkg.dev === true, !direct.has(pkgPath), dependsOn);
  }
}

/**
 * Local packages are links: `node_modules/a` -> `packages/a`. The target (and everything below it) moves under the
 * link's path, and a workspace target becomes a direct dependency of the root, as trivy does.
 */
function resolveLinks(input: Record<string, V2Pkg>): Map<string, V2Pkg> {
  const packages = new Map(Object.entries(input).map(([k, v]) => [k, (record(v) ?? {}) as V2Pkg]));
  const links = [...packages].filter(([, p]) => p.link === true && str(p.resolved) !== '').sort(([a], [b]) => (a < b ? -1 : 1));
  if (links.length === 0) return packages;
  const root = { ...(packages.get('') ?? {}) };
  const rootDeps: Record<string, unknown> = { ...(record(root.dependencies) ?? {}) };
  const workspaces = Array.isArray(root.workspaces) ? root.workspaces.filter((w): w is string => typeof w === 'string') : [];
  for (const [pkgPath, original] of [...packages]) {
    for (const [linkPath, link] of links) {
      const target = str(link.resolved);
      if (!pkgPath.startsWith(target)) continue;
      const pkg = str(original.resolved) === '' ? { ...original, resolved: target } : original;
      packages.delete(pkgPath);
      packages.set(pkgPath.split(target).join(linkPath), pkg);
      if (workspaces.some((w) => globMatch(w, pkgPath))) rootDeps[nameFromPath(linkPath)] = str(pkg.version);
      break;
    }
  }
  packages.set('', { ...root, dependencies: rootDeps });
  return packages;
}

/** The version installed where node would find `depName` from `pkgPath`: the nearest node_modules upwards. */
function findDependency(pkgPath: string, depName: string, packages: ReadonlyMap<string, V2Pkg>): string | undefined {
  const parts = `${pkgPath}/${NODE_MODULES}`.split('/');
  for (let i = parts.length - 1; i >= 0; i--) {
    if (parts[i] !== NODE_MODULES) continue;
    const dep = packages.get(`${parts.slice(0, i + 1).join('/')}/${depName}`);
    if (dep) return str(dep.version);
  }
  return undefined;
}

/** `node_modules/a/node_modules/@s/b` -> `@s/b`. */
function nameFromPath(p: string): string {
  const i = p.lastIndexOf(NODE_MODULES);
  return i === -1 ? p : p.slice(i + NODE_MODULES.length + 1);
}

/** Go's path.Match for workspace globs: `*` and `?` never cross a `/`. */
function globMatch(glob: string, p: string): boolean {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${re}$`).test(p);
}

function keys(v: unknown): string[] {
  return Object.keys(record(v) ?? {});
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
