/**
 * The inventory as a YAML file: `projects: [{url, branch, maintainers: [{name, email}], labels, images}]`.
 * `images: [{ref, tags}]` adds one image project per tag (`ref:tag`), with the repository's maintainers and
 * labels plus `repo`, `image` and `tag`; a ref ending in `.tar` is a docker-archive / OCI tar (relative to the file).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Maintainer, Project } from '../model/types.js';
import { IcmsError, ExitCode, errorMessage } from '../shared/errors.js';
import { parseYamlWithLines } from '../shared/yaml.js';
import { isEmail } from './normalize.js';
import { parseRepoUrl } from '../model/repo-url.js';

const PROJECT_KEYS = new Set(['url', 'sbom', 'branch', 'maintainers', 'labels', 'images']);
const IMAGE_REF = /^[A-Za-z0-9][\w.\-/:@]*$/;
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;

/** Reads and validates an inventory file; any invalid entry fails the whole file (exit 2) with its line. */
export async function readInventoryFile(file: string): Promise<{ projects: Project[]; warnings: string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new IcmsError(`cannot read inventory file ${file}: ${errorMessage(err)}`, ExitCode.Usage, {
      hint: 'set inventory.file (or ICMS_INVENTORY_FILE) to an existing YAML file',
    });
  }
  return parseInventoryYaml(text, file);
}

/** Parses inventory YAML text (pure). */
export function parseInventoryYaml(text: string, file: string): { projects: Project[]; warnings: string[] } {
  const { value, lineOf } = parseYamlWithLines(text, file);
  const bad = (path: (string | number)[], what: string, hint: string): never => {
    throw new IcmsError(`${file}:${lineOf(path)}: ${what}`, ExitCode.Usage, { hint });
  };
  const root = value as { projects?: unknown } | null;
  if (!root || typeof root !== 'object' || !Array.isArray(root.projects)) {
    return bad([], 'expected a top-level `projects:` list', 'see README "Inventory file" for the format');
  }
  const warnings: string[] = [];
  const projects = root.projects.map((entry: unknown, i: number): Project[] => {
    const at = ['projects', i];
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return bad(at, `projects[${i}] must be a mapping`, 'each project has url, branch, maintainers');
    const e = entry as Record<string, unknown>;
    for (const k of Object.keys(e)) {
      if (!PROJECT_KEYS.has(k)) bad([...at, k], `projects[${i}]: unknown key "${k}"`, 'allowed keys: url, sbom, branch, maintainers, labels, images');
    }
    if (e.sbom !== undefined) return [sbomProject(e, file, (p, w, h) => bad([...at, ...p], `projects[${i}]${w}`, h))];
    if (typeof e.url !== 'string') return bad(at, `projects[${i}].url is missing or not a string`, 'give the repository URL, e.g. https://github.com/org/repo');
    const parts = parseRepoUrl(e.url);
    if (!parts) return bad([...at, 'url'], `projects[${i}].url ${JSON.stringify(e.url)} is not a repository URL`, 'use https://host/owner/repo, ssh://…, git@host:owner/repo or file:///path');
    if (parts.hadCredentials) warnings.push(`${file}:${lineOf([...at, 'url'])}: credentials in the URL were dropped; configure git.auth instead`);
    const branch = e.branch ?? 'main';
    if (typeof branch !== 'string' || branch.trim() === '') return bad([...at, 'branch'], `projects[${i}].branch must be a non-empty string`, 'e.g. branch: main');
    const maintainers = parseMaintainers(e.maintainers, (p, w, h) => bad([...at, 'maintainers', ...p], `projects[${i}].maintainers${w}`, h));
    const labels = e.labels ?? {};
    if (typeof labels !== 'object' || Array.isArray(labels) || labels === null) return bad([...at, 'labels'], `projects[${i}].labels must be a mapping`, 'e.g. labels: {exposure: internet}');
    const labelMap: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') bad([...at, 'labels', k], `projects[${i}].labels.${k} must be a scalar`, 'labels are key: value strings');
      labelMap[k] = String(v);
    }
    const repo: Project = { kind: 'repo', url: parts.url, branch: branch.trim(), maintainers, labels: labelMap };
    const images = parseImages(e.images, file, (p, w, h) => bad([...at, 'images', ...p], `projects[${i}].images${w}`, h));
    return [repo, ...images.map((img): Project => ({ kind: 'image', url: img.url, branch: '', maintainers, labels: { ...labelMap, repo: parts.url, image: img.ref, ...(img.tag ? { tag: img.tag } : {}) } }))];
  });
  return { projects: projects.flat(), warnings };
}

type Bad = (path: (string | number)[], what: string, hint: string) => never;

/** `{sbom: path-or-https-url, maintainers, labels}`: a project known by its SBOM instead of a repository (kind local). */
function sbomProject(e: Record<string, unknown>, file: string, bad: Bad): Project {
  if (e.url !== undefined || e.images !== undefined || e.branch !== undefined) return bad(['sbom'], ': sbom stands instead of url (no url, branch or images with it)', 'one entry per SBOM');
  if (typeof e.sbom !== 'string' || e.sbom.trim() === '') return bad(['sbom'], '.sbom must be a path or an https URL', 'e.g. sbom: sboms/shop.cdx.json');
  const raw = e.sbom.trim();
  const isUrl = /^https?:\/\//i.test(raw);
  if (isUrl && !URL.canParse(raw)) return bad(['sbom'], `.sbom ${JSON.stringify(raw)} is not a URL`, 'e.g. https://ci.example.com/shop/sbom.json');
  const maintainers = parseMaintainers(e.maintainers, (p, w, h) => bad(['maintainers', ...p], `.maintainers${w}`, h));
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries((e.labels ?? {}) as Record<string, unknown>)) labels[k] = String(v);
  return { kind: 'local', url: isUrl ? raw : path.resolve(path.dirname(path.resolve(file)), raw), branch: '', maintainers, labels };
}

/** `images: [{ref, tags}]` -> one image per tag; a tar ref is resolved against the inventory file's directory. */
function parseImages(raw: unknown, file: string, bad: Bad): { ref: string; tag?: string; url: string }[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return bad([], ' must be a list of {ref, tags}', 'e.g. images: [{ref: registry.example.com/shop, tags: [4.1.0]}]');
  return raw.flatMap((m: unknown, j: number) => {
    const o = m as Record<string, unknown> | null;
    if (!o || typeof o !== 'object' || typeof o.ref !== 'string') return bad([j], `[${j}].ref is missing`, 'each image has a ref (registry/name, or a .tar file)');
    for (const k of Object.keys(o)) if (k !== 'ref' && k !== 'tags') bad([j, k], `[${j}]: unknown key "${k}"`, 'allowed keys: ref, tags');
    const ref = o.ref.trim();
    if (/\.tar$/i.test(ref)) {
      if (o.tags !== undefined) bad([j, 'tags'], `[${j}]: a tar file has no tags`, 'list one image entry per tar file');
      return [{ ref, url: path.resolve(path.dirname(path.resolve(file)), ref) }];
    }
    if (!IMAGE_REF.test(ref) || ref.includes('..')) return bad([j, 'ref'], `[${j}].ref ${JSON.stringify(ref)} is not an image reference`, 'use registry/name (tags under tags:) or name@sha256:digest');
    const tags = o.tags === undefined ? [] : o.tags;
    if (!Array.isArray(tags)) return bad([j, 'tags'], `[${j}].tags must be a list`, 'e.g. tags: [4.1.0, 4.0.3]');
    if (tags.length === 0) return [{ ref, url: ref }];
    return tags.map((t: unknown, k: number) => {
      const tag = String(t).trim();
      if (!IMAGE_TAG.test(tag)) return bad([j, 'tags', k], `[${j}].tags[${k}] ${JSON.stringify(tag)} is not an image tag`, 'tags are letters, digits, _ . - (at most 128)');
      return { ref, tag, url: `${ref}:${tag}` };
    });
  });
}

function parseMaintainers(raw: unknown, bad: (path: (string | number)[], what: string, hint: string) => never): Maintainer[] {
  if (!Array.isArray(raw) || raw.length === 0) return bad([], ' must list at least one {name, email}', 'every project needs a maintainer to notify');
  return raw.map((m: unknown, j: number) => {
    const o = m as Record<string, unknown> | null;
    if (!o || typeof o !== 'object' || typeof o.email !== 'string' || !isEmail(o.email.trim())) {
      return bad([j], `[${j}].email is missing or not a valid address`, 'e.g. {name: Alice, email: alice@example.com}');
    }
    const name = typeof o.name === 'string' && o.name.trim() ? o.name.trim() : o.email.trim();
    if (/[\r\n]/.test(name)) return bad([j, 'name'], `[${j}].name contains a line break`, 'names are one line');
    return { name, email: o.email.trim() };
  });
}
