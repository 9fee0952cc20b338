import { describe, it, expect } from 'vitest';
import { DEFAULT_SEVERITY_ORDER, ratingLabel, resolveRating, type GroupRating } from '../../src/matcher/rating.js';

const go: GroupRating = { source: 'osv', sourceKind: 'osv', record: 'GO-2024-3321', severity: 'UNKNOWN', score: undefined, vector: undefined };
const ghsaText: GroupRating = { source: 'osv', sourceKind: 'osv', record: 'GHSA-v778-237x-gjrc', severity: 'CRITICAL', score: undefined, vector: undefined };
const nvdPrimary: GroupRating = { source: 'nvd', sourceKind: 'nvd', record: 'CVE-2024-45337', severity: 'HIGH', score: 7.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', scorer: 'nvd@nist.gov', nvdType: 'Primary' };
const nvdV4: GroupRating = { source: 'nvd', sourceKind: 'nvd', record: 'CVE-2024-45337', severity: 'MEDIUM', score: 6.9, vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', scorer: 'security@golang.org', nvdType: 'Secondary' };
const nvdV31Secondary: GroupRating = { ...nvdPrimary, severity: 'CRITICAL', score: 9.1, scorer: '134c704f-9b21-4f2e-91b3-4a467353bcc0', nvdType: 'Secondary' };
const vtopia: GroupRating = { source: 'cve-manager', sourceKind: 'vtopia', record: 'CVE-2024-45337', severity: 'LOW', score: 3.1, vector: undefined };
const ownIs = (...own: GroupRating[]) => (r: GroupRating) => own.includes(r);

describe('resolveRating', () => {
  it.each([
    ['the matching advisory rates nothing: GHSA\'s word wins, the score comes from NVD Primary', [go, ghsaText, nvdPrimary, nvdV31Secondary], [go], DEFAULT_SEVERITY_ORDER, 'CRITICAL', 'osv:GHSA-v778-237x-gjrc', 7.5],
    ['without GHSA: NVD Primary before Secondary', [go, nvdV31Secondary, nvdPrimary], [go], DEFAULT_SEVERITY_ORDER, 'HIGH', 'nvd:CVE-2024-45337 (nvd@nist.gov, Primary)', 7.5],
    ['only Secondary metrics: the newest CVSS version first', [go, nvdV4, nvdV31Secondary], [go], DEFAULT_SEVERITY_ORDER, 'MEDIUM', 'nvd:CVE-2024-45337 (security@golang.org, Secondary)', 6.9],
    ['the matching advisory\'s own rating first', [vtopia, nvdPrimary], [vtopia], DEFAULT_SEVERITY_ORDER, 'LOW', 'cve-manager:CVE-2024-45337', 3.1],
    ['a source name in the order', [vtopia, nvdPrimary, ghsaText], [go], ['cve-manager', 'other'], 'LOW', 'cve-manager:CVE-2024-45337', 3.1],
    ['nothing rates it', [go], [go], DEFAULT_SEVERITY_ORDER, 'UNKNOWN', undefined, undefined],
  ] as const)('%s', (_name, ratings, own, order, severity, source, score) => {
    const r = resolveRating(ratings, ownIs(...own), order);
    expect([r.severity, r.winner ? ratingLabel(r.winner) : undefined, r.score]).toEqual([severity, source, score]);
  });
});
