/** Alpine: apk-tools. The table is apk-tools' test/version.data (copied in fixtures/versions/upstream). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alpineScheme } from '../../src/versions/alpine.js';
import { expectComparison, parseOpLines } from './helpers.js';

const DATA = parseOpLines(
  readFileSync(new URL('../../fixtures/versions/upstream/apk-tools-version.data', import.meta.url), 'utf8'),
);

describe('Alpine', () => {
  it('has the upstream table', () => expect(DATA.length).toBeGreaterThan(300));

  it.each(DATA)('%s vs %s = %i (version.data)', (a, b, want) => {
    expect(Math.sign(alpineScheme.compare(a, b)) || 0).toBe(want);
    expect(Math.sign(alpineScheme.compare(b, a)) || 0).toBe(want === 0 ? 0 : -want);
  });

  // Suffix order from version.c's tables; real bounds from ALPINE-CVE-2020-1747 (py3-yaml).
  it.each([
    ['1.0_alpha1', '1.0_beta1', -1], ['1.0_beta1', '1.0_pre1', -1], ['1.0_pre1', '1.0_rc1', -1], ['1.0_rc1', '1.0', -1],
    ['1.0', '1.0_cvs1', -1], ['1.0_cvs1', '1.0_svn1', -1], ['1.0_svn1', '1.0_git1', -1], ['1.0_git1', '1.0_hg1', -1],
    ['1.0_hg1', '1.0_p1', -1], ['1.2', '1.2a', -1], ['1.2a', '1.2.1', -1], ['1.01', '1.1', -1],
    // Token order (END after REVISION_NO): a revision, even -r0, sorts above none.
    ['5.3.1-r0', '5.3.1', 1], ['5.3.0-r2', '5.3.1-r0', -1],
  ] as const)('%s vs %s = %i', (a, b, s) => expectComparison(alpineScheme, a, b, s));

  it.each(['', '1.0-1', '1.0_foo', '1.0bc', '1.0-r', '1.0 ', '1..0-x'])('rejects %j', (v) => {
    expect(alpineScheme.isValid(v)).toBe(false);
  });
});
