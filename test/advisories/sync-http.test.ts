import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openDb, type Db } from '../../src/db/open.js';
import { syncAdvisories, type SyncOptions } from '../../src/advisories/sync.js';
import type { AdvisorySourceConfig, OsvSourceConfig } from '../../src/advisories/config.js';
import { countAdvisories, getAdvisory } from '../../src/db/advisories.js';
import { silentLogger } from '../../src/shared/log.js';
import { tmpDir } from '../helpers/tmp.js';
import { OSV_DIR } from './fixtures.js';
import { serve } from './servers.js';
import { entriesFrom, writeZip } from './zip-helper.js';

const GO_FILES = ['Go/GO-2024-3122.json', 'Go/GO-2024-3160.json', 'Go/GO-2026-5008.json'];

async function setup(): Promise<{ db: Db; work: string; zip: Buffer; opts: SyncOptions }> {
  const work = await tmpDir();
  const zipFile = path.join(work, 'all.zip');
  await writeZip(zipFile, entriesFrom(OSV_DIR, GO_FILES));
  const db = openDb(path.join(work, 'icms.db'));
  return { db, work, zip: readFileSync(zipFile), opts: { logger: silentLogger, now: () => new Date(), tmpDir: work } };
}

const osvUrl = (url: string, over: Partial<OsvSourceConfig> = {}): AdvisorySourceConfig[] => [
  { name: 'osv-go', type: 'osv', url: `${url}/Go/all.zip`, timeoutMs: 2000, retries: 2, backoffMs: 5, ...over },
];

describe('OSV zip over HTTP', () => {
  it('downloads with progress, then sends the ETag back and re-downloads nothing on 304', async () => {
    const { db, zip, opts } = await setup();
    let full = 0;
    let notModified = 0;
    const server = await serve((req, res) => {
      expect(req.url).toBe('/Go/all.zip');
      if (req.headers['if-none-match'] === '"v1"') {
        notModified++;
        res.writeHead(304).end();
        return;
      }
      full++;
      res.writeHead(200, { etag: '"v1"', 'content-length': zip.length, 'last-modified': 'Wed, 21 Aug 2024 10:00:00 GMT' }).end(zip);
    });
    try {
      const progress: [number, number | undefined][] = [];
      const first = await syncAdvisories(db, osvUrl(server.url), { ...opts, onProgress: (_s, b, t) => progress.push([b, t]) });
      expect(first.sources[0]).toMatchObject({ added: 3, notModified: false });
      expect(progress.at(-1)).toEqual([zip.length, zip.length]);
      const second = await syncAdvisories(db, osvUrl(server.url), opts);
      expect(second.sources[0]).toMatchObject({ added: 0, updated: 0, unchanged: 3, notModified: true });
      expect({ full, notModified }).toEqual({ full: 1, notModified: 1 });
      expect(db.prepare("SELECT etag, last_modified FROM advisory_sources WHERE name = 'osv-go'").get()).toEqual({
        etag: '"v1"',
        last_modified: 'Wed, 21 Aug 2024 10:00:00 GMT',
      });
    } finally {
      db.close();
    }
  });

  it('retries a 500 and succeeds', async () => {
    const { db, zip, opts } = await setup();
    const server = await serve((_req, res, n) => {
      if (n === 1) res.writeHead(500).end('busy');
      else res.writeHead(200).end(zip);
    });
    try {
      const r = (await syncAdvisories(db, osvUrl(server.url), opts)).sources[0];
      expect(r?.error).toBeUndefined();
      expect(r?.added).toBe(3);
      expect(server.requests()).toBe(2);
    } finally {
      db.close();
    }
  });

  it('gives up after the retries on a server that never answers, keeping the previous data', async () => {
    const { db, zip, opts } = await setup();
    let hang = false;
    const server = await serve((_req, res) => {
      if (!hang) res.writeHead(200).end(zip);
      // else: never answer; the client's idle timeout must fire
    });
    try {
      await syncAdvisories(db, osvUrl(server.url), opts);
      hang = true;
      const before = server.requests();
      const r = (await syncAdvisories(db, osvUrl(server.url, { timeoutMs: 150, retries: 1 }), opts)).sources[0];
      expect(r?.error).toMatch(/failed after 2 attempts: no data for 150 ms/);
      expect(server.requests() - before).toBe(2);
      expect(countAdvisories(db, 'osv-go')).toBe(3);
    } finally {
      db.close();
    }
  });

  it('fails on a garbage body (not a zip) and on a 404 without retrying it, keeping the previous data', async () => {
    const { db, zip, opts } = await setup();
    let mode: 'ok' | 'garbage' | '404' = 'ok';
    const server = await serve((_req, res) => {
      if (mode === 'ok') res.writeHead(200).end(zip);
      else if (mode === 'garbage') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy error</html>');
      else res.writeHead(404).end();
    });
    try {
      await syncAdvisories(db, osvUrl(server.url), opts);
      mode = 'garbage';
      expect((await syncAdvisories(db, osvUrl(server.url), opts)).sources[0]?.error).toMatch(/invalid zip/);
      mode = '404';
      const before = server.requests();
      expect((await syncAdvisories(db, osvUrl(server.url), opts)).sources[0]?.error).toMatch(/HTTP 404/);
      expect(server.requests() - before).toBe(1);
      expect(countAdvisories(db, 'osv-go')).toBe(3);
      expect(getAdvisory(db, 'osv-go', 'GO-2024-3122')?.groupId).toBe('CVE-2024-45039');
    } finally {
      db.close();
    }
  });
});
