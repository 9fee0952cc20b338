/** ajv validators for the official CycloneDX, SPDX 2.3 and OpenVEX JSON schemas (see fixtures/sbom/README.md). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
const CDX_DIR = path.join(path.dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res/schema');
const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/sbom');
const load = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

// ajv-formats has no IRI / IDN formats; these accept what RFC 3987 / 6531 allow in practice and reject whitespace.
const iri = (s: string): boolean => /^[^\s<>"{}|\\^`]*$/u.test(s);
const absoluteIri = (s: string): boolean => /^[a-z][a-z0-9+.-]*:[^\s<>"{}|\\^`]*$/iu.test(s);
const idnEmail = (s: string): boolean => /^[^\s@]+@[^\s@]+$/u.test(s);

/** Validates against CycloneDX `bom-<version>.schema.json` as shipped by the CycloneDX library. */
export function cyclonedxValidator(version: '1.5' | '1.6'): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  ajv.addFormat('iri-reference', iri);
  ajv.addFormat('idn-email', idnEmail);
  // the bom schema refers to its siblings by their SNAPSHOT file names
  ajv.addSchema({ ...load(path.join(CDX_DIR, 'spdx.SNAPSHOT.schema.json')), $id: 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json' });
  ajv.addSchema({ ...load(path.join(CDX_DIR, 'jsf-0.82.SNAPSHOT.schema.json')), $id: 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json' });
  return ajv.compile(load(path.join(CDX_DIR, `bom-${version}.SNAPSHOT.schema.json`)));
}

/** Validates against the official SPDX 2.3 JSON schema. */
export function spdxValidator(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(load(path.join(FIXTURES, 'spdx-schema-2.3.json')));
}

/** Validates against the official OpenVEX 0.2.0 JSON schema (draft 2020-12). */
export function openvexValidator(): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  ajv.addFormat('iri', absoluteIri);
  return ajv.compile(load(path.join(FIXTURES, 'openvex-schema.json')));
}
