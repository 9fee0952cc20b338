/** Paths of the advisory fixtures and small helpers shared by the advisory tests. */
import { cpSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

/** fixtures/osv (one folder per ecosystem). */
export const OSV_DIR = path.join(root, 'osv');
/** fixtures/osv-invalid (deliberately broken records). */
export const OSV_INVALID_DIR = path.join(root, 'osv-invalid');
/** fixtures/vtopia/records.json. */
export const VTOPIA_RECORDS = path.join(root, 'vtopia', 'records.json');

/** Relative paths of every OSV fixture file. */
export function osvFixtureFiles(): string[] {
  return readdirSync(OSV_DIR, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** Copies the OSV fixtures into `dir` (tests that change files work on the copy). */
export function copyOsvFixtures(dir: string): void {
  cpSync(OSV_DIR, dir, { recursive: true, filter: (src) => !src.endsWith('.md') });
}
