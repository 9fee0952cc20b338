import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { openDb, type Db } from '../../src/db/open.js';
import {
  completeScan, currentPackages, finishScan, inputChange, iterateCurrentPackages, lastSuccessfulScan, replacePackages, scanHistory, scanInEffect, startScan,
} from '../../src/db/scans.js';
import type { Package } from '../../src/model/types.js';
import { tmpDir } from '../helpers/tmp.js';

async function freshDb(): Promise<Db> {
  const db = openDb(path.join(await tmpDir(), 'icms.db'));
  return db;
}

function addProject(db: Db, url: string): number {
  return Number(
    db.prepare("INSERT INTO projects (url, name, source, first_seen, last_seen) VALUES (?, ?, 'file', 't', 't')").run(url, url).lastInsertRowid,
  );
}

const pkg = (name: string, version: string, over: Partial<Package> = {}): Package => ({
  ecosystem: 'npm', name, version, pkgType: 'npm', target: 'package-lock.json', purl: `pkg:npm/${name}@${version}`,
  indirect: false, matchName: name, matchVersion: version, ...over,
});

const at = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

describe('scans store', () => {
  it('round-trips every package field and records the scan as ok', async () => {
    const db = await freshDb();
    try {
      const project = addProject(db, 'https://h/o/a');
      const scan = startScan(db, { projectId: project, startedAt: at(0), label: 'nightly' });
      expect(scanHistory(db, project)[0]).toMatchObject({ id: scan, status: 'running', label: 'nightly', finishedAt: undefined });
      const deb = pkg('zlib1g', '1:1.2.11.dfsg-2', {
        ecosystem: 'Debian:11', pkgType: 'debian', target: 'img (debian 11.7)', purl: undefined, srcName: 'zlib',
        srcVersion: '1:1.2.11.dfsg-2', matchName: 'zlib', matchVersion: '1:1.2.11.dfsg-2', indirect: true, dependsOn: ['libc6@2.31-13'],
      });
      const odd = pkg('A', '1', { ecosystem: 'julia', pkgType: 'julia', purl: undefined, unmapped: true });
      const written = completeScan(db, project, scan, [pkg('lodash', '4.17.20'), deb, odd], {
        finishedAt: at(5), commitSha: 'abc123', trivyPath: '/usr/bin/trivy', trivyVersion: '0.44.1', durationMs: 5000,
        counts: { npm: 1, 'Debian:11': 1, julia: 1 }, warnings: ['x.lock: no OSV ecosystem known'],
      });
      expect(written).toBe(3);
      expect(currentPackages(db, project)).toEqual([
        { ...deb, unmapped: false },
        { ...odd, dependsOn: undefined, srcName: undefined, srcVersion: undefined },
        { ...pkg('lodash', '4.17.20'), dependsOn: undefined, srcName: undefined, srcVersion: undefined, unmapped: false },
      ]);
      expect(lastSuccessfulScan(db, project)).toEqual({
        id: scan, projectId: project, runId: undefined, startedAt: at(0).toISOString(), finishedAt: at(5).toISOString(), status: 'ok',
        commitSha: 'abc123', trivyPath: '/usr/bin/trivy', trivyVersion: '0.44.1', durationMs: 5000, packageCount: 3,
        counts: { npm: 1, 'Debian:11': 1, julia: 1 }, warnings: ['x.lock: no OSV ecosystem known'], label: 'nightly', error: undefined,
      });
    } finally {
      db.close();
    }
  });

  it('replacePackages is all-or-nothing: an error mid-insert keeps the previous set', async () => {
    const db = await freshDb();
    try {
      const project = addProject(db, 'https://h/o/a');
      const first = startScan(db, { projectId: project, startedAt: at(0) });
      completeScan(db, project, first, [pkg('a', '1'), pkg('b', '1')], { finishedAt: at(1) });
      const second = startScan(db, { projectId: project, startedAt: at(2) });
      const broken = [pkg('c', '1'), pkg('d', '1'), pkg('e', '1', { matchName: null as unknown as string }), pkg('f', '1')];
      expect(() => replacePackages(db, project, second, broken)).toThrow(/NOT NULL constraint failed: packages\.match_name/);
      expect(currentPackages(db, project).map((p) => p.name)).toEqual(['a', 'b']);
      // and a throw from the caller's data (a getter) mid-way does the same
      const throwing = [pkg('g', '1'), Object.defineProperty(pkg('h', '1'), 'target', { get: () => { throw new Error('boom'); } })];
      expect(() => replacePackages(db, project, second, throwing)).toThrow('boom');
      expect(currentPackages(db, project).map((p) => p.name)).toEqual(['a', 'b']);
    } finally {
      db.close();
    }
  });

  it('a failed or skipped scan keeps the package set; history is newest first; lastSuccessfulScan skips them', async () => {
    const db = await freshDb();
    try {
      const project = addProject(db, 'https://h/o/a');
      const other = addProject(db, 'https://h/o/b');
      const ok = startScan(db, { projectId: project, startedAt: at(0) });
      completeScan(db, project, ok, [pkg('a', '1')], { finishedAt: at(1), commitSha: 'c1', trivyVersion: 'dev' });
      const skipped = startScan(db, { projectId: project, startedAt: at(2) });
      finishScan(db, skipped, { status: 'skipped', finishedAt: at(2), commitSha: 'c1', error: 'head unchanged since scan ' + ok });
      const failed = startScan(db, { projectId: project, startedAt: at(3) });
      finishScan(db, failed, { status: 'failed', finishedAt: at(4), commitSha: 'c2', error: 'trivy fs /x exited 1' });
      completeScan(db, other, startScan(db, { projectId: other, startedAt: at(5) }), [pkg('z', '9')], { finishedAt: at(6) });

      expect(currentPackages(db, project).map((p) => p.name)).toEqual(['a']);
      expect(lastSuccessfulScan(db, project)).toMatchObject({ id: ok, commitSha: 'c1', trivyVersion: 'dev' });
      expect(scanHistory(db, project).map((s) => [s.id, s.status, s.commitSha, s.error])).toEqual([
        [failed, 'failed', 'c2', 'trivy fs /x exited 1'],
        [skipped, 'skipped', 'c1', `head unchanged since scan ${ok}`],
        [ok, 'ok', 'c1', undefined],
      ]);
      expect(scanHistory(db, project, 1)).toHaveLength(1);
      expect(lastSuccessfulScan(db, addProject(db, 'https://h/o/never'))).toBeUndefined();
      expect([...iterateCurrentPackages(db)].map((p) => [p.projectId, p.name])).toEqual([[project, 'a'], [other, 'z']]);
    } finally {
      db.close();
    }
  });

  it('duplicate rows are written once; a second scan replaces the set and survives reopening the file', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'icms.db');
    let db = openDb(file);
    const project = addProject(db, 'https://h/o/a');
    const s1 = startScan(db, { projectId: project, startedAt: at(0) });
    expect(replacePackages(db, project, s1, [pkg('a', '1'), pkg('a', '1'), pkg('a', '1', { target: 'sub/package-lock.json' })])).toBe(2);
    const s2 = startScan(db, { projectId: project, startedAt: at(1) });
    const many = Array.from({ length: 5000 }, (_, i) => pkg(`p${String(i).padStart(4, '0')}`, '1.0.0'));
    completeScan(db, project, s2, many, { finishedAt: at(2) });
    db.close();
    db = openDb(file);
    try {
      const pkgs = currentPackages(db, project);
      expect(pkgs).toHaveLength(5000);
      expect(pkgs[0]?.name).toBe('p0000');
      expect(db.prepare('SELECT COUNT(DISTINCT scan_id) FROM packages').pluck().get()).toBe(1);
      expect(lastSuccessfulScan(db, project)?.packageCount).toBe(5000);
    } finally {
      db.close();
    }
  });
});

describe('inputChange: did a project change between the scan that fixed a finding and now?', () => {
  it('compares commits when both scans have one, else the digests of the files read; without either it is a change', async () => {
    const db = await freshDb();
    const project = addProject(db, 'file:///srv/app');
    const scan = (s: number, commitSha: string | undefined, inputDigest: string | undefined) => {
      const id = startScan(db, { projectId: project, startedAt: at(s) });
      completeScan(db, project, id, [pkg('a', '1')], { finishedAt: at(s), commitSha, inputDigest });
      return scanInEffect(db, project, at(s).toISOString())!;
    };
    const [c1, c1b, c2] = [scan(1, 'c'.repeat(40), 'd1'), scan(2, 'c'.repeat(40), 'd2'), scan(3, 'e'.repeat(40), 'd2')];
    expect(inputChange(c1, c1b)).toMatchObject({ changed: false }); // same commit wins over a digest of other targets
    expect(inputChange(c1b, c2)).toEqual({ changed: true, note: 'reopened: the project changed (commit cccccccccccc -> eeeeeeeeeeee)' });
    const [l1, l2, l3] = [scan(4, undefined, 'x'), scan(5, undefined, 'x'), scan(6, undefined, 'y')];
    expect(inputChange(l1, l2).changed).toBe(false);
    expect(inputChange(l2, l3).changed).toBe(true);
    expect(inputChange(undefined, l3).changed).toBe(true);
    expect(inputChange(scan(7, undefined, undefined), l3).changed).toBe(true);
    expect(scanInEffect(db, project)?.id).toBe(scanInEffect(db, project, at(7).toISOString())?.id);
  });
});
