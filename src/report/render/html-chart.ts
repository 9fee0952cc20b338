/**
 * The dashboard's trend chart, drawn by the page script (so it follows the view): open findings by severity at
 * each point of the trend (a day, or a match run while there is less than two days of history) as an inline SVG
 * built with createElementNS; a sentence instead when there are fewer than two points. Plain ES2019, inlined into
 * the dashboard script's scope (it uses `el`, `SEV`, `D` from there).
 */
export const TREND_SCRIPT = String.raw`
  // series drawn, most severe first, with the colours of the severity badges; NONE only when present
  var SERIES = [['CRITICAL', '#b3001b'], ['HIGH', '#e4572e'], ['MEDIUM', '#d99a00'], ['LOW', '#2e86ab'], ['UNKNOWN', '#888888'], ['NONE', '#bbbbbb']];
  var SVGNS = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function severityText(counts, i) {
    var parts = [];
    SERIES.forEach(function (s) { var n = counts[SEV.indexOf(s[0])][i]; if (n) parts.push(n + ' ' + s[0]); });
    return parts.length ? parts.join(', ') : 'none';
  }
  // counts[severity index][point index]: open findings of the view at each point
  function drawTrend(counts) {
    var points = D.trend.points, box = $('trend'), n = points.length;
    box.textContent = '';
    $('trend-title').textContent = n < 2 ? 'Open findings over time' : D.trend.perRun ? 'Open findings per match run (less than two days of history)' : 'Open findings, last ' + n + (n === 1 ? ' day' : ' days');
    if (n === 0) { box.appendChild(el('p', 'No match runs in this period yet: the trend appears after the first icms match.', 'muted trend-note')); return; }
    if (n === 1) {
      var total = counts.reduce(function (t, c) { return t + c[0]; }, 0);
      box.appendChild(el('p', 'One match run so far (' + points[0][0] + '): ' + total + ' open (' + severityText(counts, 0) + '). The trend draws a line from the second run on.', 'muted trend-note'));
      return;
    }
    var W = 720, H = 220, L = 44, R = 12, T = 12, B = 40, pw = W - L - R, ph = H - T - B;
    var shown = SERIES.filter(function (s) { return s[0] !== 'NONE' || counts[SEV.indexOf('NONE')].some(function (v) { return v > 0; }); });
    var max = 1;
    shown.forEach(function (s) { counts[SEV.indexOf(s[0])].forEach(function (v) { if (v > max) max = v; }); });
    var x = function (i) { return (L + (i * pw) / (n - 1)).toFixed(1); };
    var y = function (v) { return (T + ph - (v * ph) / max).toFixed(1); };
    var chart = svg('svg', { 'class': 'trend', role: 'img', viewBox: '0 0 ' + W + ' ' + H, width: '100%', preserveAspectRatio: 'xMidYMid meet', 'font-size': 11, 'font-family': 'sans-serif',
      'aria-label': 'Open findings by severity, ' + points[0][0] + ' to ' + points[n - 1][0] });
    [0, 0.5, 1].forEach(function (f) {
      var v = Math.round(max * f);
      chart.appendChild(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#ddd' }));
      chart.appendChild(svg('text', { x: L - 6, y: (Number(y(v)) + 4).toFixed(1), 'text-anchor': 'end' }, v));
    });
    shown.forEach(function (s, si) {
      var c = counts[SEV.indexOf(s[0])];
      var line = svg('polyline', { 'class': 'series series-' + s[0].toLowerCase(), 'data-severity': s[0], 'data-counts': c.join(','), fill: 'none', stroke: s[1], 'stroke-width': 2, points: c.map(function (v, i) { return x(i) + ',' + y(v); }).join(' ') });
      line.appendChild(svg('title', {}, s[0] + ': ' + c[n - 1] + ' open at ' + points[n - 1][0]));
      chart.appendChild(line);
      chart.appendChild(svg('rect', { x: L + si * 100, y: H - 14, width: 10, height: 10, fill: s[1] }));
      chart.appendChild(svg('text', { x: L + si * 100 + 14, y: H - 5, 'class': 'legend' }, s[0]));
    });
    chart.appendChild(svg('text', { x: L, y: H - 22 }, points[0][0]));
    chart.appendChild(svg('text', { x: W - R, y: H - 22, 'text-anchor': 'end' }, points[n - 1][0]));
    box.appendChild(chart);
    box.appendChild(el('p', 'Now: ' + severityText(counts, n - 1) + '.', 'muted trend-now'));
  }
`;
