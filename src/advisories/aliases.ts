/**
 * Alias groups: the transitive closure of `id` <-> `aliases` over every stored advisory (union-find).
 * `related` and `upstream` are deliberately not followed: they name different vulnerabilities.
 */

/** Compares CVE ids by year then number (CVE-2021-9999 < CVE-2021-10000). */
function compareCve(a: string, b: string): number {
  const [, ya = '0', na = '0'] = /^CVE-(\d+)-(\d+)/.exec(a) ?? [];
  const [, yb = '0', nb = '0'] = /^CVE-(\d+)-(\d+)/.exec(b) ?? [];
  return Number(ya) - Number(yb) || Number(na) - Number(nb) || (a < b ? -1 : a > b ? 1 : 0);
}

const isCve = (id: string): boolean => /^CVE-\d+-\d+$/.test(id);

/** The id that names a group: the smallest CVE if any, else the smallest id in code-point order. */
export function canonicalId(members: readonly string[]): string {
  const cves = members.filter(isCve);
  if (cves.length > 0) return cves.reduce((best, id) => (compareCve(id, best) < 0 ? id : best));
  return members.reduce((best, id) => (id < best ? id : best));
}

/** Union-find over string ids, with path halving. */
class UnionFind {
  private readonly parent = new Map<string, string>();

  find(x: string): string {
    let p = this.parent.get(x);
    if (p === undefined) {
      this.parent.set(x, x);
      return x;
    }
    let cur = x;
    while (p !== cur) {
      const grand = this.parent.get(p) ?? p;
      this.parent.set(cur, grand);
      cur = grand;
      p = this.parent.get(cur) ?? cur;
    }
    return cur;
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }

  keys(): IterableIterator<string> {
    return this.parent.keys();
  }
}

/** Maps every id and alias to its group's canonical id. */
export function groupAliases(records: Iterable<{ id: string; aliases: readonly string[] }>): Map<string, string> {
  const uf = new UnionFind();
  for (const r of records) {
    uf.find(r.id);
    for (const a of r.aliases) uf.union(r.id, a);
  }
  const members = new Map<string, string[]>();
  for (const id of uf.keys()) {
    const root = uf.find(id);
    const list = members.get(root);
    if (list) list.push(id);
    else members.set(root, [id]);
  }
  const groupOf = new Map<string, string>();
  for (const list of members.values()) {
    const canonical = canonicalId(list);
    for (const id of list) groupOf.set(id, canonical);
  }
  return groupOf;
}
