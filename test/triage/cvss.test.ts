import { describe, it, expect } from 'vitest';
import { BUILTIN_PROFILES, environmentalScore, makeEnvScorer, profileNameFor, resolveProfiles } from '../../src/triage/cvss.js';
import { IcmsError } from '../../src/shared/errors.js';

const internal = BUILTIN_PROFILES.internal!;
const internet = BUILTIN_PROFILES.internet!;

/*
 * Expected values computed by hand with the CVSS v3.1 specification, section 7.3 (environmental equations):
 *   MISS = min(1 - (1 - CR*MC)(1 - IR*MI)(1 - AR*MA), 0.915)      CR/IR/AR: H 1.5, M 1.0, L 0.5; C/I/A: H 0.56, L 0.22, N 0
 *   S:U  ModifiedImpact = 6.42 * MISS
 *   S:C  ModifiedImpact = 7.52 * (MISS - 0.029) - 3.25 * (MISS * 0.9731 - 0.02)^13
 *   ModifiedExploitability = 8.22 * MAV * MAC * MPR * MUI         MAV: N 0.85, A 0.62; AC: L 0.77, H 0.44; PR:N 0.85; UI: N 0.85, R 0.62
 *   Env = Roundup(min(MI + ME, 10)) for S:U, Roundup(min(1.08 * (MI + ME), 10)) for S:C (temporal metrics X = 1).
 * The internal profile is MAV:A / CR:H / IR:M / AR:L.
 */
describe('environmentalScore (CVSS v3.x, internal profile)', () => {
  it.each([
    // C:H/I:H/A:H: MISS = min(1 - 0.16*0.44*0.72, 0.915) = min(0.949312, 0.915) = 0.915 -> MI = 5.87430;
    // ME = 8.22*0.62*0.77*0.85*0.85 = 2.83525; sum 8.70955 -> 8.8 (not 8.9: the Roundup of 8.70955 is 8.8). Base 9.8.
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 8.8, 'HIGH'],
    // A:H only (axios GHSA-cph5-m8f7-6c5x): MISS = 1 - (1 - 0.5*0.56) = 0.28 -> MI = 1.79760; ME = 2.83525; 4.63285 -> 4.7. Base 7.5.
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 4.7, 'MEDIUM'],
    // C:H only, AC:H (axios GHSA-4w2v-q235-vp99): MISS = 1 - (1 - 1.5*0.56) = 0.84 -> MI = 5.39280;
    // ME = 8.22*0.62*0.44*0.85*0.85 = 1.62015; 7.01295 -> 7.1 (base 5.9: confidentiality weighs more inside).
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.1, 'HIGH'],
    // A:H only, AC:H: MI = 1.79760, ME = 1.62015; 3.41775 -> 3.5. Base 5.9.
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H', 3.5, 'LOW'],
    // S:C, C:L/I:L: MISS = 1 - (1 - 1.5*0.22)(1 - 0.22)(1 - 0) = 1 - 0.67*0.78 = 0.4774;
    // MI = 7.52*0.4484 - 3.25*(0.4774*0.9731 - 0.02)^13 = 3.371968 - 0.000086 = 3.371882;
    // ME = 8.22*0.62*0.77*0.85*0.62 = 2.068066; 1.08 * 5.439948 = 5.875144 -> 5.9. Base 6.1.
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 5.9, 'MEDIUM'],
    // v3.0, same equations for S:U: MISS = 0.84 -> MI = 5.39280; ME = 2.83525; 8.22805 -> 8.3. Base 7.5.
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 8.3, 'HIGH'],
  ])('%s -> %s', (vector, score, severity) => {
    expect(environmentalScore(vector, internal)).toMatchObject({ score, severity });
  });

  it('overrides environmental metrics already in the vector', () => {
    // MAV:N in the vector is replaced by the profile's MAV:A: same as the first case above.
    expect(environmentalScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MAV:N/CR:L', internal)?.score).toBe(8.8);
  });

  it('keeps the base score under the internet profile (all environmental metrics X)', () => {
    // MISS = min(1 - 0.44^3, 0.915) = 0.914816 -> MI = 5.87312; ME = 8.22*0.85*0.77*0.85*0.85 = 3.88704; 9.76016 -> 9.8.
    expect(environmentalScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', internet)).toMatchObject({ score: 9.8, severity: 'CRITICAL' });
  });
});

describe('environmentalScore (CVSS v4.0)', () => {
  it('maps the profile onto v4 metrics and scores with the macrovector table', () => {
    /*
     * FIRST v4.0 calculator (cvss_lookup.js and the scoring in the specification, section 8):
     * AV:N->MAV:A, PR:N, UI:N gives EQ1 = 1; AC:L/AT:N EQ2 = 0; VC:H/VI:H EQ3 = 0; SC/SI/SA:N EQ4 = 2; E:X EQ5 = 0;
     * CR:H with VC:H EQ6 = 0 -> macrovector 100200 = 8.7. Severity distances: EQ3+EQ6 = IR M 0.1 + AR L 0.2 = 0.3
     * of max 0.7, available distance 8.7 - max(100201 = 7.5, 101200 = 7.2) = 1.2 -> 0.514286; EQ4 distance 0.3 but
     * no lower macrovector (EQ4 = 3 does not exist); EQ1, EQ2, EQ5 distances 0 with lower macrovectors 200200 = 7.0,
     * 110200 = 7.7, 100210 = 7.4 present. Mean over 4 = 0.128571; 8.7 - 0.128571 = 8.571 -> 8.6. Base 9.3.
     */
    expect(environmentalScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', internal)).toMatchObject({ score: 8.6, severity: 'HIGH' });
  });
});

describe('environmentalScore: nothing to score', () => {
  it.each(['AV:N/AC:L/Au:N/C:P/I:P/A:P', 'CVSS:3.1/AV:N/AC:L', 'not a vector', ''])('%j', (vector) => {
    expect(environmentalScore(vector, internal)).toBeUndefined();
  });
});

describe('profiles', () => {
  it('merges configured profiles over the built-in ones and picks them by the exposure label', () => {
    const profiles = resolveProfiles({ dmz: { mav: 'n', CR: 'M' }, internal: { MAV: 'L' } });
    expect(profiles.internal).toEqual({ MAV: 'L' });
    expect(profiles.internet).toEqual({});
    expect(profileNameFor({ exposure: 'dmz' }, profiles, 'internal')).toBe('dmz');
    expect(profileNameFor({ exposure: 'moon' }, profiles, 'internal')).toBe('internal');
    expect(profileNameFor({}, profiles, 'internet')).toBe('internet');
  });

  it.each([[{ p: { MXX: 'A' } }, /unknown metric MXX/], [{ p: { MAV: 'Q' } }, /MAV: Q is not one of/]])('rejects %j', (configured, message) => {
    expect(() => resolveProfiles(configured)).toThrow(message);
  });

  it('scores each project with its profile', () => {
    const score = makeEnvScorer([{ id: 1, labels: { exposure: 'internet' } }, { id: 2, labels: {} }], { profiles: {}, defaultProfile: 'internal' });
    const v = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
    expect(score(1, v)?.score).toBe(9.8);
    expect(score(2, v)?.score).toBe(8.8);
    expect(score(2, undefined)).toBeUndefined();
  });

  it('rejects an unknown default profile (exit 2)', () => {
    expect(() => makeEnvScorer([], { profiles: {}, defaultProfile: 'nope' })).toThrow(IcmsError);
  });
});
