/**
 * Pairs ordered by the ecosystems' own implementations, run on this machine when the fixtures were
 * made (see fixtures/versions/README.md): pypa packaging, maven-artifact 3.9.6 and dpkg 1.21.22.
 * Each file mixes the upstream test cases, real versions from OSV advisories and generated strings.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { debianScheme } from '../../src/versions/debian.js';
import { mavenScheme } from '../../src/versions/maven.js';
import { pypiScheme } from '../../src/versions/pypi.js';
import type { VersionScheme } from '../../src/versions/scheme.js';

interface OracleFile {
  generatedBy: string;
  compare: [string, string, number][];
  valid?: [string, boolean][];
}

const load = (name: string): OracleFile =>
  JSON.parse(readFileSync(new URL(`../../fixtures/versions/oracle/${name}.json`, import.meta.url), 'utf8')) as OracleFile;

const cases: [string, VersionScheme, OracleFile][] = [
  ['PyPI', pypiScheme, load('pypi')],
  ['Maven', mavenScheme, load('maven')],
  ['Debian', debianScheme, load('debian')],
];

describe.each(cases)('%s agrees with its reference implementation', (_name, scheme, oracle) => {
  it(`orders all ${oracle.compare.length} recorded pairs as ${oracle.generatedBy.split(' (')[0]} did`, () => {
    const wrong = oracle.compare.filter(([a, b, want]) => Math.sign(scheme.compare(a, b)) !== want);
    expect(wrong).toEqual([]);
    expect(oracle.compare.length).toBeGreaterThan(1000);
  });

  it('accepts and rejects the recorded strings as the reference did', () => {
    const wrong = (oracle.valid ?? []).filter(([v, want]) => scheme.isValid(v) !== want);
    expect(wrong).toEqual([]);
  });
});
