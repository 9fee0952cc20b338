import { describe, it, expect } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { npmLockRows, NpmLockError } from '../../src/scanner/npm-lock.js';
import { trivyListsNpmLockUnstably } from '../../src/scanner/lockfile-fixup.js';
import { FIXTURES } from './trivy-helpers.js';

const ids = (json: unknown): string[] => npmLockRows(json).rows.map((r) => r.ID);

describe('npmLockRows: package-lock v1', () => {
  it('lists a package that is dev at one path and production at another (trivy 0.44 drops it on some runs)', () => {
    const lock = {
      lockfileVersion: 1,
      dependencies: {
        mkdirp: { version: '0.5.1', requires: { minimist: '0.0.8' }, dependencies: { minimist: { version: '0.0.8' } } },
        tap: { version: '1.0.0', dev: true, requires: { minimist: '0.0.8' }, dependencies: { minimist: { version: '0.0.8', dev: true } } },
        eslint: { version: '8.0.0', dev: true },
      },
    };
    const list = npmLockRows(lock);
    expect(list.rows.map((r) => r.ID)).toEqual(['minimist@0.0.8', 'mkdirp@0.5.1']);
    expect(list.devOnly).toBe(2);
    expect(list.rows.every((r) => r.Indirect)).toBe(true); // v1 has no direct/indirect, trivy calls all indirect
    expect(list.rows[1]?.DependsOn).toEqual(['minimist@0.0.8']);
  });

  it('resolves `requires` to the nested copy first, then the nearest ancestor', () => {
    const lock = {
      lockfileVersion: 1,
      dependencies: {
        a: { version: '1.0.0', requires: { b: '^1', c: '^2' }, dependencies: { b: { version: '1.5.0' } } },
        b: { version: '2.0.0' },
        c: { version: '2.1.0' },
      },
    };
    expect(npmLockRows(lock).rows.find((r) => r.Name === 'a')?.DependsOn).toEqual(['b@1.5.0', 'c@2.1.0']);
  });
});

describe('npmLockRows: package-lock v2/v3', () => {
  it('merges the entries of one name@version: production if any is, direct if a production entry is', () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { dependencies: { express: '^4' }, devDependencies: { mocha: '^10', debug: '^2' } },
        'node_modules/express': { version: '4.0.0', dependencies: { debug: '2.6.9' } },
        'node_modules/express/node_modules/debug': { version: '2.6.9' },
        'node_modules/debug': { version: '2.6.9', dev: true },
        'node_modules/mocha': { version: '10.0.0', dev: true },
        'node_modules/fsevents': { version: '2.3.2', optional: true },
        'node_modules/both': { version: '1.0.0', devOptional: true },
      },
    };
    const rows = npmLockRows(lock).rows;
    expect(rows.map((r) => [r.ID, r.Indirect])).toEqual([
      ['both@1.0.0', true],
      ['debug@2.6.9', true], // direct only as a devDependency; in production it is express's
      ['express@4.0.0', false],
      ['fsevents@2.3.2', true],
    ]);
    expect(rows.find((r) => r.Name === 'express')?.DependsOn).toEqual(['debug@2.6.9']);
  });

  it('names an aliased package by its `name` field and a scoped one by its path', () => {
    const lock = {
      lockfileVersion: 2,
      packages: {
        '': { dependencies: { old: 'npm:new@1' } },
        'node_modules/old': { name: 'new', version: '1.0.0' },
        'node_modules/old/node_modules/@s/x': { version: '3.0.0' },
      },
    };
    expect(ids(lock)).toEqual(['@s/x@3.0.0', 'new@1.0.0']);
  });

  it('moves workspace packages under their link and makes them direct, as trivy does', () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { workspaces: ['packages/*'] },
        'node_modules/app': { resolved: 'packages/app', link: true },
        'packages/app': { version: '0.1.0', dependencies: { lodash: '^4' } },
        'packages/app/node_modules/lodash': { version: '4.17.20' },
      },
    };
    const rows = npmLockRows(lock).rows;
    expect(rows.map((r) => [r.ID, r.Indirect])).toEqual([
      ['app@0.1.0', false],
      ['lodash@4.17.20', true],
    ]);
  });

  it('a lockfile without packages is an error naming it', () => {
    expect(() => npmLockRows({ lockfileVersion: 2 })).toThrow(NpmLockError);
    expect(() => npmLockRows([])).toThrow(/not a JSON object/);
  });
});

describe('npmLockRows on real lockfiles', () => {
  it.each([
    ['OWASP__NodeGoat@c5cb68a', 2, 380, 16],
    ['opensourceways__app-cla-webui@e6f331a', 1, 116, 0],
  ])('%s (v%i): %i production packages, %i direct', async (repo, version, count, direct) => {
    const lock = JSON.parse(await readFile(path.join(FIXTURES, 'repos', repo, 'package-lock.json'), 'utf8')) as unknown;
    const list = npmLockRows(lock);
    expect(list.lockfileVersion).toBe(version);
    expect(list.rows).toHaveLength(count);
    expect(list.rows.filter((r) => !r.Indirect)).toHaveLength(direct);
    expect(new Set(list.rows.map((r) => r.ID)).size).toBe(count);
  });
});

describe('trivyListsNpmLockUnstably', () => {
  it('is true before 0.50.0 and for versions that are not releases, false from 0.50.0', () => {
    for (const v of ['0.44.1', 'v0.49.1', 'dev', undefined, '']) expect(trivyListsNpmLockUnstably(v), String(v)).toBe(true);
    for (const v of ['0.50.0', '0.56.2', 'v1.0.0']) expect(trivyListsNpmLockUnstably(v), v).toBe(false);
  });
});
