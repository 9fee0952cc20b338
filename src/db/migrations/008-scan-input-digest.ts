import type { Migration } from './index.js';

/**
 * What a scan read, as one digest of the manifest and lockfile contents trivy reported (NULL for images and for
 * scans made before this migration). With the commit it tells a finding that came back because the project
 * changed from one that came back because the scanner listed the same files differently.
 */
export const m008ScanInputDigest: Migration = {
  version: 8,
  name: 'scan-input-digest',
  up: `
ALTER TABLE scans ADD COLUMN input_digest TEXT;
`,
};
