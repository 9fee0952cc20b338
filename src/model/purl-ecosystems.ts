/**
 * purl type -> OSV ecosystem of language packages (https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst):
 * one table for every purl icms reads (SBOM components, CVE Manager `package_url`); other types are not language
 * ecosystems OSV names.
 */
export const PURL_TYPE_ECOSYSTEMS: Readonly<Record<string, string>> = {
  golang: 'Go',
  npm: 'npm',
  pypi: 'PyPI',
  maven: 'Maven',
  cargo: 'crates.io',
  gem: 'RubyGems',
  composer: 'Packagist',
  nuget: 'NuGet',
  pub: 'Pub',
  hex: 'Hex',
  cocoapods: 'CocoaPods',
  swift: 'SwiftURL',
  conan: 'ConanCenter',
};
