import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { parseInventoryYaml } from '../../src/inventory/yaml-file.js';
import { buildInventory } from '../../src/inventory/fetch-inventory.js';
import { ExitCode } from '../../src/shared/errors.js';

const YAML = `projects:
  - url: https://github.com/acme/shop
    maintainers: [{name: Alice, email: alice@example.com}]
    labels: {exposure: internet}
    images:
      - {ref: registry.example.com/acme/shop, tags: [4.1.0, 4.0.3]}
      - {ref: build/shop-base.tar}
`;

describe('inventory images: [{ref, tags}]', () => {
  it("adds one image project per tag with the repository's maintainers and labels plus repo, image and tag; a tar is resolved against the file", () => {
    const { projects } = parseInventoryYaml(YAML, '/srv/icms/inventory.yaml');
    const alice = [{ name: 'Alice', email: 'alice@example.com' }];
    expect(projects).toEqual([
      { kind: 'repo', url: 'https://github.com/acme/shop', branch: 'main', maintainers: alice, labels: { exposure: 'internet' } },
      { kind: 'image', url: 'registry.example.com/acme/shop:4.1.0', branch: '', maintainers: alice, labels: { exposure: 'internet', repo: 'https://github.com/acme/shop', image: 'registry.example.com/acme/shop', tag: '4.1.0' } },
      { kind: 'image', url: 'registry.example.com/acme/shop:4.0.3', branch: '', maintainers: alice, labels: { exposure: 'internet', repo: 'https://github.com/acme/shop', image: 'registry.example.com/acme/shop', tag: '4.0.3' } },
      { kind: 'image', url: path.resolve('/srv/icms/build/shop-base.tar'), branch: '', maintainers: alice, labels: { exposure: 'internet', repo: 'https://github.com/acme/shop', image: 'build/shop-base.tar' } },
    ]);
  });

  it('the allowlist judges an image by the repository it is listed under', () => {
    const raw = parseInventoryYaml(YAML, '/srv/icms/inventory.yaml');
    expect(buildInventory(raw, { domains: ['github.com'], organizations: [] }).projects).toHaveLength(4);
    expect(buildInventory(raw, { domains: ['gitlab.com'], organizations: [] }).projects).toHaveLength(0);
  });

  it.each([
    ['images: registry/x', /inv\.yaml:4: projects\[0\]\.images must be a list of \{ref, tags\}/],
    ['images: [{tags: [1]}]', /inv\.yaml:4: projects\[0\]\.images\[0\]\.ref is missing/],
    ['images: [{ref: "--config=/etc/passwd"}]', /projects\[0\]\.images\[0\]\.ref "--config=\/etc\/passwd" is not an image reference/],
    ['images: [{ref: reg/x, tags: ["a b"]}]', /projects\[0\]\.images\[0\]\.tags\[0\] "a b" is not an image tag/],
    ['images: [{ref: x.tar, tags: [1]}]', /projects\[0\]\.images\[0\]: a tar file has no tags/],
    ['images: [{ref: reg/x, digest: abc}]', /projects\[0\]\.images\[0\]: unknown key "digest"/],
  ])('%s is a usage error naming the line', (line, message) => {
    const text = `projects:\n  - url: https://github.com/acme/shop\n    maintainers: [{email: a@example.com}]\n    ${line}\n`;
    expect(() => parseInventoryYaml(text, 'inv.yaml')).toThrow(expect.objectContaining({ exitCode: ExitCode.Usage, message: expect.stringMatching(message) }));
  });
});
