/** The dashboard's inline stylesheet (system fonts, no external resources, light and dark). */
export const DASHBOARD_STYLE = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1d2330; --muted: #667; --line: #e3e6ea; --card: #f6f7f9; --accent: #1f5fbf; }
@media (prefers-color-scheme: dark) { :root { --bg: #15181d; --fg: #e6e8eb; --muted: #9aa; --line: #2c323a; --card: #1d2127; --accent: #79a8ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
header, main { max-width: 1400px; margin: 0 auto; padding: 12px 20px; }
header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0; } h2 { font-size: 16px; margin: 24px 0 8px; } h4 { margin: 4px 0; }
a { color: var(--accent); }
.muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 10px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 96px; text-decoration: none; color: inherit; }
.card b { display: block; font-size: 22px; }
.card.selected { border-color: var(--accent); box-shadow: 0 0 0 1px var(--accent); }
.pending { opacity: 0.4; }
.view { margin: 8px 0 0; } .view a { margin-left: 4px; }
.upgrades { margin: 4px 0; padding-left: 24px; } .upgrades li { margin: 4px 0; } .upgrades .sev { margin-right: 4px; }
h3 { font-size: 14px; margin: 12px 0 4px; }
ul.reason { margin: 4px 0; padding-left: 20px; }
.grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 24px; }
@media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
.trend text { fill: var(--muted); }
.wide { grid-column: 1 / -1; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { background: var(--card); white-space: nowrap; }
#findings-table th { position: sticky; top: 0; }
th[data-sort] { cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " \\25B2"; } th[aria-sort="descending"]::after { content: " \\25BC"; }
tr.finding { cursor: pointer; } tr.finding:hover, tr.finding.open { background: var(--card); }
td.detail { background: var(--card); padding: 10px 16px; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0; font-size: 12px; max-height: 24em; overflow: auto; }
.field { margin: 4px 0; }
.sev { display: inline-block; white-space: nowrap; min-width: 72px; text-align: center; border-radius: 3px; padding: 0 6px; font-size: 12px; font-weight: 600; color: #fff; background: #888; }
.sev-critical { background: #b3001b; } .sev-high { background: #e4572e; } .sev-medium { background: #d99a00; } .sev-low { background: #2e86ab; }
.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 8px 0; }
.filters select, .filters input { font: inherit; padding: 3px 6px; }
.filters input { min-width: 16em; }
.pager { display: flex; gap: 10px; align-items: center; margin: 8px 0; }
.unsafe-url { color: var(--muted); }
noscript p { background: #fff3cd; color: #333; padding: 8px; }
`;
