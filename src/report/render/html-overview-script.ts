/**
 * The dashboard overview, drawn by the page script for the current view (project, maintainer, ecosystem, KEV,
 * EPSS and search filters; the severity filter too for the trend, top upgrades and oldest findings): cards by
 * severity and status, the trend, the upgrades that clear the most risk, the oldest open findings. One pass over
 * the findings per change of view. Plain ES2019, inlined into the dashboard script's scope.
 */
export const OVERVIEW_SCRIPT = String.raw`
  var STATUSES = ['new', 'open', 'reopened', 'fixed', 'accepted', 'false_positive'];
  var CARD_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN', 'NONE'];
  var OLDEST = 15, TOP = 10;
  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many || one + 's'); }
  function badge(sev) { return el('span', SEV[sev], 'sev sev-' + SEV[sev].toLowerCase()); }
  function card(n, label, href, selected) {
    var a = el('a', null, 'card' + (selected ? ' selected' : ''));
    a.href = href;
    a.appendChild(el('b', n));
    a.appendChild(el('span', label));
    return a;
  }
  function addUpgrade(groups, r) {
    // by the upgrade that clears the finding (with the package's other fixable ones); no fixed version: no upgrade
    if (r.gk === undefined) r.gk = r.eco + '\u0000' + r.pkg + '\u0000' + (r.target || '');
    var g = groups.get(r.gk);
    if (!g) groups.set(r.gk, g = { eco: r.eco, pkg: r.pkg, up: r.target, versions: Object.create(null), projects: Object.create(null), adv: Object.create(null), kevAdv: Object.create(null), kev: 0, risk: 0, n: 0, worst: 0 });
    g.versions[r.ver] = 1;
    g.projects[r.project] = 1;
    if (!(r.group in g.adv) || g.adv[r.group] < r.sev) g.adv[r.group] = r.sev;
    if (r.kev) { g.kev++; g.kevAdv[r.group] = 1; }
    g.risk += D.weights.severity[r.sev] + D.weights.epss * (r.epss || 0);
    g.n++;
    if (r.sev > g.worst) g.worst = r.sev;
  }
  // KEV-listed findings first, then the weighted risk, then how many findings
  function byRisk(a, b) { return b.kev - a.kev || b.risk - a.risk || b.n - a.n || (a.pkg < b.pkg ? -1 : a.pkg > b.pkg ? 1 : 0); }
  function upgradeLine(g) {
    var advs = Object.keys(g.adv), bySev = SEV.map(function () { return 0; });
    advs.forEach(function (id) { bySev[g.adv[id]]++; });
    var parts = [];
    var kev = Object.keys(g.kevAdv).length;
    if (kev) parts.push(kev + ' exploited');
    for (var s = SEV.length - 1; s >= 0; s--) if (bySev[s]) parts.push(bySev[s] + ' ' + SEV[s]);
    var versions = Object.keys(g.versions).sort();
    var from = versions.slice(0, 3).join(', ') + (versions.length > 3 ? ' +' + (versions.length - 3) + ' more' : '');
    var li = el('li');
    li.appendChild(badge(g.worst));
    li.appendChild(document.createTextNode(' ' + (g.up ? 'upgrade ' : '')));
    var a = el('a', g.pkg);
    a.href = hashFor({ q: g.pkg, ecosystem: g.eco });
    li.appendChild(a);
    var counted = plural(advs.length, 'advisory', 'advisories') + ' (' + parts.join(', ') + ') in ' + plural(Object.keys(g.projects).length, 'project');
    li.appendChild(document.createTextNode(' ' + from + (g.up ? ' → ' + g.up + ' clears ' + counted : ': no fixed version known for ' + counted)));
    li.title = g.eco;
    return li;
  }
  function drawUpgrades(groups) {
    var all = Array.from(groups.values()).sort(byRisk);
    var fixable = all.filter(function (g) { return g.up; }), stuck = all.filter(function (g) { return !g.up; });
    var ol = $('top-upgrades');
    ol.textContent = '';
    fixable.slice(0, TOP).forEach(function (g) { ol.appendChild(upgradeLine(g)); });
    if (!fixable.length) ol.appendChild(el('li', 'no fixed version known for the open findings of this view', 'muted'));
    var ul = $('no-upgrade');
    ul.textContent = '';
    stuck.slice(0, 5).forEach(function (g) { ul.appendChild(upgradeLine(g)); });
    $('no-upgrade-title').hidden = !stuck.length;
    $('no-upgrade-title').textContent = 'No fixed version known' + (stuck.length > 5 ? ' (worst 5 of ' + stuck.length + ' packages)' : '');
  }
  function drawOldest(list) {
    var body = $('oldest-body');
    body.textContent = '';
    list.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('td', r.first.slice(0, 10)));
      var td = el('td'); td.appendChild(badge(r.sev)); tr.appendChild(td);
      var p = el('td'), a = el('a', r.project); a.href = hashFor({ project: r.project }); p.appendChild(a); tr.appendChild(p);
      [r.pkg + ' ' + r.ver, r.group].forEach(function (t) { tr.appendChild(el('td', t)); });
      body.appendChild(tr);
    });
    if (!list.length) { var none = el('tr'); var td0 = el('td', 'none'); td0.colSpan = 5; none.appendChild(td0); body.appendChild(none); }
  }
  function drawView() {
    var parts = [];
    ['project', 'maintainer', 'ecosystem', 'severity', 'exploited', 'epss', 'q'].forEach(function (k) { if (state[k]) parts.push(k + ' ' + state[k]); });
    $('view-note').textContent = parts.length ? 'This view: ' + parts.join(', ') + '. ' : 'All projects. ';
    $('view-all').hidden = !parts.length;
  }
  // one pass over the findings of the view: counts, trend, upgrades, oldest; with refilter, the table's rows too
  function overview(refilter) {
    var list = refilter ? [] : null;
    var n = D.trend.points.length;
    var bySev = SEV.map(function () { return 0; }), byStatus = {}, groups = new Map(), oldest = [];
    var diff = SEV.map(function () { var d = []; for (var i = 0; i <= n; i++) d.push(0); return d; });
    STATUSES.forEach(function (s) { byStatus[s] = 0; });
    for (var k = 0; k < rows.length; k++) {
      var r = rows[k];
      if (!inScope(r)) continue;
      if (list && inView(r)) list.push(r);
      byStatus[r.status]++;
      var active = ACTIVE[r.status];
      if (active) bySev[r.sev]++;
      if (state.severity && SEV[r.sev] !== state.severity) continue;
      var sp = r.spans;
      if (sp !== null && n) {
        if (typeof sp === 'number') diff[r.sev][sp]++;
        else for (var t = 0; t < sp.length; t++) diff[r.sev][sp[t]] += t % 2 ? -1 : 1;
      }
      if (!active) continue;
      addUpgrade(groups, r);
      if (oldest.length < OLDEST || r.first < oldest[oldest.length - 1].first) {
        var at = oldest.length;
        while (at > 0 && oldest[at - 1].first > r.first) at--;
        oldest.splice(at, 0, r);
        if (oldest.length > OLDEST) oldest.pop();
      }
    }
    if (list) { filtered = list.sort(compare); state.page = 0; }
    var counts = diff.map(function (d) { var c = [], sum = 0; for (var i = 0; i < n; i++) { sum += d[i]; c.push(sum); } return c; });
    var sevBox = $('sev-cards'), statusBox = $('status-cards');
    sevBox.textContent = ''; statusBox.textContent = '';
    CARD_SEVERITIES.forEach(function (s) {
      var c = bySev[SEV.indexOf(s)];
      if (s !== 'NONE' || c) sevBox.appendChild(card(c, s, hashFor({ severity: state.severity === s ? '' : s }), state.severity === s));
    });
    STATUSES.forEach(function (s) { statusBox.appendChild(card(byStatus[s], s.replace('_', ' '), hashFor({ status: s }), state.status === s)); });
    drawTrend(counts);
    drawUpgrades(groups);
    drawOldest(oldest);
    drawView();
    $('overview').className = '';
  }
`;
