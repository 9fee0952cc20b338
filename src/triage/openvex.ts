/** OpenVEX 0.2.0 documents (https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md) from VEX statements (pure). */
import { createHash } from 'node:crypto';
import type { VexStatement } from './vex.js';

/** Document-level facts: who signs it, when, and which icms wrote it. */
export interface VexMeta {
  author: string;
  now: Date;
  toolVersion: string;
}

/** Renders the statements as an OpenVEX JSON document; its @id is derived from the content, as vexctl does. */
export function renderOpenVex(statements: readonly VexStatement[], meta: VexMeta): string {
  const body = statements.map((s) => ({
    vulnerability: { name: s.vulnerability, ...(s.aliases.length > 0 ? { aliases: s.aliases } : {}) },
    timestamp: s.timestamp,
    ...(s.products.length > 0 ? { products: s.products.map((purl) => ({ '@id': purl })) } : {}),
    status: s.status,
    status_notes: s.notes,
    ...(s.status === 'not_affected' ? { ...(s.justification ? { justification: s.justification } : {}), impact_statement: s.reason } : {}),
    ...(s.status === 'affected' ? { action_statement: s.reason, action_statement_timestamp: s.timestamp } : {}),
  }));
  const hash = createHash('sha256').update(JSON.stringify([meta.author, body])).digest('hex');
  const doc = {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': `https://openvex.dev/docs/public/vex-${hash}`,
    author: meta.author,
    timestamp: meta.now.toISOString(),
    version: 1,
    tooling: `icms ${meta.toolVersion}`,
    statements: body,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
