/**
 * The trivy report read as a stream (issue 15 item 13): the real reports of fixtures/trivy give exactly what the
 * whole-document parser gives, in chunks of any size; a Result in an unusual key order, a pnpm Result and escaped
 * text across chunk boundaries too; a damaged report fails with what and where; a multi-MB report built from the
 * real ones is read row by row (packages counted right). No timing or memory assertions: see BENCHMARKS.md.
 */
import { describe, it, expect } from 'vitest';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PackageCollector, parseTrivyReport, TrivyReportError, type ParsedTrivyReport } from '../../src/scanner/trivy-report.js';
import { readTrivyReportStream, type StreamReadOptions } from '../../src/scanner/trivy-report-stream.js';
import { writeBigReport } from '../../src/bench/big-report.js';
import type { Package } from '../../src/model/types.js';
import { ExitCode } from '../../src/shared/errors.js';
import { tmpDir } from '../helpers/tmp.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/trivy');
const reports = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();

async function* pieces(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/** The stream reader with the in-memory collector, as runTrivyFs uses it without a sink. */
async function streamed(text: string, size: number, extra: Partial<StreamReadOptions> = {}): Promise<ParsedTrivyReport> {
  const sink = new PackageCollector();
  const r = await readTrivyReportStream(pieces(text, size), text.length, { where: 'w', sink, ...extra });
  return { packages: sink.packages(), warnings: r.warnings, artifact: r.artifact, stats: { ...r.stats, duplicates: sink.duplicates, unmapped: sink.unmapped } };
}

const whole = (text: string): ParsedTrivyReport => parseTrivyReport(JSON.parse(text) as unknown, { where: 'w' });

async function failure(text: string, size = 7): Promise<TrivyReportError> {
  const err = await streamed(text, size).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(TrivyReportError);
  expect((err as TrivyReportError).exitCode).toBe(ExitCode.External);
  return err as TrivyReportError;
}

describe('readTrivyReportStream', () => {
  it.each(reports)('%s: the same packages, warnings, artifact and counters as the whole-document parser, in chunks of 1 MiB and of 997 characters', async (file) => {
    const text = readFileSync(path.join(FIXTURES, file), 'utf8');
    const expected = whole(text);
    expect(await streamed(text, 1 << 20)).toEqual(expected);
    expect(await streamed(text, 997)).toEqual(expected);
  });

  it('Target/Class/Type after Packages, a pnpm Result, empty and null lists, escapes split across chunks: as the whole-document parser', async () => {
    const doc = {
      SchemaVersion: 2,
      ArtifactName: 'a "quoted\\" \\\\ name',
      Results: [
        { Packages: [{ Name: 'late', Version: '1.0.0' }, { Name: 'no-version' }], Type: 'npm', Class: 'lang-pkgs', Target: 'sub/package-lock.json' },
        { Target: 'pnpm-lock.yaml', Class: 'lang-pkgs', Type: 'pnpm', Packages: [{ ID: 'x@1', Name: 'x', Version: '1' }, { ID: '@' }] },
        { Target: 'go.mod', Class: 'lang-pkgs', Type: 'gomod', Packages: [] },
        { Target: 'Cargo.lock', Class: 'lang-pkgs', Type: 'cargo', Packages: null },
        { Target: 'odd.lock', Class: 'lang-pkgs', Type: 'nobody-knows', Packages: [{ Name: 'q"\\uote\\\\', Version: '2', DependsOn: ['a@1', 'b@2'] }] },
        { Target: 'LICENSE', Class: 'license-file', Licenses: [{ Name: '[{"tricky": ["json in a string"]}]' }] },
        { Target: 'requirements.txt', Class: 'lang-pkgs', Type: 'pip', Vulnerabilities: [{ ID: 'CVE-1', Nested: { Packages: [1, 2] } }], Packages: [{ Name: 'Flask_SQLAlchemy', Version: '2.5' }, { Name: 'flask-sqlalchemy', Version: '2.5' }] },
      ],
    };
    const text = JSON.stringify(doc, null, 2);
    const expected = whole(text);
    expect(expected.packages.map((p) => p.name)).toEqual(['late', 'q"\\uote\\\\', 'Flask_SQLAlchemy', 'flask-sqlalchemy']);
    for (const size of [1, 2, 3, 5, 64, text.length]) expect(await streamed(text, size)).toEqual(expected);
  });

  it('a Result whose rows the npm fixup replaces: the replacement rows, trivy\'s counted for the note', async () => {
    const text = JSON.stringify({ SchemaVersion: 2, Results: [{ Target: 'package-lock.json', Class: 'lang-pkgs', Type: 'npm', Packages: [{ Name: 'flicker', Version: '1' }, { Name: 'b', Version: '2' }] }] });
    const r = await streamed(text, 4, {
      replaceRows: async (result) => (result.Target === 'package-lock.json' ? { rows: [{ Name: 'from-lockfile', Version: '3' }], note: (n) => `trivy listed ${n}` } : undefined),
    });
    expect(r.packages.map((p) => `${p.name}@${p.version}`)).toEqual(['from-lockfile@3']);
    expect(r.warnings).toEqual(['trivy listed 2']);
  });

  it('damaged reports fail with what and where', async () => {
    const good = JSON.stringify({ SchemaVersion: 2, Results: [{ Target: 'go.mod', Class: 'lang-pkgs', Type: 'gomod', Packages: [{ Name: 'a', Version: '1' }, { Name: 'b', Version: '2' }] }] });
    expect((await failure(good.slice(0, good.indexOf('"b"')))).message).toMatch(/^w: report is not valid JSON \(\d+ bytes, truncated\?\): it ends early inside Results\[0\] at character \d+$/);
    expect((await failure(good.slice(0, 30))).message).toMatch(/it ends early at character 30$/);
    expect((await failure('<html>502 Bad Gateway</html>')).message).toMatch(/not a JSON object \(the document does not start with "\{"\) at character 0/);
    expect((await failure('')).message).toMatch(/the document is empty/);
    expect((await failure(`${good}\n{"again": 1}`)).message).toMatch(/text after the end of the JSON document/);
    expect((await failure(good.replace('{"Name":"b"', '{"Name":b'))).message).toMatch(/unexpected character "b" inside Results\[0\] at character \d+$/);
    expect((await failure(good.replace('"Version":"2"}', '"Version":"2",}'))).message).toMatch(/Results\[0\]\.Packages\[1\] cannot be read \(.*JSON/);
    expect((await failure(good.replace('"Results":[{', '"Results":[7,{'))).message).toMatch(/w: Results\[0\] is not an object/);
    expect((await failure('{"SchemaVersion":2,"Results":{"a":1}}')).message).toMatch(/"Results" is not an array/);
    expect((await failure('{"SchemaVersion":3,"Results":[]}')).message).toMatch(/unsupported trivy SchemaVersion 3/);
    expect((await failure(good.replace('"Packages":[', '"Packages":{"x":[').replace(']}]}', ']}}]}'))).message).toMatch(/Results\[0\]\.Packages is not an array/);
    expect((await failure(good.replace('{"Name":"a"', '"just a string"'))).message).toMatch(/Results\[0\]\.Packages\[0\] is not an object/);
  });

  it('a multi-MB report built from the real ones is read row by row: every row reaches the sink, the packages are counted right', async () => {
    const dir = await tmpDir('icms-bigreport-');
    const big = await writeBigReport(path.join(dir, 'big.json'), reports.map((f) => path.join(FIXTURES, f)), 6 * 1024 * 1024);
    expect(big.copies).toBeGreaterThan(1);
    const expected = whole(readFileSync(big.file, 'utf8'));
    const added: Package[] = [];
    const r = await readTrivyReportStream(createReadStream(big.file, { encoding: 'utf8', highWaterMark: 64 * 1024 }), statSync(big.file).size, { where: 'big', sink: { add: (p) => void added.push(p) } });
    expect(added.length).toBe(expected.packages.length + expected.stats.duplicates);
    expect(r.stats.skipped).toBe(expected.stats.skipped);
    expect(r.warnings).toEqual(expected.warnings);
    expect(new Set(added.map((p) => p.target.split('/')[0])).size).toBe(big.copies);
    expect(added.length + expected.stats.skipped).toBe(big.packageRows);
  }, 60_000);
});
