import { describe, it, expect } from 'vitest';
import { parseAdvisorySources, SOURCE_DEFAULTS } from '../../src/advisories/config.js';
import { IcmsError } from '../../src/shared/errors.js';

describe('parseAdvisorySources', () => {
  it('fills defaults and resolves a relative path against the config directory', () => {
    const sources = parseAdvisorySources(
      [
        { name: 'osv-local', type: 'osv', path: 'data/osv' },
        { name: 'osv-pypi', type: 'osv', url: 'https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip', retries: 5 },
        { name: 'vtopia', type: 'vtopia', url: 'http://cve.example/api/list', page_size: 50, timeout_ms: 5000, drop_low_credibility: true },
      ],
      '/etc/icms',
    );
    expect(sources).toEqual([
      { name: 'osv-local', type: 'osv', path: '/etc/icms/data/osv', url: undefined, timeoutMs: 30_000, retries: 3, backoffMs: 1000 },
      { name: 'osv-pypi', type: 'osv', path: undefined, url: 'https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip', timeoutMs: 30_000, retries: 5, backoffMs: 1000 },
      { name: 'vtopia', type: 'vtopia', url: 'http://cve.example/api/list', pageSize: 50, maxPages: SOURCE_DEFAULTS.maxPages, dropLowCredibility: true, timeoutMs: 5000, retries: 3, backoffMs: 1000 },
    ]);
    expect(parseAdvisorySources(undefined, '/')).toEqual([]);
  });

  it.each([
    [{ name: 'a', type: 'osv' }, /exactly one of "path" or "url"/],
    [{ name: 'a', type: 'osv', path: 'x', url: 'http://x/all.zip' }, /exactly one of "path" or "url"/],
    [{ name: 'a', type: 'osv', url: 'ftp://x/all.zip' }, /url must be an http\(s\) URL/],
    [{ name: 'a', type: 'nvd' }, /an nvd source needs exactly one of "path" or "url"/],
    [{ name: 'a', type: 'ghsa' }, /type must be one of osv, vtopia, nvd, kev, epss/],
    [{ name: 'a', type: 'nvd', url: 'https://services.nvd.nist.gov/rest/json/cves/2.0', page_size: 5000 }, /page_size must be at most 2000/],
    [{ name: 'a', type: 'nvd', url: 'https://services.nvd.nist.gov/rest/json/cves/2.0', api_key_env: 'abc-123 key' }, /api_key_env must name an environment variable/],
    [{ name: 'a', type: 'kev', path: 'k.json', url: 'https://x/k.json' }, /a kev source needs exactly one of "path" or "url"/],
    [{ name: 'a b', type: 'osv', path: 'x' }, /name must be a word/],
    [{ name: 'v', type: 'vtopia', url: 'http://x', page_size: 0 }, /page_size must be at least 1/],
    [{ name: 'v', type: 'vtopia', url: 'http://x', retries: -1 }, /retries must be a whole number/],
    [{ name: 'v', type: 'vtopia', url: 'http://x', drop_low_credibility: 'yes' }, /drop_low_credibility must be true or false/],
  ])('rejects %j', (entry, message) => {
    expect(() => parseAdvisorySources([entry], '/', 'icms.yaml')).toThrow(message);
    try {
      parseAdvisorySources([entry], '/', 'icms.yaml');
    } catch (err) {
      expect(err).toBeInstanceOf(IcmsError);
      expect((err as IcmsError).exitCode).toBe(2);
    }
  });

  it('rejects duplicate names and a non-list', () => {
    expect(() => parseAdvisorySources([{ name: 'a', type: 'osv', path: 'x' }, { name: 'a', type: 'osv', path: 'y' }], '/')).toThrow(/duplicate source name "a"/);
    expect(() => parseAdvisorySources({ name: 'a' }, '/')).toThrow(/must be a list/);
  });
});
