/** SQL for VEX export: the purls of the packages findings are on. */
import type { Db } from './open.js';

/** A current package with its purl. */
export interface PackagePurl {
  projectId: number;
  ecosystem: string;
  name: string;
  version: string;
  purl: string;
}

/** The purls of the current packages of the given projects (packages without a purl are left out). */
export function listPackagePurls(db: Db, projectIds: readonly number[]): PackagePurl[] {
  return db
    .prepare(
      `SELECT DISTINCT project_id AS projectId, ecosystem, name, version, purl FROM packages
       WHERE purl IS NOT NULL AND project_id IN (SELECT value FROM json_each(?)) ORDER BY purl`,
    )
    .all(JSON.stringify([...new Set(projectIds)])) as PackagePurl[];
}
