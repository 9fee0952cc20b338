/** Package name normalisation shared by the scanner, the advisory sources and the matcher. */

/** PEP 503: lower-case, runs of `-`, `_` and `.` become one `-` (https://peps.python.org/pep-0503/#normalized-names). */
export function pep503(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
