/** Every schema migration, in order. Append only: a released migration is never edited. */
import { m001Inventory } from './001-inventory.js';
import { m002Scans } from './002-scans.js';
import { m003Advisories } from './003-advisories.js';
import { m004Findings } from './004-findings.js';
import { m005MatchIndexes } from './005-match-indexes.js';
import { m006FindingDetails } from './006-finding-details.js';
import { m007Risk } from './007-risk.js';
import { m008ScanInputDigest } from './008-scan-input-digest.js';

export interface Migration {
  version: number;
  name: string;
  /** SQL run inside the migration's transaction. */
  up: string;
}

/** All migrations, version 1..N without gaps. */
export const MIGRATIONS: readonly Migration[] = [m001Inventory, m002Scans, m003Advisories, m004Findings, m005MatchIndexes, m006FindingDetails, m007Risk, m008ScanInputDigest];
