/**
 * Hostile input to every parser of outside data: random JSON/YAML and real documents mutated at random
 * (values replaced by arbitrary JSON, keys dropped, text truncated or spliced). The only failure allowed is
 * the parser's typed error (an IcmsError, or InvalidRecord / a skip reason for advisories); what a parser
 * does return is well-typed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidRecord, normalizeOsv, parseOsvText } from '../../src/advisories/normalize.js';
import { parseVtopiaRecord } from '../../src/advisories/vtopia.js';
import { loadConfig } from '../../src/config/load.js';
import { parseInventoryYaml } from '../../src/inventory/yaml-file.js';
import { PackageCollector, parseTrivyReport, parseTrivyReportText } from '../../src/scanner/trivy-report.js';
import { readTrivyReportStream } from '../../src/scanner/trivy-report-stream.js';
import { IcmsError } from '../../src/shared/errors.js';
import { FIXTURES } from '../helpers/demo.js';

const read = (rel: string) => readFileSync(path.join(FIXTURES, rel), 'utf8');
const TRIVY = ['trivy/opensourceways__infraAIService@ab91cd0.json', 'trivy/image-debian11.json'].map((f) => JSON.parse(read(f)) as unknown);
const OSV = ['osv/npm', 'osv/PyPI', 'osv/Go', 'osv/Debian', 'osv/Maven'].flatMap((d) =>
  readdirSync(path.join(FIXTURES, d))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(read(`${d}/${f}`)) as unknown),
);
const VTOPIA = JSON.parse(read('vtopia/records.json')) as unknown[];
const INVENTORY = read('demo/inventory.yaml');
const CONFIG = read('demo/icms.yaml');

/** Every path to a node of a JSON document (objects and arrays included). */
function nodePaths(doc: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(doc)) doc.forEach((v, i) => nodePaths(v, [...at, i], out));
  else if (doc && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) nodePaths(v, [...at, k], out);
  return out;
}

/** A mutation: at the `pick`-th node (modulo), replace the value, or drop it from its parent. */
const mutation = fc.record({ pick: fc.nat(), drop: fc.boolean(), value: fc.jsonValue({ maxDepth: 2 }) });

function mutate(doc: unknown, muts: { pick: number; drop: boolean; value: unknown }[]): unknown {
  let out = structuredClone(doc);
  for (const m of muts) {
    const paths = nodePaths(out);
    const p = paths[m.pick % paths.length]!;
    if (p.length === 0) {
      out = m.value;
      continue;
    }
    const parent = p.slice(0, -1).reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], out) as Record<string | number, unknown> | unknown[];
    const key = p.at(-1)!;
    if (m.drop && Array.isArray(parent)) parent.splice(Number(key), 1);
    else if (m.drop) delete (parent as Record<string | number, unknown>)[key];
    else (parent as Record<string | number, unknown>)[key] = m.value;
  }
  return out;
}

/** Text damage: cut at a point, or splice random characters in. */
const textDamage = fc.record({ at: fc.nat(), cut: fc.boolean(), insert: fc.string({ unit: 'binary', maxLength: 8 }) });
function damage(text: string, d: { at: number; cut: boolean; insert: string }): string {
  const i = d.at % (text.length + 1);
  return d.cut ? text.slice(0, i) : `${text.slice(0, i)}${d.insert}${text.slice(i)}`;
}

/** Runs `fn`; an error is allowed only when `allowed(err)`. */
function onlyTyped<T>(fn: () => T, allowed: (err: unknown) => boolean): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!allowed(err)) throw err;
    return undefined;
  }
}
const isIcms = (e: unknown) => e instanceof IcmsError;

describe('trivy JSON (parseTrivyReport)', () => {
  it('random JSON: a report or a TrivyReportError (IcmsError), never anything else', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => void onlyTyped(() => parseTrivyReport(v, { where: 'fuzz' }), isIcms)), { numRuns: 300 });
  });

  it('real reports mutated: packages that come out have string names and versions', () => {
    const seen = { report: 0, error: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...TRIVY), fc.array(mutation, { minLength: 1, maxLength: 6 }), (doc, muts) => {
        const r = onlyTyped(() => parseTrivyReport(mutate(doc, muts), { where: 'fuzz' }), isIcms);
        seen[r ? 'report' : 'error']++;
        for (const p of r?.packages ?? []) {
          expect(typeof p.name === 'string' && p.name !== '').toBe(true);
          expect(typeof p.version === 'string' && p.version !== '').toBe(true);
          expect(typeof p.ecosystem).toBe('string');
        }
      }),
      { numRuns: 300 },
    );
    // the mutations reach both outcomes: the property is not vacuous
    expect(seen.report).toBeGreaterThan(0);
    expect(seen.error).toBeGreaterThan(0);
  });

  it('real report text truncated or spliced: a report or an IcmsError', () => {
    const text = JSON.stringify(TRIVY[0]);
    fc.assert(fc.property(textDamage, (d) => void onlyTyped(() => parseTrivyReportText(damage(text, d), 'fuzz'), isIcms)), { numRuns: 300 });
  });
});

describe('trivy JSON read as a stream (readTrivyReportStream)', () => {
  /** What the stream reader gives for `text` in chunks of `size`, as the whole-document parser shapes it; or the error. */
  async function streamed(text: string, size: number): Promise<unknown> {
    async function* pieces() {
      for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
    }
    const sink = new PackageCollector();
    try {
      const r = await readTrivyReportStream(pieces(), text.length, { where: 'fuzz', sink });
      return { packages: sink.packages(), warnings: r.warnings, artifact: r.artifact, stats: { ...r.stats, duplicates: sink.duplicates, unmapped: sink.unmapped } };
    } catch (err) {
      if (!isIcms(err)) throw err;
      return 'IcmsError';
    }
  }
  const whole = (text: string): unknown => {
    try {
      return parseTrivyReport(JSON.parse(text) as unknown, { where: 'fuzz' });
    } catch (err) {
      if (err instanceof SyntaxError || isIcms(err)) return 'IcmsError';
      throw err;
    }
  };

  it('random JSON and mutated real reports, in chunks of any size: exactly what the whole-document parser gives (or an IcmsError when it gives one)', async () => {
    const doc = fc.oneof(fc.jsonValue(), fc.tuple(fc.constantFrom(...TRIVY), fc.array(mutation, { minLength: 1, maxLength: 6 })).map(([d, m]) => mutate(d, m)));
    await fc.assert(
      fc.asyncProperty(doc, fc.integer({ min: 1, max: 300 }), fc.boolean(), async (d, size, pretty) => {
        const text = JSON.stringify(d, null, pretty ? 2 : undefined) ?? 'null';
        expect(await streamed(text, size)).toEqual(whole(text));
      }),
      { numRuns: 300 },
    );
  });

  // the stream reader does not read what it skips (e.g. Vulnerabilities), so damage there may pass; a cut never does
  it('real report text truncated or spliced: an IcmsError for every cut, else a report equal to the whole-document parser\'s when it gives one', async () => {
    const text = JSON.stringify(TRIVY[0], null, 2);
    await fc.assert(
      fc.asyncProperty(textDamage, fc.integer({ min: 1, max: 500 }), async (d, size) => {
        const damaged = damage(text, d);
        const got = await streamed(damaged, size);
        const expected = whole(damaged);
        if (d.cut && damaged.length < text.length) expect(got).toBe('IcmsError');
        if (got !== 'IcmsError' && expected !== 'IcmsError') expect(got).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('OSV records (normalizeOsv)', () => {
  const invalid = (e: unknown) => e instanceof InvalidRecord;
  it('random JSON and mutated real records: an Advisory or InvalidRecord', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => void onlyTyped(() => normalizeOsv(v, 'fuzz'), invalid)), { numRuns: 300 });
    const seen = { advisory: 0, invalid: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...OSV), fc.array(mutation, { minLength: 1, maxLength: 6 }), (doc, muts) => {
        const a = onlyTyped(() => normalizeOsv(mutate(doc, muts), 'fuzz'), invalid);
        seen[a ? 'advisory' : 'invalid']++;
        if (a) {
          expect(typeof a.id).toBe('string');
          expect(Array.isArray(a.affected)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
    expect(seen.advisory).toBeGreaterThan(0);
    expect(seen.invalid).toBeGreaterThan(0);
  });

  it('damaged text: an Advisory or InvalidRecord', () => {
    const text = JSON.stringify(OSV[0]);
    fc.assert(fc.property(textDamage, (d) => void onlyTyped(() => parseOsvText(damage(text, d), 'fuzz'), invalid)), { numRuns: 300 });
  });
});

describe('CVE Manager records (parseVtopiaRecord)', () => {
  it('random JSON and mutated real records never throw: ok with an advisory, or a skip reason', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.tuple(fc.constantFrom(...VTOPIA), fc.array(mutation, { maxLength: 5 })).map(([d, m]) => mutate(d, m))), (v) => {
        const r = parseVtopiaRecord(v, 'fuzz');
        if (r.ok) expect(r.advisory.id).toMatch(/^CVE-\d{4}-\d+$/);
        else expect(typeof r.reason).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});

describe('YAML: inventory and config', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'icms-yaml-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('inventory: random text, damaged and mutated real files give projects or an IcmsError', () => {
    const doc = (parseYaml(INVENTORY) as unknown) ?? {};
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), textDamage.map((d) => damage(INVENTORY, d)), fc.array(mutation, { maxLength: 5 }).map((m) => stringifyYaml(mutate(doc, m)))),
        (text) => {
          const r = onlyTyped(() => parseInventoryYaml(text, 'inventory.yaml'), isIcms);
          for (const p of r?.projects ?? []) expect(typeof p.url).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('config: random text, damaged and mutated real files give a config or an IcmsError', () => {
    const file = path.join(dir, 'icms.yaml');
    const doc = (parseYaml(CONFIG) as unknown) ?? {};
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), textDamage.map((d) => damage(CONFIG, d)), fc.array(mutation, { maxLength: 5 }).map((m) => stringifyYaml(mutate(doc, m)))),
        (text) => {
          writeFileSync(file, text);
          onlyTyped(() => loadConfig({ cwd: dir, env: {}, configFlag: file }), isIcms);
        },
      ),
      { numRuns: 200 },
    );
  });
});
