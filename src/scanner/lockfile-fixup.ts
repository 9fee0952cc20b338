/**
 * Replaces the npm package-lock lists of a trivy that lists them differently from run to run (trivy before 0.50,
 * the bundled 0.44.1 included) with the lockfile's own complete list, read by `npm-lock.ts`. A newer trivy's
 * report is left exactly as it is.
 */
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { NpmLockError, npmLockRows } from './npm-lock.js';

/** The first trivy release that lists package-lock v2/v3 deterministically (aquasecurity/trivy#6356). */
const FIXED_IN = '0.50.0';

/** What was replaced in one Result; stored with the scan so a reader sees where the list came from. */
export interface LockfileReplacement {
  target: string;
  lockfileVersion: number;
  /** Production packages read from the lockfile. */
  packages: number;
  /** Rows trivy listed for the same file on this run. */
  trivyListed: number;
}

/**
 * true when this trivy version lists npm lockfiles unstably: any release before 0.50.0, and any version string
 * that is not a release ("dev", the cdxgen build's answer) since that cannot be shown to have the fix.
 */
export function trivyListsNpmLockUnstably(version: string | undefined): boolean {
  const release = /^v?(\d+\.\d+\.\d+)/.exec(version ?? '')?.[1];
  return release === undefined || semver.lt(release, FIXED_IN);
}

/** The rows of one lockfile that stand in for trivy's, or why they could not be read. */
export type LockfileList = { target: string; lockfileVersion: number; rows: unknown[] } | { warning: string };

/**
 * The lockfile's production packages for one Result (`Target`, `Class`, `Type` as trivy wrote them) of a `trivy fs`
 * report over `dir`; undefined when the Result is not an npm package-lock inside `dir`.
 */
export async function lockfileListFor(r: { Target?: unknown; Class?: unknown; Type?: unknown }, dir: string): Promise<LockfileList | undefined> {
  if (r.Class !== 'lang-pkgs' || r.Type !== 'npm') return undefined;
  const target = typeof r.Target === 'string' ? r.Target : '';
  if (path.basename(target) !== 'package-lock.json') return undefined;
  const file = path.resolve(dir, target);
  if (path.relative(dir, file).startsWith('..') || path.isAbsolute(path.relative(dir, file))) return undefined;
  try {
    if (!(await lstat(file)).isFile()) throw new NpmLockError('not a regular file');
    const list = npmLockRows(JSON.parse(await readFile(file, 'utf8')) as unknown);
    return { target, lockfileVersion: list.lockfileVersion, rows: list.rows };
  } catch (err) {
    return { warning: `${target}: kept trivy's npm list, the lockfile could not be read (${err instanceof Error ? err.message : String(err)})` };
  }
}

/** The line stored with the scan for one replaced list. */
export function replacementNote(r: LockfileReplacement, trivyVersion: string): string {
  return (
    `${r.target}: npm packages read from the lockfile (lockfileVersion ${r.lockfileVersion}): ${r.packages} production packages ` +
    `(trivy ${trivyVersion} listed ${r.trivyListed}; before 0.50 it drops packages that are dev at one path and production at another on some runs)`
  );
}
