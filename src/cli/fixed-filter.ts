/** `--ignore-unfixed` (trivy's name) / `--only-fixed` (grype's): hide findings no fixed version is known for. */
import type { Command } from 'commander';

/** The two spellings, as parsed by commander. */
export interface FixedFilterFlags {
  ignoreUnfixed?: boolean;
  onlyFixed?: boolean;
}

/** Adds both spellings to a command. */
export function addFixedFilterOptions(cmd: Command): Command {
  return cmd
    .option('--ignore-unfixed', 'hide findings without a fixed version (they neither show nor trip --fail-on); as trivy')
    .option('--only-fixed', 'the same as --ignore-unfixed, as grype spells it');
}

/** True when either spelling was given. */
export function isFixedOnly(flags: FixedFilterFlags): boolean {
  return Boolean(flags.ignoreUnfixed || flags.onlyFixed);
}

/** The findings a fixed version is known for (all of them without the flag). */
export function withFixFilter<T extends { fixedVersion?: string | null | undefined }>(findings: T[], flags: FixedFilterFlags): T[] {
  return isFixedOnly(flags) ? findings.filter((f) => f.fixedVersion !== null && f.fixedVersion !== undefined && f.fixedVersion !== '') : findings;
}
