/** Which trivy icms runs (config, PATH, bundled) and its version, cached; shared by scan and doctor. */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { effectiveTrivyVersion, locateTrivy, type LocatedTrivy } from '../scanner/locate-trivy.js';
import { trivyVersion, type TrivyRunOptions } from '../scanner/trivy.js';
import { writeFileAtomic } from '../shared/atomic-write.js';
import type { Session } from './session.js';

/** The trivy to run and the options of every run, from the session's config. */
export async function trivyContext(s: Session) {
  const located = locateTrivy({ configured: s.config.trivy.path, pathEnv: s.ctx.env.PATH });
  const version = await cachedTrivyVersion(s, located);
  s.logger.debug(`trivy: ${located.path} (${located.source}, version ${version})`);
  const tmpDir = path.join(s.config.workDir, 'tmp');
  const cacheDir = path.join(s.config.workDir, 'trivy-cache');
  mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const runOpts: TrivyRunOptions = { timeoutMs: s.config.trivy.timeoutMs, cacheDir, tmpDir, extraArgs: s.config.trivy.extraArgs, env: s.ctx.env, trivyVersion: version, maxReportBytes: s.config.trivy.maxReportMb * 1024 * 1024 };
  return { trivy: { path: located.path, version }, runOpts };
}

/**
 * `trivy --version` costs seconds of start-up with some builds; an unchanged portfolio should cost only its
 * git fetches, so the answer is cached per binary (path, size, mtime) in the work dir.
 */
export async function cachedTrivyVersion(s: Session, located: LocatedTrivy): Promise<string> {
  return effectiveTrivyVersion(await reportedTrivyVersion(s, located.path), located);
}

async function reportedTrivyVersion(s: Session, trivy: string): Promise<string> {
  const file = path.join(s.config.workDir, 'trivy-version.json');
  const st = statSync(trivy);
  const key = `${trivy}\0${st.size}\0${st.mtimeMs}`;
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { key?: string; version?: string };
    if (cached.key === key && cached.version) return cached.version;
  } catch {
    // no cache yet
  }
  const version = await trivyVersion(trivy, s.ctx.env);
  await writeFileAtomic(file, JSON.stringify({ key, version }));
  return version;
}
