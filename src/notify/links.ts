/** Advisory links: a configured prefix per source, else the canonical page of the id's namespace. */

const DEFAULTS: readonly [RegExp, string][] = [
  [/^CVE-\d{4}-\d+$/i, 'https://nvd.nist.gov/vuln/detail/'],
  [/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/i, 'https://github.com/advisories/'],
];
const FALLBACK = 'https://osv.dev/vulnerability/';

/**
 * The page of advisory `id`. `sources` are the sources that reported it (a configured `notify.links` prefix
 * wins); otherwise CVE ids go to NVD, GHSA ids to GitHub and everything else to osv.dev.
 */
export function advisoryUrl(id: string, sources: readonly string[], links: Readonly<Record<string, string>>): string {
  for (const source of sources) {
    const prefix = links[source];
    if (prefix && isHttpUrl(prefix)) return `${prefix}${encodeURIComponent(id)}`;
  }
  const prefix = DEFAULTS.find(([re]) => re.test(id))?.[1] ?? FALLBACK;
  return `${prefix}${encodeURIComponent(id)}`;
}

function isHttpUrl(s: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(s);
}
