import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { renderSarif, sarifLevel, securitySeverity } from '../../src/report/render/sarif.js';
import { HOSTILE, sampleReport } from './report-data.js';

const schema = JSON.parse(readFileSync(new URL('../../fixtures/report/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('uri', (s: string) => /^[a-z][a-z0-9+.-]*:[^\s<>"{}|\\^`]*$/i.test(s));
ajv.addFormat('uri-reference', (s: string) => /^[^\s<>"{}|\\^`]*$/.test(s));
const validate = ajv.compile(schema);
const opts = { color: false, toolVersion: '0.1.0' };

describe('SARIF 2.1.0', () => {
  it('validates against the SARIF 2.1.0 schema, hostile advisory included', () => {
    const log = JSON.parse(renderSarif(sampleReport(), opts));
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('the schema rejects what GitHub would reject (the validation can fail)', () => {
    const log = JSON.parse(renderSarif(sampleReport(), opts));
    log.runs[0].results[0].level = 'fatal';
    log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 'has space';
    log.runs[0].tool.driver.rules[0].bogus = 1;
    expect(validate(log)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath).sort()).toEqual(
      ['/runs/0/results/0/level', '/runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri', '/runs/0/tool/driver/rules/0'].sort(),
    );
  });

  it('one run per project, one rule per alias group, results at the lockfile paths with the fix in the help', () => {
    const log = JSON.parse(renderSarif(sampleReport(), opts));
    expect(log.runs.map((r: { automationDetails: { id: string } }) => r.automationDetails.id)).toEqual(['icms/github.com/acme/evil@main/', 'icms/github.com/acme/search-tool@main/', 'icms/github.com/acme/web-frontend@main/']);
    const web = log.runs[2];
    expect(web.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['CVE-2021-3749', 'CVE-2022-0155']); // the fixed CVE-2020-28168 is left out
    expect(web.results.map((r: { ruleId: string; ruleIndex: number }) => [r.ruleId, r.ruleIndex])).toEqual([['CVE-2021-3749', 0], ['CVE-2022-0155', 1]]);
    expect(web.results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('yarn.lock');
    expect(web.tool.driver.rules[0].help.text).toContain('axios 0.19.0: upgrade axios to 0.21.2');
    expect(web.tool.driver.rules[0].properties['security-severity']).toBe('7.5');
    expect(log.runs[1].tool.driver.rules[0].defaultConfiguration.level).toBe('error');
  });

  it('accepted findings are suppressed with the reason; paths are URI-encoded; only http(s) references are linked', () => {
    const evil = JSON.parse(renderSarif(sampleReport(), opts)).runs[0];
    expect(evil.results[0].suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: '-only in <b>tests</b>\n| not shipped' }]);
    expect(evil.results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('sub%20dir/package-lock.json');
    const rule = evil.tool.driver.rules[0];
    expect(rule.helpUri).toBe('https://example.com/advisory?a=1&b=%3Cx%3E');
    expect(JSON.stringify(rule)).not.toContain(HOSTILE.jsRef);
    expect(rule.help.markdown).not.toContain('<img');
  });

  it.each([
    ['CRITICAL', 'error'],
    ['HIGH', 'error'],
    ['MEDIUM', 'warning'],
    ['LOW', 'note'],
    ['UNKNOWN', 'note'],
  ] as const)('%s -> level %s', (sev, level) => {
    expect(sarifLevel(sev)).toBe(level);
  });

  it.each([
    ['HIGH', 8.1, '8.1'],
    ['CRITICAL', null, '9.5'],
    ['HIGH', null, '8.0'],
    ['MEDIUM', null, '5.5'],
    ['LOW', null, '2.0'],
    ['UNKNOWN', null, undefined],
  ] as const)('security-severity of %s with score %s is %s', (sev, score, expected) => {
    expect(securitySeverity(sev, score)).toBe(expected);
  });

  it('an empty report is still a valid log with one run (so code scanning closes old alerts)', () => {
    const log = JSON.parse(renderSarif({ ...sampleReport(), findings: [], projects: [] }, opts));
    expect(validate(log)).toBe(true);
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0].results).toEqual([]);
  });
});
