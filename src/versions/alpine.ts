/**
 * Alpine (and the other apk distributions): apk-tools' version ordering, ported from the current
 * src/version.c (token_first/token_next/token_cmp, apk-tools 2.14 and 3.x):
 * `digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}`. Pre-release suffixes `_alpha _beta _pre _rc`
 * sort before the bare version, post-release ones `_cvs _svn _git _hg _p` after it; one lower-case
 * letter may follow the numbers (`1.2a`); `-rN` is the package revision. A dotted component with a
 * leading zero (`1.01`) compares as a string, as in Gentoo. Numbers are bigints (C uses uint64).
 */
import type { VersionScheme } from './scheme.js';

// Token kinds in apk-tools' order; the order itself is used when one version runs out first.
const INITIAL_DIGIT = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const COMMIT_HASH = 5;
const REVISION_NO = 6;
const END = 7;
const INVALID = 8;

// Suffix values: INVALID 0, then pre-release ones, NONE, then post-release ones.
const SUFFIXES = ['alpha', 'beta', 'pre', 'rc', '', 'cvs', 'svn', 'git', 'hg', 'p'];
const SUFFIX_NONE = 5;

/** One token: its kind, its raw text and, for numbers and suffixes, its value. */
interface Token {
  kind: number;
  text: string;
  number: bigint;
  suffix: number;
}

/** A tokenizer over one version string, mirroring struct token_state plus the blob cursor. */
class Tokens {
  pos = 0;
  t: Token = { kind: INITIAL_DIGIT, text: '', number: 0n, suffix: 0 };
  constructor(private readonly s: string) {
    this.digits();
  }

  private take(re: RegExp): string {
    const m = re.exec(this.s.slice(this.pos));
    const text = m?.[0] ?? '';
    this.pos += text.length;
    return text;
  }

  private digits(): void {
    this.t.text = this.take(/^[0-9]+/);
    this.t.number = this.t.text === '' ? 0n : BigInt(this.t.text);
    if (this.t.text === '') this.t.kind = INVALID;
  }

  /** token_next: the kind of what follows, checked against what the previous token allows. */
  next(): void {
    const t = this.t;
    const c = this.s[this.pos];
    if (c === undefined) t.kind = END;
    else if (c >= 'a' && c <= 'z') {
      if (t.kind > DIGIT) return this.invalid();
      t.text = c;
      t.kind = LETTER;
      this.pos++;
    } else if (c === '.' || (c >= '0' && c <= '9')) {
      if (c === '.' && t.kind > DIGIT) return this.invalid();
      if (c === '.') this.pos++;
      if (t.kind === INITIAL_DIGIT || t.kind === DIGIT) t.kind = DIGIT;
      else if (t.kind === SUFFIX) t.kind = SUFFIX_NO;
      else return this.invalid();
      this.digits();
    } else if (c === '_') {
      if (t.kind > SUFFIX_NO) return this.invalid();
      this.pos++;
      t.text = this.take(/^[a-z]*/);
      const i = SUFFIXES.indexOf(t.text);
      if (t.text === '' || i < 0) return this.invalid();
      t.suffix = i + 1;
      t.kind = SUFFIX;
    } else if (c === '~') {
      if (t.kind >= COMMIT_HASH) return this.invalid();
      this.pos++;
      t.text = this.take(/^[0-9a-fA-F]*/);
      if (t.text === '') return this.invalid();
      t.kind = COMMIT_HASH;
    } else if (c === '-') {
      if (t.kind >= REVISION_NO || this.s[this.pos + 1] !== 'r') return this.invalid();
      this.pos += 2;
      t.kind = REVISION_NO;
      this.digits();
    } else this.invalid();
  }

  private invalid(): void {
    this.t.kind = INVALID;
  }
}

/** apk_blob_sort: bytes, then length. */
const blobSort = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** token_cmp for two tokens of the same kind. */
function tokenCmp(a: Token, b: Token): number {
  const numeric = (x: bigint, y: bigint): number => (x < y ? -1 : x > y ? 1 : 0);
  switch (a.kind) {
    case DIGIT:
      // A leading zero on either side means a string comparison, as the Gentoo spec says.
      if (a.text.startsWith('0') || b.text.startsWith('0')) return blobSort(a.text, b.text);
      return numeric(a.number, b.number);
    case INITIAL_DIGIT:
    case SUFFIX_NO:
    case REVISION_NO:
      return numeric(a.number, b.number);
    case LETTER:
      return blobSort(a.text, b.text);
    case SUFFIX:
      return numeric(BigInt(a.suffix), BigInt(b.suffix));
    default:
      return blobSort(a.text, b.text);
  }
}

/** apk_version_validate: the whole string tokenises to the end. */
export function isValidApkVersion(v: string): boolean {
  if (typeof v !== 'string') return false;
  const t = new Tokens(v);
  while (t.t.kind < END) t.next();
  return t.t.kind === END;
}

/** apk_version_compare: -1, 0 or 1. */
export function compareApkVersions(a: string, b: string): number {
  const x = new Tokens(a);
  const y = new Tokens(b);
  for (; x.t.kind === y.t.kind && x.t.kind < END; x.next(), y.next()) {
    const r = tokenCmp(x.t, y.t);
    if (r !== 0) return r;
  }
  if (x.t.kind === y.t.kind) return 0;
  // Equal so far: the longer one is newer unless what follows is a pre-release suffix.
  if (x.t.kind === SUFFIX && x.t.suffix < SUFFIX_NONE) return -1;
  if (y.t.kind === SUFFIX && y.t.suffix < SUFFIX_NONE) return 1;
  return x.t.kind > y.t.kind ? -1 : 1;
}

/** Versions of Alpine packages (`1.2.3_alpha1-r0`), ordered as apk-tools does. */
export const alpineScheme: VersionScheme = {
  ecosystem: 'Alpine',
  isValid: isValidApkVersion,
  compare: compareApkVersions,
};
