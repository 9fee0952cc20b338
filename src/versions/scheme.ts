/**
 * The contract of a version scheme: it only ORDERS versions of one ecosystem.
 * OSV range logic lives once in matcher/affected.ts; a scheme never interprets ranges.
 */
import { ExitCode, IcmsError } from '../shared/errors.js';

/** How an upgrade moves a version, where the scheme has major/minor/patch. */
export type BumpKind = 'major' | 'minor' | 'patch' | 'other';

/** One ecosystem's version ordering, agreeing exactly with that ecosystem's own implementation. */
export interface VersionScheme {
  /** The ecosystem as OSV spells it: 'npm', 'PyPI', 'Maven', 'Go', ... */
  readonly ecosystem: string;
  /** True when the ecosystem's own parser accepts the string; never throws. */
  isValid(version: string): boolean;
  /** Negative, 0 or positive; only called with valid versions (may throw otherwise). */
  compare(a: string, b: string): number;
  /** Which part an upgrade from `from` to `to` changes; undefined where the scheme has no such notion. */
  bumpKind?(from: string, to: string): BumpKind | undefined;
}

/** The ecosystem has no version scheme here: callers record the package as unmatched, never guess. */
export class UnknownEcosystemError extends IcmsError {
  readonly ecosystem: string;
  constructor(ecosystem: string) {
    super(`no version scheme for ecosystem "${ecosystem}"`, ExitCode.Usage, {
      hint: 'spell the ecosystem as OSV does (e.g. npm, PyPI, Maven, Go, crates.io, Debian:12); unknown ones are left unmatched',
    });
    this.name = 'UnknownEcosystemError';
    this.ecosystem = ecosystem;
  }
}

/** A version string the ecosystem's own parser rejects: the matcher reports it as unparseable. */
export class InvalidVersionError extends IcmsError {
  readonly ecosystem: string;
  readonly version: string;
  constructor(ecosystem: string, version: string) {
    super(`"${version}" is not a valid ${ecosystem} version`, ExitCode.Usage, {
      hint: 'the advisory or the scanned package carries a version this ecosystem cannot order; it is reported as unparseable',
    });
    this.name = 'InvalidVersionError';
    this.ecosystem = ecosystem;
    this.version = version;
  }
}

/** -1, 0 or 1 for two numbers or bigints. */
export function sign(n: number | bigint): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Compares strings by UTF-16 code unit, like C strcmp on ASCII input. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two strings of ASCII digits as unbounded integers. */
export function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return compareStrings(x, y);
}

/** Bump kind from numeric [major, minor, patch] triples of two versions. */
export function bumpFromTriples(from: readonly bigint[], to: readonly bigint[]): BumpKind {
  if (from[0] !== to[0]) return 'major';
  if (from[1] !== to[1]) return 'minor';
  if (from[2] !== to[2]) return 'patch';
  return 'other';
}
