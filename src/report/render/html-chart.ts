/** The dashboard's trend chart: open findings by severity per day, as a self-contained inline SVG. */
import type { Severity } from '../../model/types.js';
import { escapeHtml } from '../../shared/text-safety.js';
import type { TrendPoint } from '../model.js';

/** Series drawn, most severe first, with their colours (the same as the severity badges). */
export const TREND_SERIES: { key: string; label: string; color: string; of: Severity[] }[] = [
  { key: 'critical', label: 'critical', color: '#b3001b', of: ['CRITICAL'] },
  { key: 'high', label: 'high', color: '#e4572e', of: ['HIGH'] },
  { key: 'medium', label: 'medium', color: '#d99a00', of: ['MEDIUM'] },
  { key: 'low', label: 'low', color: '#2e86ab', of: ['LOW'] },
  { key: 'other', label: 'other', color: '#888888', of: ['UNKNOWN', 'NONE'] },
];

const W = 720;
const H = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 40 };

/** An SVG line chart of `points` (one polyline per severity band); a note when there is no history yet. */
export function trendSvg(points: readonly TrendPoint[]): string {
  if (points.length === 0) return '<p class="muted">No match runs in this period yet: the trend appears after the first <code>icms match</code>.</p>';
  const values = points.map((p) => TREND_SERIES.map((s) => s.of.reduce((n, sev) => n + p.bySeverity[sev], 0)));
  const max = Math.max(1, ...values.flat());
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number): number => PAD.left + (points.length === 1 ? plotW / 2 : (i * plotW) / (points.length - 1));
  const y = (v: number): number => PAD.top + plotH - (v * plotH) / max;
  const r = (n: number): string => n.toFixed(1);
  const lines = TREND_SERIES.map((s, si) => {
    const pts = values.map((v, i) => `${r(x(i))},${r(y(v[si]!))}`).join(' ');
    const last = values.at(-1)![si]!;
    return `<polyline class="series-${s.key}" fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"><title>${s.label}: ${last} open today</title></polyline>`;
  }).join('');
  const grid = [0, 0.5, 1]
    .map((f) => {
      const v = Math.round(max * f);
      return `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${r(y(v))}" y2="${r(y(v))}" stroke="#ddd"/><text x="${PAD.left - 6}" y="${r(y(v) + 4)}" text-anchor="end">${v}</text>`;
    })
    .join('');
  const first = escapeHtml(points[0]!.date);
  const last = escapeHtml(points.at(-1)!.date);
  const legend = TREND_SERIES.map((s, i) => `<rect x="${PAD.left + i * 90}" y="${H - 14}" width="10" height="10" fill="${s.color}"/><text x="${PAD.left + i * 90 + 14}" y="${H - 5}">${s.label}</text>`).join('');
  return `<svg class="trend" role="img" aria-label="Open findings by severity, ${first} to ${last}" viewBox="0 0 ${W} ${H}" width="100%" preserveAspectRatio="xMidYMid meet" font-size="11" font-family="sans-serif">${grid}${lines}<text x="${PAD.left}" y="${H - 22}">${first}</text><text x="${W - PAD.right}" y="${H - 22}" text-anchor="end">${last}</text>${legend}</svg>`;
}
