/**
 * The dashboard's inline script (plain ES2019, no dependencies). Data comes only from the JSON block and is
 * put on the page with textContent/createElement, never innerHTML; links are made only for http(s) URLs.
 * Rows are rendered a page at a time, so 100k findings stay responsive; the overview (html-overview-script.ts,
 * html-chart.ts) is redrawn for each view.
 */
import { TREND_SCRIPT } from './html-chart.js';
import { OVERVIEW_SCRIPT } from './html-overview-script.js';

export const DASHBOARD_SCRIPT = String.raw`(function () {
  'use strict';
  var PAGE = 200;
  var D = JSON.parse(document.getElementById('icms-data').textContent);
  var SEV = D.severities;
  var ACTIVE = { 'new': 1, open: 1, reopened: 1 };
  // maintainers compared case-insensitively (a digest links #maintainer=<email> as the inventory spells it)
  var maintOf = D.projects.map(function (p) { return p[2].map(function (m) { return m.toLowerCase(); }); });
  // lists and timestamps many findings repeat are stored once (D.shared); a finding holds their index. Never mutated.
  var S = D.shared;
  var rows = D.findings.map(function (a, i) {
    var p = D.projects[a[0]];
    return { i: i, project: p[0], maint: maintOf[a[0]], eco: a[1], pkg: a[2], ver: a[3], group: a[4], ids: S[a[5]], aliases: S[a[6]],
      sev: a[7], cvss: a[8], fixed: a[9], upgrade: a[10], status: a[11], first: S[a[12]], last: S[a[13]], targets: S[a[14]],
      reason: a[15], acceptance: a[16], note: a[17], kev: a[18], epss: a[19], spans: a[20], target: a[21], gk: undefined, hay: null };
  });
  var state = { project: '', maintainer: '', severity: '', status: D.defaultStatus, ecosystem: '', exploited: '', epss: '', q: '', sort: 'sev', dir: -1, page: 0 };
  var $ = function (id) { return document.getElementById(id); };
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function safeUrl(u) {
    try { var p = new URL(u); return p.protocol === 'http:' || p.protocol === 'https:' ? p.href : null; } catch (e) { return null; }
  }
  function fix(r) {
    if (r.upgrade) return 'upgrade ' + r.pkg + ' to ' + r.upgrade;
    if (r.fixed) return 'fixed in ' + r.fixed;
    return ACTIVE[r.status] ? 'no fixed version known' : '';
  }
  function summary(r) {
    for (var k = 0; k < r.ids.length; k++) { var a = D.advisories[r.ids[k]]; if (a && a[0]) return a[0]; }
    return '';
  }
  function fillSelect(id, values, label) {
    var s = $(id);
    s.appendChild(el('option', label)).value = '';
    values.forEach(function (v) { s.appendChild(el('option', v)).value = v; });
  }
  function uniq(list) { return Array.from(new Set(list)).sort(); }
  fillSelect('f-project', uniq(D.projects.map(function (p) { return p[0]; })), 'all projects');
  fillSelect('f-maintainer', uniq([].concat.apply([], D.projects.map(function (p) { return p[2]; }))), 'all maintainers');
  fillSelect('f-severity', SEV.slice().reverse(), 'any severity');
  fillSelect('f-ecosystem', uniq(rows.map(function (r) { return r.eco; })), 'all ecosystems');
  var ex = $('f-exploited');
  [['', 'KEV or not'], ['kev', 'exploited (KEV)']].forEach(function (v) { ex.appendChild(el('option', v[1])).value = v[0]; });
  var ep = $('f-epss');
  [['', 'any EPSS'], ['0.01', 'EPSS ≥ 1%'], ['0.1', 'EPSS ≥ 10%'], ['0.5', 'EPSS ≥ 50%'], ['0.9', 'EPSS ≥ 90%']].forEach(function (v) { ep.appendChild(el('option', v[1])).value = v[0]; });
  var st = $('f-status');
  ['active', 'new', 'open', 'reopened', 'fixed', 'accepted', 'false_positive', 'all'].forEach(function (v) { st.appendChild(el('option', v)).value = v; });

  // the view's scope: every filter but severity and status (the overview counts those itself)
  function inScope(r) {
    if (state.project && r.project !== state.project) return false;
    if (state.maintainer && r.maint.indexOf(state.maintainer.toLowerCase()) < 0) return false;
    if (state.ecosystem && r.eco !== state.ecosystem) return false;
    if (state.exploited && !r.kev) return false;
    if (state.epss && !(r.epss !== null && r.epss >= Number(state.epss))) return false;
    if (state.q) {
      if (r.hay === null) r.hay = [r.project, r.eco, r.pkg, r.ver, r.group, r.aliases.join(' '), summary(r), r.status].join(' ').toLowerCase();
      var words = state.q.toLowerCase().split(/\s+/);
      for (var k = 0; k < words.length; k++) if (words[k] && r.hay.indexOf(words[k]) < 0) return false;
    }
    return true;
  }
  // the table's filters beyond the scope
  function inView(r) {
    if (state.severity && SEV[r.sev] !== state.severity) return false;
    return state.status === 'active' ? ACTIVE[r.status] === 1 : state.status === 'all' || r.status === state.status;
  }
  function matches(r) { return inView(r) && inScope(r); }
  var KEYS = {
    // the order of attention: KEV-listed, then severity, then EPSS, then the CVSS score
    sev: function (r) { return (r.kev ? 1e8 : 0) + r.sev * 1e6 + Math.round((r.epss || 0) * 1000) * 100 + Math.round((r.cvss || 0) * 10); },
    cvss: function (r) { return r.cvss === null ? -1 : r.cvss; },
    kev: function (r) { return (r.kev ? 2 : 0) + (r.epss || 0); },
    project: function (r) { return r.project; }, pkg: function (r) { return r.pkg; }, ver: function (r) { return r.ver; },
    group: function (r) { return r.group; }, status: function (r) { return r.status; }, fix: fix, first: function (r) { return r.first; }
  };
  function compare(a, b) {
    var k = KEYS[state.sort], x = k(a), y = k(b);
    var c = x < y ? -1 : x > y ? 1 : 0;
    return c * state.dir || a.i - b.i;
  }
  function detail(r) {
    var td = el('td', null, 'detail');
    td.colSpan = 9;
    var add = function (label, node) { var p = el('div', null, 'field'); p.appendChild(el('strong', label + ': ')); p.appendChild(node); td.appendChild(p); };
    r.ids.forEach(function (id) {
      var a = D.advisories[id];
      var box = el('section', null, 'advisory');
      box.appendChild(el('h4', id));
      if (a) {
        if (a[0]) box.appendChild(el('p', a[0], 'summary'));
        if (a[1]) box.appendChild(el('pre', a[1], 'details'));
        var ul = el('ul', null, 'refs');
        a[3].forEach(function (ref) {
          var li = el('li'); var href = safeUrl(ref[1]);
          li.appendChild(el('span', ref[0] + ' ', 'muted'));
          if (href) { var link = el('a', ref[1]); link.href = href; link.rel = 'noopener noreferrer'; link.target = '_blank'; li.appendChild(link); }
          else li.appendChild(el('span', ref[1], 'unsafe-url'));
          ul.appendChild(li);
        });
        if (a[3].length) box.appendChild(ul);
      }
      td.appendChild(box);
    });
    add('Aliases', el('span', r.aliases.join(', ')));
    add('Fix', el('span', fix(r) || '-'));
    add('Found in', el('span', r.targets.join(', ') + ' (' + r.project + ', ' + r.eco + ' ' + r.pkg + ' ' + r.ver + ')'));
    add('First seen / last seen', el('span', r.first + ' / ' + r.last));
    if (r.acceptance || r.note) add('Acceptance', el('span', r.acceptance || r.note));
    var why = el('ul', null, 'reason');
    D.reasons[r.reason].forEach(function (s) { why.appendChild(el('li', s)); });
    add('Why it matched', D.reasons[r.reason].length ? why : el('span', 'no match reason recorded', 'muted'));
    var tr = el('tr', null, 'detail-row');
    tr.appendChild(td);
    return tr;
  }
  function row(r) {
    var tr = el('tr', null, 'finding');
    tr.dataset.index = String(r.i);
    var sev = el('td'); sev.appendChild(el('span', SEV[r.sev], 'sev sev-' + SEV[r.sev].toLowerCase())); tr.appendChild(sev);
    var exploited = (r.kev ? 'KEV ' + r.kev : '') + (r.kev && r.epss !== null ? ' ' : '') + (r.epss !== null ? 'EPSS ' + (r.epss * 100).toFixed(1) + '%' : '');
    [exploited, r.cvss === null ? '' : r.cvss.toFixed(1), r.project, r.pkg, r.ver, r.group, r.status, fix(r)].forEach(function (t) { tr.appendChild(el('td', t)); });
    tr.title = summary(r);
    tr.addEventListener('click', function () {
      var next = tr.nextSibling;
      if (next && next.className === 'detail-row') { next.remove(); tr.classList.remove('open'); }
      else { tr.after(detail(r)); tr.classList.add('open'); }
    });
    return tr;
  }
  var filtered = rows;
  function refilter() { filtered = rows.filter(matches).sort(compare); state.page = 0; }
  function draw() {
    var pages = Math.max(1, Math.ceil(filtered.length / PAGE));
    if (state.page >= pages) state.page = pages - 1;
    var start = state.page * PAGE, end = Math.min(filtered.length, start + PAGE);
    var frag = document.createDocumentFragment();
    for (var k = start; k < end; k++) frag.appendChild(row(filtered[k]));
    var body = $('findings-body');
    body.textContent = '';
    body.appendChild(frag);
    $('count').textContent = filtered.length ? (start + 1) + '-' + end + ' of ' + filtered.length + ' findings' : 'no findings match';
    $('page').textContent = 'page ' + (state.page + 1) + ' / ' + pages;
    $('prev').disabled = state.page === 0;
    $('next').disabled = state.page >= pages - 1;
    document.querySelectorAll('th[data-sort]').forEach(function (th) {
      th.setAttribute('aria-sort', th.dataset.sort === state.sort ? (state.dir > 0 ? 'ascending' : 'descending') : 'none');
    });
  }
  var FIELDS = { project: 'f-project', maintainer: 'f-maintainer', severity: 'f-severity', status: 'f-status', ecosystem: 'f-ecosystem', exploited: 'f-exploited', epss: 'f-epss', q: 'f-q' };
  // the anchor of the current view with some filters changed (the overview's links keep the view)
  function hashFor(changes) {
    var parts = [];
    Object.keys(FIELDS).forEach(function (k) {
      var v = k in changes ? changes[k] : state[k];
      if (v && !(k === 'status' && v === D.defaultStatus)) parts.push(k + '=' + encodeURIComponent(v));
    });
    return '#' + parts.join('&');
  }
  function toHash() {
    var h = hashFor({});
    try { history.replaceState(null, '', h.length > 1 ? h : location.pathname + location.search); } catch (e) { /* file:// in some browsers */ }
  }
  // a value the hash names in any case (a maintainer's email) selects the option spelled as the data spells it
  function choose(select, value) {
    if (!value) return '';
    var lower = value.toLowerCase();
    for (var k = 0; k < select.options.length; k++) if (select.options[k].value.toLowerCase() === lower) return select.options[k].value;
    select.appendChild(el('option', value + ' (not in this report)')).value = value;
    return value;
  }
  function fromHash() {
    var h = new URLSearchParams(location.hash.replace(/^#/, ''));
    Object.keys(FIELDS).forEach(function (k) {
      var v = h.get(k) || (k === 'status' ? D.defaultStatus : '');
      state[k] = k === 'q' ? v : choose($(FIELDS[k]), v);
      $(FIELDS[k]).value = state[k];
    });
  }
${TREND_SCRIPT}${OVERVIEW_SCRIPT}
  Object.keys(FIELDS).forEach(function (k) {
    $(FIELDS[k]).addEventListener(k === 'q' ? 'input' : 'change', function (e) { state[k] = e.target.value; overview(true); draw(); toHash(); });
  });
  document.querySelectorAll('th[data-sort]').forEach(function (th) {
    th.addEventListener('click', function () {
      var k = th.dataset.sort;
      state.dir = state.sort === k ? -state.dir : (k === 'sev' || k === 'cvss' || k === 'kev' ? -1 : 1);
      state.sort = k;
      filtered.sort(compare); state.page = 0; draw();
    });
  });
  $('prev').addEventListener('click', function () { state.page--; draw(); });
  $('next').addEventListener('click', function () { state.page++; draw(); });
  window.addEventListener('hashchange', function () { fromHash(); overview(true); draw(); });
  $('overview').className = 'pending';
  fromHash(); refilter(); draw(); drawView();
  window.__icmsFirstRenderMs = performance.now();
  // the overview (one pass over every finding) right after the first rows are on screen; until then it is dimmed
  requestAnimationFrame(function () {
    setTimeout(function () {
      overview();
      document.body.setAttribute('data-ready', '1');
    }, 0);
  });
})();
`;
