/**
 * Advisory text and package names are written by strangers. An OSV advisory carrying `<script>`, `</style>`,
 * `javascript:` links, CR/LF header injection, spreadsheet formulas, ANSI escapes and an OSC 8 hyperlink, and a
 * repository whose lockfile names a package `=HYPERLINK(...)`, go through the real chain; every output is then
 * checked for the raw payload: terminal tables (match, report, explain) and logs, CSV, Markdown, the HTML
 * dashboard, and the digest and alert emails (HTML part and headers).
 */
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { makeGitRepo } from '../helpers/git.js';
import { tmpDir } from '../helpers/tmp.js';

const ESC = '\x1b';
const FORMULA_PKG = '=HYPERLINK("http://evil.example/x","click")';
const SUMMARY = `<script>alert(1)</script></style><img src=x onerror=alert(2)> ${ESC}[2J${ESC}]8;;http://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\ =cmd|' /C calc'!A0\r\nBcc: victim@evil.test`;
const ADVISORY = {
  schema_version: '1.6.0',
  id: 'GHSA-h0st-ile0-0001',
  modified: '2024-01-01T00:00:00Z',
  aliases: ['CVE-2099-6666'],
  summary: SUMMARY,
  details: `+SUM(1,1) -2+3 @SUM(A1) [click](javascript:alert(3)) ${ESC}[31mred${ESC}[0m`,
  references: [{ type: 'WEB', url: 'javascript:alert(4)' }, { type: 'ADVISORY', url: 'https://example.org/"><script>alert(5)</script>' }],
  database_specific: { severity: 'CRITICAL' },
  affected: [
    { package: { ecosystem: 'npm', name: 'axios' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.21.2' }] }] },
    { package: { ecosystem: 'npm', name: FORMULA_PKG }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
  ],
};
const REPORT = JSON.stringify({
  SchemaVersion: 2,
  Results: [{ Target: 'package-lock.json', Class: 'lang-pkgs', Type: 'npm', Packages: [{ Name: 'axios', Version: '0.19.0' }, { Name: FORMULA_PKG, Version: '1.0.0' }] }],
});

let dir: string;
const out: Record<string, CliResult> = {};
const cli = (...args: string[]) => runCli(args, { cwd: dir });

beforeAll(async () => {
  dir = await tmpDir('icms-hostile-');
  const remote = await makeGitRepo({ 'package.json': '{"name":"web","version":"1.0.0"}' }, 'main', 'web');
  await mkdir(path.join(dir, 'osv'));
  await writeFile(path.join(dir, 'osv', 'hostile.json'), JSON.stringify(ADVISORY));
  const trivy = path.join(dir, 'fake-trivy');
  await writeFile(trivy, `#!/bin/sh\n[ "$1" = "--version" ] && { echo "Version: 0.44.1"; exit 0; }\nprev=""; for a in "$@"; do [ "$prev" = "--output" ] && out="$a"; prev="$a"; done\ncat > "$out" <<'EOF'\n${REPORT}\nEOF\n`);
  await chmod(trivy, 0o755);
  await writeFile(path.join(dir, 'inventory.yaml'), `projects:\n  - url: ${remote.url}\n    maintainers: [{name: Alice, email: alice@example.com}]\n`);
  await writeFile(
    path.join(dir, 'icms.yaml'),
    `inventory: {file: inventory.yaml}\ntrivy: {path: ${trivy}}\nadvisories:\n  sources: [{name: osv-hostile, type: osv, path: osv}]\nnotify:\n  transport: outbox\n  outbox_dir: outbox\n  security_team: [security@example.com]\n`,
  );
  for (const args of [['fetch-projects'], ['scan', '--all'], ['sync-vulns'], ['match', '--format', 'json'], ['notify'], ['match'], ['report'], ['report', '--format', 'csv'], ['report', '--format', 'markdown'], ['report', '--format', 'html'], ['explain', 'CVE-2099-6666'], ['report', '--by', 'package']]) {
    const r = await cli(...args);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.code} ${r.stderr}`);
    out[args.join(' ')] = r;
  }
}, 60_000);

describe('hostile advisory text and package names are inert in every output', () => {
  it('the payload really went through: findings for both packages, the summary stored as written', () => {
    const findings = JSON.parse(out['match --format json']!.stdout).findings as { package: string; advisory_id: string }[];
    expect(findings.map((f) => f.package).sort()).toEqual([FORMULA_PKG, 'axios'].sort());
    expect(out['report --format html']!.stdout).toContain('HYPERLINK'); // the name is shown, escaped
  });

  it('terminal: match, report, report --by, explain and every log line carry no ESC, BEL or CR', () => {
    for (const [name, r] of Object.entries(out)) {
      if (/html|csv|markdown|json/.test(name)) continue;
      for (const [stream, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
        expect(text, `${name} ${stream}`).not.toMatch(/[\x1b\x07\r\x9b]/); // eslint-disable-line no-control-regex
      }
    }
    expect(out['explain CVE-2099-6666']!.stdout).toContain('<script>alert(1)</script>'); // text shown, as text
  });

  it('CSV: no cell starts with = + - @ (formula injection), no raw line break inside a row', () => {
    const csv = out['report --format csv']!.stdout;
    const cells = parseCsv(csv);
    expect(cells.length).toBeGreaterThan(2);
    const width = cells[0]!.length;
    for (const row of cells) {
      expect(row).toHaveLength(width);
      for (const cell of row) {
        expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
        expect(cell).not.toMatch(/[\x1b\r]/); // eslint-disable-line no-control-regex
      }
    }
    expect(cells.flat().some((c) => c.includes('HYPERLINK'))).toBe(true);
  });

  it('Markdown: no raw HTML tags, no javascript: link target, every table row on one line', () => {
    const md = out['report --format markdown']!.stdout;
    expect(md).not.toMatch(/<script|<img|<\/style/i);
    expect(md).not.toMatch(/\]\(\s*javascript:/i);
    expect(md).not.toMatch(/[\x1b\r]/); // eslint-disable-line no-control-regex
    const header = md.split('\n').find((l) => l.startsWith('|'))!;
    const columns = header.split(/(?<!\\)\|/).length;
    for (const line of md.split('\n').filter((l) => l.startsWith('|'))) expect(line.split(/(?<!\\)\|/).length, line).toBe(columns);
  });

  it('HTML dashboard: the payload never appears as markup, no javascript: href, no raw escape', () => {
    const html = out['report --format html']!.stdout;
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toMatch(/href\s*=\s*["']?\s*javascript:/i);
    expect(html).not.toContain(ESC);
    // every </style> and </script> closes one the dashboard itself opened
    expect(count(html, /<\/style>/gi)).toBe(count(html, /<style[\s>]/gi));
    expect(count(html, /<\/script>/gi)).toBe(count(html, /<script[\s>]/gi));
  });

  it('emails: one-line headers (no injected Bcc), HTML part escaped, no javascript: href, no escapes', async () => {
    const files = (await readdir(path.join(dir, 'outbox'))).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBeGreaterThanOrEqual(2); // the digest and the security alert
    for (const f of files) {
      const raw = await readFile(path.join(dir, 'outbox', f), 'utf8');
      const mail = await simpleParser(raw);
      expect(mail.headers.has('bcc'), f).toBe(false);
      expect(mail.subject ?? '').not.toMatch(/[\r\n\x1b]/); // eslint-disable-line no-control-regex
      const html = String(mail.html);
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
      expect(html).not.toMatch(/href\s*=\s*["']?\s*javascript:/i);
      expect(html).not.toContain(ESC);
      expect(String(mail.text)).not.toContain(ESC);
      expect(count(html, /<\/style>/gi)).toBe(count(html, /<style[\s>]/gi));
    }
  });
});

function count(text: string, re: RegExp): number {
  return (text.match(re) ?? []).length;
}

/** RFC 4180 parsing (quoted fields with "" escapes), enough to look at each cell. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}
