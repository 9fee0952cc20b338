/**
 * Environmental CVSS: re-scores a finding's base vector for how a project is deployed.
 * Spec: https://www.first.org/cvss/v3.1/specification-document#Environmental-Metrics (v3.x) and
 * https://www.first.org/cvss/v4.0/specification-document#Environmental-Metrics (v4.0); scores by ae-cvss-calculator.
 */
import cvssLib from 'ae-cvss-calculator';
import type { Severity } from '../model/types.js';
import { usageError } from '../shared/errors.js';

/** Environmental metrics to set, by CVSS v3.1 short name (MAV, MAC, MPR, MUI, MS, MC, MI, MA, CR, IR, AR). */
export type EnvProfile = Readonly<Record<string, string>>;

/** The team policy: internal deployments are reachable from the adjacent network only; confidentiality matters most. */
export const BUILTIN_PROFILES: Readonly<Record<string, EnvProfile>> = {
  internal: { MAV: 'A', CR: 'H', IR: 'M', AR: 'L' },
  internet: {},
};

const V3_VALUES: Record<string, readonly string[]> = {
  MAV: ['N', 'A', 'L', 'P', 'X'],
  MAC: ['L', 'H', 'X'],
  MPR: ['N', 'L', 'H', 'X'],
  MUI: ['N', 'R', 'X'],
  MS: ['U', 'C', 'X'],
  MC: ['N', 'L', 'H', 'X'],
  MI: ['N', 'L', 'H', 'X'],
  MA: ['N', 'L', 'H', 'X'],
  CR: ['L', 'M', 'H', 'X'],
  IR: ['L', 'M', 'H', 'X'],
  AR: ['L', 'M', 'H', 'X'],
};

// v4.0 names the same requirements alike; the vulnerable-system impacts are MVC/MVI/MVA and scope is gone.
const V4_NAME: Record<string, string | undefined> = {
  MAV: 'MAV', MAC: 'MAC', MPR: 'MPR', MUI: undefined, MS: undefined, MC: 'MVC', MI: 'MVI', MA: 'MVA', CR: 'CR', IR: 'IR', AR: 'AR',
};

/** Built-in profiles with the configured ones merged over them; every metric and value validated (exit 2). */
export function resolveProfiles(configured: Readonly<Record<string, Readonly<Record<string, string>>>>): Record<string, EnvProfile> {
  const out: Record<string, EnvProfile> = { ...BUILTIN_PROFILES };
  for (const [name, metrics] of Object.entries(configured)) {
    const profile: Record<string, string> = {};
    for (const [rawKey, rawValue] of Object.entries(metrics)) {
      const key = rawKey.toUpperCase();
      const value = String(rawValue).toUpperCase();
      const allowed = V3_VALUES[key];
      if (!allowed) throw usageError(`triage.profiles.${name}: unknown metric ${rawKey}`, `use CVSS v3.1 environmental metrics: ${Object.keys(V3_VALUES).join(', ')}`);
      if (!allowed.includes(value)) throw usageError(`triage.profiles.${name}.${rawKey}: ${rawValue} is not one of ${allowed.join(', ')}`, 'see the CVSS v3.1 specification, section 4');
      profile[key] = value;
    }
    out[name] = profile;
  }
  return out;
}

/** The profile name for a project: its `exposure` label when a profile of that name exists, else the default. */
export function profileNameFor(labels: Readonly<Record<string, string>>, profiles: Readonly<Record<string, EnvProfile>>, defaultProfile: string): string {
  const exposure = labels.exposure;
  return exposure !== undefined && profiles[exposure] ? exposure : defaultProfile;
}

export interface EnvScore {
  score: number;
  severity: Severity;
  /** The vector that was scored (base plus the profile's metrics). */
  vector: string;
}

/** Environmental score of a v3.x or v4.0 base vector under `profile`; undefined for v2, unparseable or incomplete vectors. */
export function environmentalScore(baseVector: string, profile: EnvProfile): EnvScore | undefined {
  const isV4 = baseVector.startsWith('CVSS:4.0/');
  if (!isV4 && !/^CVSS:3\.[01]\//.test(baseVector)) return undefined;
  const metrics: Record<string, string> = {};
  for (const [k, v] of Object.entries(profile)) {
    const name = isV4 ? V4_NAME[k] : k;
    if (name && v !== 'X') metrics[name] = v;
  }
  const vector = withMetrics(baseVector, metrics);
  try {
    const parsed = cvssLib.fromVector(vector);
    if (!parsed || !parsed.isBaseFullyDefined()) return undefined;
    const scores = parsed.calculateScores() as { environmental?: number; base?: number };
    // v4.0 has no separate environmental equation: the one score covers every metric group present.
    const score = scores.environmental ?? scores.base;
    if (typeof score !== 'number' || !Number.isFinite(score)) return undefined;
    return { score, severity: severityOf(score), vector };
  } catch {
    return undefined;
  }
}

/** Replaces or appends `metrics` in a vector string, keeping the order of the others. */
function withMetrics(vector: string, metrics: Record<string, string>): string {
  const [prefix, ...parts] = vector.split('/');
  const kept = parts.filter((p) => !(p.split(':')[0]! in metrics));
  return [prefix, ...kept, ...Object.entries(metrics).map(([k, v]) => `${k}:${v}`)].join('/');
}

/** Qualitative rating of a v3/v4 score (spec §5: 0 None, 0.1-3.9 Low, 4-6.9 Medium, 7-8.9 High, 9-10 Critical). */
export function severityOf(score: number): Severity {
  if (score === 0) return 'NONE';
  if (score < 4) return 'LOW';
  if (score < 7) return 'MEDIUM';
  if (score < 9) return 'HIGH';
  return 'CRITICAL';
}

/** Settings of the environmental re-score (config `triage.*`). */
export interface EnvSettings {
  profiles: Readonly<Record<string, Readonly<Record<string, string>>>>;
  defaultProfile: string;
}

/** A scorer for findings: picks each project's profile by its `exposure` label and scores the base vector. */
export function makeEnvScorer(
  projects: readonly { id: number; labels: Readonly<Record<string, string>> }[],
  settings: EnvSettings,
): (projectId: number, vector: string | undefined) => EnvScore | undefined {
  const profiles = resolveProfiles(settings.profiles);
  if (!profiles[settings.defaultProfile]) {
    throw usageError(`triage.default_profile: no profile named ${settings.defaultProfile}`, `define it under triage.profiles or use one of ${Object.keys(profiles).join(', ')}`);
  }
  const byProject = new Map(projects.map((p) => [p.id, profileNameFor(p.labels, profiles, settings.defaultProfile)]));
  // one cache per profile, keyed by vector: this runs once per finding (a few hundred thousand on a big portfolio)
  const caches = new Map<string, Map<string, EnvScore | undefined>>();
  return (projectId, vector) => {
    if (!vector) return undefined;
    const name = byProject.get(projectId) ?? settings.defaultProfile;
    let cache = caches.get(name);
    if (!cache) caches.set(name, (cache = new Map()));
    if (!cache.has(vector)) cache.set(vector, environmentalScore(vector, profiles[name]!));
    return cache.get(vector);
  };
}
