/** Escaping for everything a message carries: HTML text/attributes and header values. */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/**
 * Escapes text for HTML element content and quoted attribute values (advisory text is untrusted). Control
 * characters go too: they have no place in HTML, and an ESC would reach whoever reads the raw message in a terminal.
 */
export function escapeHtml(value: unknown): string {
  // eslint-disable-next-line no-control-regex
  return String(value ?? '').replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '').replace(/[&<>"'`]/g, (c) => HTML[c]!);
}

/**
 * Makes a header value safe: CR/LF and other control characters become spaces (no header injection),
 * runs of whitespace collapse, and the value is capped so a hostile name cannot bloat the header.
 */
export function headerSafe(value: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** Removes control characters from plain-text body values (no terminal escapes in a text part). */
export function textSafe(value: unknown): string {
  // eslint-disable-next-line no-control-regex
  return String(value ?? '').replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '').replace(/[\r\n]+/g, ' ');
}

/** A conservative address check: one @, no spaces, quotes, angle brackets or control characters. */
export function isPlainAddress(address: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[^\s@<>"(),;:\\[\]\x00-\x1f\x7f]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(address) && address.length <= 254;
}
