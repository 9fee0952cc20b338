/**
 * `--format html`: the self-contained dashboard (inline CSS, JS and SVG; no network). The page's script draws
 * the overview (cards, trend, top upgrades, oldest findings) for the view the anchor selects and the findings
 * table from a JSON block; the cards and projects are also rendered here, escaped, for a browser without script.
 * A Content-Security-Policy allows only this page's own script and style (by hash) and no fetches.
 */
import { createHash } from 'node:crypto';
import { escapeHtml as h, jsonForScript } from '../../shared/text-safety.js';
import type { Severity } from '../../model/types.js';
import type { ReportData } from '../model.js';
import { isActive } from '../summary.js';
import { dashboardData } from './html-data.js';
import { DASHBOARD_SCRIPT } from './html-script.js';
import { DASHBOARD_STYLE } from './html-style.js';
import type { RenderOptions } from './types.js';

const SHOWN: Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN', 'NONE'];

function sha256(s: string): string {
  return `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
}

function link(hash: Record<string, string>, text: string): string {
  const q = Object.entries(hash).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `<a href="#${h(q)}">${h(text)}</a>`;
}

/** The cards of the whole report (the script redraws them for the view); NONE only when there is one. */
function cards(data: ReportData): string {
  const active = data.findings.filter(isActive);
  const bySev = SHOWN.map((s) => [s, active.filter((f) => f.severity === s).length] as const)
    .filter(([s, n]) => s !== 'NONE' || n > 0)
    .map(([s, n]) => `<a class="card" href="#severity=${s}"><b>${n}</b><span>${s}</span></a>`)
    .join('');
  const byStatus = Object.entries(data.totals.byStatus)
    .map(([s, n]) => `<a class="card" href="#status=${h(s)}"><b>${n}</b><span>${h(s.replace('_', ' '))}</span></a>`)
    .join('');
  return `<p class="view"><span id="view-note" class="muted"></span><a id="view-all" href="#" hidden>show everything</a></p>
<h2>Open findings by severity</h2><div class="cards" id="sev-cards">${bySev}</div><h2>Findings by status</h2><div class="cards" id="status-cards">${byStatus}</div>`;
}

const OVERVIEW = `<div class="grid"><div><h2 id="trend-title">Open findings over time</h2><div id="trend"><p class="muted">The trend needs JavaScript.</p></div></div>
<div><h2>Upgrades that clear the most risk</h2><ol id="top-upgrades" class="upgrades"></ol><h3 id="no-upgrade-title" hidden></h3><ul id="no-upgrade" class="upgrades"></ul></div>
<div class="wide"><h2>Oldest open findings</h2><table id="oldest"><thead><tr><th>first seen</th><th>severity</th><th>project</th><th>package</th><th>advisory</th></tr></thead><tbody id="oldest-body"></tbody></table></div></div>`;

function projectsSection(data: ReportData): string {
  const open = new Map<string, number>();
  for (const f of data.findings) if (isActive(f)) open.set(f.project, (open.get(f.project) ?? 0) + 1);
  const rows = data.projects
    .map((p) => {
      const scan = p.lastScan ? `${h(p.lastScan.status)} ${h(p.lastScan.startedAt.slice(0, 16).replace('T', ' '))}` : 'never scanned';
      const maint = p.maintainers.map((m) => link({ maintainer: m.email }, m.name || m.email)).join(', ');
      return `<tr><td>${link({ project: p.name }, p.name)}</td><td>${open.get(p.name) ?? 0}</td><td>${maint}</td><td>${scan}</td></tr>`;
    })
    .join('');
  return `<details><summary>Projects (${data.projects.length})</summary><table id="projects"><thead><tr><th>project</th><th>open</th><th>maintainers</th><th>last scan</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}

const FINDINGS_SECTION = `<h2 id="findings">Findings</h2>
<div class="filters">
<select id="f-project" aria-label="project"></select><select id="f-maintainer" aria-label="maintainer"></select>
<select id="f-severity" aria-label="severity"></select><select id="f-status" aria-label="status"></select>
<select id="f-ecosystem" aria-label="ecosystem"></select>
<select id="f-exploited" aria-label="exploited"></select><select id="f-epss" aria-label="EPSS at least"></select>
<input id="f-q" type="search" placeholder="search package, advisory, project, summary" aria-label="search">
</div>
<div class="pager"><button id="prev" type="button">previous</button><span id="page"></span><button id="next" type="button">next</button><span id="count" class="muted"></span></div>
<table id="findings-table"><thead><tr><th data-sort="sev">severity</th><th data-sort="kev">exploited</th><th data-sort="cvss">cvss</th><th data-sort="project">project</th><th data-sort="pkg">package</th><th data-sort="ver">version</th><th data-sort="group">advisory</th><th data-sort="status">status</th><th data-sort="fix">fix</th></tr></thead>
<tbody id="findings-body"></tbody></table>
<noscript><p>The findings table, the trend and the top upgrades need JavaScript; the cards and projects above work without it.</p></noscript>`;

/** Renders the whole dashboard page. */
export function renderHtml(data: ReportData, opts: RenderOptions): string {
  const csp = `default-src 'none'; script-src ${sha256(DASHBOARD_SCRIPT)}; style-src ${sha256(DASHBOARD_STYLE)}; img-src data:; base-uri 'none'; form-action 'none'`;
  const t = data.totals;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="icms ${h(opts.toolVersion)}">
<title>icms: ${t.findings} findings</title>
<style>${DASHBOARD_STYLE}</style></head>
<body><header><h1>icms vulnerability report</h1><span class="muted">generated ${h(data.generatedAt.slice(0, 16).replace('T', ' '))} UTC, status ${h(data.filters.status)}: ${t.findings} findings in ${t.projects} projects</span></header>
<main><div id="overview">${cards(data)}
${OVERVIEW}</div>
${projectsSection(data)}
${FINDINGS_SECTION}
</main>
<script type="application/json" id="icms-data">${jsonForScript(dashboardData(data, opts.unknownAs))}</script>
<script>${DASHBOARD_SCRIPT}</script>
</body></html>
`;
}
