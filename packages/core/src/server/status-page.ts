/**
 * The status page at `GET /`: plain HTML, CSS and a little JS, no build step. It polls /status.json
 * every 2 s (sending the token it was opened with, `/?token=...`, when the server wants one) and draws
 * state, instances with their tasks, lag per partition with a live chart, throughput, recent
 * dead-letter reasons and the topology.
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tributary status</title>
<link rel="icon" href="data:,">
<style>
  :root { --fg:#1d2330; --muted:#677085; --line:#e3e6ec; --bg:#f6f7f9; --ok:#1f8a4c; --warn:#b7791f; --bad:#c53030; --accent:#2b6cb0; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); }
  header { display:flex; align-items:baseline; gap:16px; padding:14px 24px; background:#fff; border-bottom:1px solid var(--line); }
  header h1 { font-size:18px; margin:0; }
  .pill { padding:2px 10px; border-radius:999px; font-weight:600; font-size:12px; background:var(--line); }
  .pill.running { background:#d7f2e2; color:var(--ok); } .pill.rebalancing { background:#fcefd4; color:var(--warn); }
  .pill.error, .pill.not-running { background:#fbdada; color:var(--bad); }
  main { display:grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap:16px; padding:16px 24px; max-width:1400px; }
  section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 16px; min-width:0; }
  section h2 { font-size:13px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); margin:0 0 8px; }
  .kpis { display:flex; gap:24px; flex-wrap:wrap; }
  .kpi b { display:block; font-size:22px; font-variant-numeric: tabular-nums; }
  .kpi span { color:var(--muted); font-size:12px; }
  #errors { gap:16px; margin-bottom:8px; } #errors .kpi b { font-size:18px; }
  table { border-collapse:collapse; width:100%; font-variant-numeric: tabular-nums; }
  th, td { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); vertical-align:top; }
  th { color:var(--muted); font-weight:600; font-size:12px; }
  td.num { text-align:right; }
  .muted { color:var(--muted); } .wide { grid-column: 1 / -1; }
  pre { margin:0; max-height:340px; overflow:auto; font-size:12px; background:var(--bg); padding:8px; border-radius:6px; }
  svg { width:100%; height:90px; display:block; }
  #error { color:var(--bad); }
</style>
</head>
<body>
<header><h1 id="app">Tributary</h1><span id="state" class="pill">…</span><span id="ready" class="muted"></span><span id="error"></span></header>
<main>
  <section><h2>Throughput</h2>
    <div class="kpis">
      <div class="kpi"><b id="rate">–</b><span>records/s (30 s)</span></div>
      <div class="kpi"><b id="processed">–</b><span>processed</span></div>
      <div class="kpi"><b id="lagTotal">–</b><span>total lag</span></div>
      <div class="kpi"><b id="commitRate">–</b><span>commits/s</span></div>
    </div>
    <svg id="chart" viewBox="0 0 300 90" preserveAspectRatio="none" aria-label="lag and throughput chart">
      <polyline id="lagLine" fill="none" stroke="#c53030" stroke-width="1.5" points=""/>
      <polyline id="rateLine" fill="none" stroke="#2b6cb0" stroke-width="1.5" points=""/>
    </svg>
    <div class="muted"><span style="color:#c53030">■</span> total lag <span style="color:#2b6cb0">■</span> records/s, last 2 minutes</div>
  </section>
  <section><h2>Instances</h2><table><thead><tr><th>instance</th><th>state</th><th>tasks</th><th>restoring</th></tr></thead><tbody id="instances"></tbody></table></section>
  <section><h2>Lag per partition</h2><table><thead><tr><th>topic</th><th>partition</th><th>task</th><th class="num">lag</th></tr></thead><tbody id="partitions"></tbody></table></section>
  <section><h2>Errors and dead letters</h2><div class="kpis" id="errors"></div>
    <table><thead><tr><th>when</th><th>what</th><th>where</th><th>reason</th></tr></thead><tbody id="dlq"></tbody></table></section>
  <section class="wide"><h2>Topology</h2><pre id="topology"></pre></section>
</main>
<script>
(() => {
  const token = new URLSearchParams(location.search).get('token');
  const headers = token ? { authorization: 'Bearer ' + token } : {};
  const history = [];
  const $ = (id) => document.getElementById(id);
  const text = (v) => document.createTextNode(String(v));
  const row = (cells) => {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = document.createElement('td');
      if (typeof c === 'number') td.className = 'num';
      td.appendChild(text(typeof c === 'number' ? c.toLocaleString() : c));
      tr.appendChild(td);
    }
    return tr;
  };
  const fill = (id, rows) => $(id).replaceChildren(...rows.map(row));
  const line = (values) => {
    const max = Math.max(1, ...values);
    const step = 300 / Math.max(1, values.length - 1);
    return values.map((v, i) => (i * step).toFixed(1) + ',' + (88 - v / max * 84).toFixed(1)).join(' ');
  };
  async function poll() {
    try {
      const res = await fetch('status.json', { headers });
      if (!res.ok) throw new Error('status.json: HTTP ' + res.status);
      const s = await res.json();
      $('error').textContent = '';
      $('app').textContent = s.applicationId + ' · ' + s.instance;
      $('state').textContent = s.state;
      $('state').className = 'pill ' + s.state;
      $('ready').textContent = s.ready.ready ? 'ready' : 'not ready: ' + (s.ready.reason || s.state);
      $('rate').textContent = Math.round(s.processRate).toLocaleString();
      $('processed').textContent = s.processedTotal.toLocaleString();
      $('lagTotal').textContent = s.lagTotal.toLocaleString();
      $('commitRate').textContent = s.commitRate.toFixed(2);
      history.push({ lag: s.lagTotal, rate: s.processRate });
      if (history.length > 60) history.shift();
      $('lagLine').setAttribute('points', line(history.map((h) => h.lag)));
      $('rateLine').setAttribute('points', line(history.map((h) => h.rate)));
      fill('instances', s.instances.map((i) => [i.applicationServer, i.state, i.tasks.join(' ') || '–', i.restoring.join(' ') || '–']));
      fill('partitions', s.partitions.map((p) => [p.topic, p.partition, p.task, p.lag]));
      $('errors').replaceChildren(...Object.entries(s.errors).map(([k, v]) => {
        const d = document.createElement('div'); d.className = 'kpi';
        const b = document.createElement('b'); b.appendChild(text(v));
        const sp = document.createElement('span'); sp.appendChild(text(k));
        d.append(b, sp); return d;
      }));
      fill('dlq', s.recentDeadLetters.map((e) => [new Date(e.at).toLocaleTimeString(), e.action + ' (' + e.stage + ')', e.topic + '-' + e.partition + '@' + e.offset, e.error]));
      if ($('topology').textContent !== s.topology) $('topology').textContent = s.topology;
    } catch (err) {
      $('error').textContent = String(err.message || err);
    }
  }
  poll();
  setInterval(poll, 2000);
})();
</script>
</body>
</html>
`;
