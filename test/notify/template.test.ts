import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../src/notify/template.js';
import { digestTemplate } from '../../src/notify/render-digest.js';
import { advisoryUrl } from '../../src/notify/links.js';
import { escapeHtml, headerSafe, isPlainAddress } from '../../src/notify/escape.js';
import { IcmsError } from '../../src/shared/errors.js';

const scope = { values: ['name'], blocks: ['body'] };

describe('compileTemplate', () => {
  it('escapes every {{value}} and inserts {{{block}}} as given', () => {
    const t = compileTemplate('<p>Hi {{ name }}</p>{{{body}}}', scope, 't.html');
    expect(t.render({ name: '<img src=x onerror=alert(1)>"&\'' }, { body: '<table></table>' })).toBe('<p>Hi &lt;img src=x onerror=alert(1)&gt;&quot;&amp;&#39;</p><table></table>');
  });

  it.each([
    ['{{{name}}}', /not an icms block/],
    ['{{nope}}', /unknown template value \{\{nope\}\}/],
    ['<p>{{ name </p>', /malformed template tag/],
    ['line1\nline2 {{{script}}}', /t.html:2:/],
  ])('refuses %j', (src, message) => {
    expect(() => compileTemplate(src, scope, 't.html')).toThrow(message);
    expect(() => compileTemplate(src, scope, 't.html')).toThrow(IcmsError);
  });

  it('the shipped default template compiles against the digest scope', () => {
    expect(() => digestTemplate()).not.toThrow();
  });
});

describe('advisoryUrl', () => {
  it.each([
    ['CVE-2021-3749', [], {}, 'https://nvd.nist.gov/vuln/detail/CVE-2021-3749'],
    ['GHSA-cph5-m8f7-6c5x', [], {}, 'https://github.com/advisories/GHSA-cph5-m8f7-6c5x'],
    ['GO-2022-0969', [], {}, 'https://osv.dev/vulnerability/GO-2022-0969'],
    ['RUSTSEC-2021-0001', ['osv-rust'], { 'osv-rust': 'https://rustsec.org/advisories/' }, 'https://rustsec.org/advisories/RUSTSEC-2021-0001'],
    ['CVE-2021-3749', ['vtopia'], { vtopia: 'javascript:alert(1)//' }, 'https://nvd.nist.gov/vuln/detail/CVE-2021-3749'],
    ['a/../b?c=<x>', [], {}, 'https://osv.dev/vulnerability/a%2F..%2Fb%3Fc%3D%3Cx%3E'],
  ])('%s from %j with %j -> %s', (id, sources, links, url) => {
    expect(advisoryUrl(id, sources, links)).toBe(url);
  });
});

describe('escaping helpers', () => {
  it.each([
    ['Mallory\r\nBcc: victim@evil.test', 'Mallory Bcc: victim@evil.test'],
    ['a\u0000b\u001bc\u2028d', 'a b c d'],
    ['  spaced   out  ', 'spaced out'],
  ])('headerSafe(%j) = %j', (raw, clean) => {
    expect(headerSafe(raw)).toBe(clean);
  });
  it('caps long header values', () => {
    expect(headerSafe('x'.repeat(500)).length).toBe(200);
  });
  it.each([
    ['alice@example.com', true],
    ['a.b+tag@sub.example.co', true],
    ['alice@example.com\r\nBcc: x@y', false],
    ['"quoted"@example.com', false],
    ['Alice <alice@example.com>', false],
    ['no-at-sign', false],
  ])('isPlainAddress(%j) = %s', (a, ok) => {
    expect(isPlainAddress(a)).toBe(ok);
  });
  it('escapeHtml covers quotes and backticks', () => {
    expect(escapeHtml('`"\'<>&')).toBe('&#96;&quot;&#39;&lt;&gt;&amp;');
  });
});
