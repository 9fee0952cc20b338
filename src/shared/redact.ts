/**
 * Secret redaction. Every secret icms reads (tokens, passwords) is registered here once, and every
 * log line, error message and stored error text passes through `redact()`.
 */
const MASK = '***';
const MIN_SECRET_LENGTH = 4;

/** A set of secret values to mask; one per process, passed around through the context. */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a secret value (and its common encodings) to be masked from now on. */
  add(secret: string | undefined | null): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return;
    this.secrets.add(secret);
    this.secrets.add(encodeURIComponent(secret));
    this.secrets.add(Buffer.from(secret).toString('base64'));
    // git's http.extraHeader Basic form: base64("x-access-token:<secret>")
    this.secrets.add(Buffer.from(`x-access-token:${secret}`).toString('base64'));
  }

  /** Masks every registered secret plus credentials embedded in URLs and auth headers. */
  redact(text: string): string {
    let out = text;
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(s)) out = out.split(s).join(MASK);
    }
    return redactPatterns(out);
  }
}

/** Masks credential shapes that need no registration: URL userinfo and Authorization header values. */
export function redactPatterns(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]*(?::[^/\s@]*)?@/gi, `$1${MASK}@`)
    .replace(/(authorization:\s*(?:bearer|basic|token)\s+)[^\s'"]+/gi, `$1${MASK}`)
    .replace(/((?:access_token|private_token|token|password)=)[^&\s'"]+/gi, `$1${MASK}`);
}
