// One page for the HTML report and the live dashboard. Both read the run's event stream: the
// report has it embedded (with the history), the dashboard receives it line by line over
// server-sent events. `apply` folds an event into the state; `render` draws the state. Every
// value from a run is escaped by `esc` before it becomes markup.
"use strict";
const S = {run: null, done: null, order: [], sc: {}, health: {}, resources: [], faults: [],
           defects: null, differences: null, history: null};
const STATUSES = ["passed", "failed", "error", "skipped", "running", "queued"];
const F = {status: Object.fromEntries(STATUSES.map(s => [s, true])), tier: "", mode: "", tag: ""};
const open = new Set();

function esc(v) {
  return String(v ?? "").replace(/[&<>"']/g,
    c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}
function short(cls) { return String(cls || "").split(".").pop(); }
function ms(v) { return v == null ? "" : v >= 1000 ? (v / 1000).toFixed(2) + " s" : v.toFixed(1) + " ms"; }

function scenario(id, fields) {
  let s = S.sc[id];
  if (!s) {
    s = S.sc[id] = {id, name: "", path: "", tier: "", tags: [], status: "queued", tools: [],
                    steps: [], result: null};
    S.order.push(id);
  }
  return Object.assign(s, fields || {});
}

function apply(e) {
  switch (e.type) {
    case "run_started": S.run = e; break;
    case "scenario_queued":
      scenario(e.id, {name: e.name, path: e.path, tier: e.tier, tags: e.tags || []}); break;
    case "scenario_started": scenario(e.id, {status: "running", t0: e.t}); break;
    case "scenario_prepared": scenario(e.id, {tools: e.tools || [], pre: e.preconditions}); break;
    case "step": scenario(e.id).steps.push(Object.assign({at_ms: e.at_ms}, e.step)); break;
    case "scenario_finished": {
      const r = e.result, s = scenario(e.id);
      const all = [...(r.steps || []), ...(r.expectations || [])];
      if ("steps" in r && s.steps.length !== all.length) {  // a stream made from results
        let at = (r.preconditions && r.preconditions.duration_ms) || 0;
        s.steps = all.map(st => { const x = Object.assign({at_ms: at}, st); at += st.duration_ms; return x; });
      }
      Object.assign(s, {result: r, status: r.outcome, name: r.name, path: r.path, tier: r.tier,
                        tierLabel: e.tier_label || r.tier,
                        tools: r.tools || [], pre: r.preconditions});
      break;
    }
    case "health": (S.health[e.kind] = S.health[e.kind] || []).push(e); break;
    case "resource": S.resources.push(e); break;
    case "fault": S.faults.push(e); break;
    case "mode_differences": S.differences = e.differences || []; break;
    case "defect_matrix": S.defects = e; break;
    case "run_finished": S.done = e; break;
  }
}

function modeOf(s) {
  const modes = new Set(s.tools.map(t => t.mode));
  if (!modes.size) return "none";
  return modes.size > 1 ? "mixed" : [...modes][0];
}

function spark(values, cls, w = 160, h = 26) {
  const v = values.filter(x => typeof x === "number");
  if (!v.length) return "<span class='muted'>no samples</span>";
  const max = Math.max(...v), min = Math.min(...v), span = max - min || 1;
  const step = v.length > 1 ? w / (v.length - 1) : 0;
  const pts = v.map((x, i) => `${(i * step).toFixed(1)},${(h - 2 - (x - min) / span * (h - 4)).toFixed(1)}`);
  return `<svg class="spark" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><polyline class="${cls || ""}" points="${pts.join(" ")}"/></svg>`;
}

function counts() {
  const c = Object.fromEntries(STATUSES.map(s => [s, 0]));
  for (const id of S.order) c[S.sc[id].status] = (c[S.sc[id].status] || 0) + 1;
  return c;
}

function renderSummary() {
  const c = counts(), n = S.order.length;
  document.getElementById("summary").innerHTML =
    `<span id="total">${n} scenarios</span>` +
    STATUSES.filter(s => c[s] || ["passed", "failed"].includes(s))
      .map(s => `<span class="${s}" id="count-${s}">${c[s]} ${s === "error" ? "errors" : s}</span>`).join("");
  const state = document.getElementById("run-state");
  if (S.done) {
    const d = S.done.summary ? S.done.summary.duration_ms : 0;
    state.textContent = (S.done.interrupted ? "interrupted: only what finished is shown · " : "") +
      `run finished in ${(d / 1000).toFixed(1)} s` + (S.run && S.run.run_id ? ` · run ${S.run.run_id}` : "");
    state.className = S.done.interrupted ? "error" : "";
    document.body.dataset.finished = "yes";
  } else {
    state.textContent = `running · ${n - c.queued - c.running} of ${n} finished`;
  }
}

function renderFilters() {
  const nav = document.getElementById("filters");
  const tiers = [...new Set(S.order.map(id => S.sc[id].tier))].sort();
  const tags = [...new Set(S.order.flatMap(id => S.sc[id].tags || []))].sort();
  const key = JSON.stringify([tiers, tags]);
  if (nav.dataset.key === key) return;
  nav.dataset.key = key;
  const select = (name, values) => `<label>${name} <select data-filter="${name}"><option value="">all</option>` +
    values.map(v => `<option${F[name] === v ? " selected" : ""}>${esc(v)}</option>`).join("") + "</select></label>";
  nav.innerHTML = "status: " + STATUSES.map(s =>
    `<button data-status="${s}" aria-pressed="${F.status[s]}" class="${s}">${s}</button>`).join("") +
    select("tier", tiers) + select("mode", ["mock", "real", "mixed", "none"]) + select("tag", tags);
}

function stepsTable(s) {
  return "<table><tr><th>step</th><th>action</th><th>outcome</th><th>starts</th><th>time</th><th>output</th></tr>" +
    s.steps.map(st => `<tr><td>${esc(st.id)}</td><td>${esc(st.action)}</td><td class="${esc(st.outcome)}">${esc(st.outcome)}</td>` +
      `<td>${ms(st.at_ms)}</td><td>${ms(st.duration_ms)}</td><td><pre>${esc(JSON.stringify(st.output ?? null).slice(0, 400))}</pre>${esc(st.message)}</td></tr>`).join("") +
    "</table>" + stateDetail(s.result);
}

function waterfall(s) {
  const r = s.result;
  const end = r ? r.duration_ms : Math.max(0, ...s.steps.map(st => st.at_ms + st.duration_ms));
  const total = Math.max(end, 0.001);
  const first = s.steps.length ? s.steps[0].at_ms : end;
  const last = s.steps.length ? Math.max(...s.steps.map(st => st.at_ms + st.duration_ms)) : end;
  const lane = (label, at, dur, cls, failing) =>
    `<div class="lane${failing ? " failing" : ""}"><span class="label" title="${esc(label)}">${esc(label)}</span>` +
    `<span class="track"><span class="bar ${cls}" style="left:${(at / total * 100).toFixed(2)}%;width:${(dur / total * 100).toFixed(2)}%"></span></span>` +
    `<span class="ms">${ms(dur)}</span></div>`;
  const lanes = [lane("set-up", 0, first, "setup", false)];
  for (const st of s.steps) {
    const bad = st.outcome !== "passed";
    lanes.push(lane(`${st.id} · ${st.action}`, st.at_ms, st.duration_ms, bad ? "fail" : "", bad));
  }
  if (r) lanes.push(lane("clean-up", last, Math.max(0, end - last), "cleanup", false));
  return `<div class="wf" data-scenario="${esc(s.name)}">${lanes.join("")}</div>`;
}

function stateDetail(r) {
  // The namespace's state: what the steps changed (the diff of the snapshots), what was left
  // open after the cleanup, and the warnings. Values were cut and redacted before the stream.
  if (!r || !r.state || !Object.keys(r.state).length) return "";
  const st = r.state, diff = st.diff || [];
  const val = v => v === undefined ? "" : esc(typeof v === "string" ? v : JSON.stringify(v));
  const rows = diff.map(d => `<tr><td>${esc(d.path)}</td>` + ("added" in d || "removed" in d ?
    `<td>${d.removed ? "removed " + val(d.removed) : ""}</td><td>${d.added ? "added " + val(d.added) : ""}</td>` :
    `<td>${val(d.before)}</td><td>${val(d.after)}</td>`) + "</tr>").join("");
  return `<div class="state-diff" data-scenario="${esc(r.name)}"><h3>Service state: before → after the steps</h3>` +
    (diff.length ? `<table><tr><th>where</th><th>before</th><th>after</th></tr>${rows}</table>` :
      `<p class="muted">${st.after ? "the steps changed nothing" : "no snapshot"}</p>`) +
    `<p class="muted">resources after the cleanup: ${val(st.resources || {})} · snapshots ${ms(st.cost_ms)}</p>` +
    ((r.warnings || []).length ? `<ul class="warnings">${r.warnings.map(w => `<li>${esc(w)}</li>`).join("")}</ul>` : "") +
    "</div>";
}

function detail(s) {
  const pre = (s.pre && s.pre.services || []).map(p =>
    `${esc(p.service)} ${esc(p.status)}${p.latency_ms != null ? " " + ms(p.latency_ms) : ""}`).join("<br>");
  return waterfall(s) + stepsTable(s) +
    `<table><tr><th>file</th><td>${esc(s.path)}</td></tr><tr><th>pre-conditions</th><td>${pre || esc(s.pre ? s.pre.status : "")}</td></tr>` +
    `<tr><th>namespace</th><td>${esc(s.result ? s.result.namespace : "")}</td></tr>` +
    (s.result && s.result.metadata && Object.keys(s.result.metadata).length ?
      `<tr><th>metadata</th><td><pre>${esc(JSON.stringify(s.result.metadata))}</pre></td></tr>` : "") +
    "</table>";
}

function renderMatrix() {
  const services = [...new Set(S.order.flatMap(id => S.sc[id].tools.map(t => t.service)))].sort();
  const head = "<tr><th>status</th><th>scenario</th><th>tier</th><th>mode</th><th>time</th>" +
    services.map(x => `<th>${esc(x)}</th>`).join("") + "</tr>";
  const rows = S.order.map(id => {
    const s = S.sc[id], mode = modeOf(s);
    const byService = Object.fromEntries(s.tools.map(t => [t.service, t]));
    const cells = services.map(x => {
      const t = byService[x];
      return t ? `<td class="mode-${esc(t.mode)}" title="${esc(t.mode)} (${esc(t.mode_source)}): ${esc(t.instantiated_class)}">${esc(t.mode)} <span class="cls">${esc(short(t.instantiated_class))}` +
        (t.mode_source ? ` · ${esc(t.mode_source)}` : "") + "</span></td>" : "<td></td>";
    }).join("");
    const row = `<tr class="row" data-id="${id}" data-status="${esc(s.status)}" data-tier="${esc(s.tier)}" data-mode="${mode}" data-tags="${esc((s.tags || []).join(" "))}">` +
      `<td class="${esc(s.status)}">${esc(s.status)}</td><td>${esc(s.name)}</td><td>${esc(s.tierLabel || s.tier)}</td><td class="mode-${mode}">${mode}</td>` +
      `<td>${s.result ? ms(s.result.duration_ms) : ""}</td>${cells}</tr>`;
    return open.has(String(id)) ? row + `<tr class="detail" data-for="${id}"><td colspan="${5 + services.length}">${detail(s)}</td></tr>` : row;
  });
  document.getElementById("matrix").innerHTML = `<table id="matrix-table">${head}${rows.join("")}</table>`;
}

function lineDiff(a, b) {
  const x = a.split("\n").slice(0, 400), y = b.split("\n").slice(0, 400);
  const L = Array.from({length: x.length + 1}, () => new Uint16Array(y.length + 1));
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const out = [];
  let i = 0, j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) { out.push("  " + esc(x[i])); i++; j++; }
    else if (i < x.length && (j >= y.length || L[i + 1][j] >= L[i][j + 1])) { out.push(`<span class="del">- ${esc(x[i])}</span>`); i++; }
    else { out.push(`<span class="add">+ ${esc(y[j])}</span>`); j++; }
  }
  return out.join("\n");
}

// Expected against actual for the failing step: for an event, the fields the step asked for;
// for a row, the first row found; otherwise the whole expected value and output.
function expectedAndActual(st) {
  const i = st.input, out = st.output ?? null;
  if (!i || typeof i !== "object" || Array.isArray(i)) return [i, out];
  if (/event/.test(st.action) && out && typeof out === "object") {
    const keys = ["key", "value", "correlation_id"].filter(k => i[k] != null);
    return [Object.fromEntries(keys.map(k => [k, i[k]])), Object.fromEntries(keys.map(k => [k, out[k]]))];
  }
  if ("equals" in i) return [i.equals, Array.isArray(out) && out.length === 1 ? out[0] : out];
  if ("value" in i) return [i.value, out];
  return [i, out];
}

function renderRunning() {
  const now = S.order.map(id => S.sc[id]).filter(s => s.status === "running");
  document.getElementById("running-section").hidden = !now.length;
  document.getElementById("running").innerHTML = now.map(s =>
    `<div><b>${esc(s.name)}</b> [${esc(s.tier)}]${waterfall(s)}</div>`).join("");
}

function renderFailures() {
  const bad = S.order.map(id => S.sc[id]).filter(s => s.status === "failed" || s.status === "error");
  document.getElementById("failures-section").hidden = !bad.length;
  document.getElementById("failures").innerHTML = bad.map(s => {
    const r = s.result || {};
    const st = s.steps.find(x => x.outcome !== "passed");
    const [want, got] = st ? expectedAndActual(st) : [null, null];
    const diff = st ? `<div class="diff-head">${esc(st.id)} (${esc(st.action)}): <span class="del">- expected</span> <span class="add">+ actual</span></div>` +
      `<div class="diff">${lineDiff(JSON.stringify(want, null, 2) ?? "null", JSON.stringify(got, null, 2) ?? "null")}</div>` : "";
    return `<div class="card" data-id="${s.id}" data-status="${esc(s.status)}" data-tier="${esc(s.tier)}" data-mode="${modeOf(s)}" data-tags="${esc((s.tags || []).join(" "))}">` +
      `<b class="${esc(s.status)}">${esc(s.status.toUpperCase())}</b> <b>${esc(s.name)}</b> [${esc(s.tierLabel || s.tier)}] ${esc(r.message)}` +
      diff + waterfall(s) + (r.log_tail ? `<pre>${esc(r.log_tail)}</pre>` : "") + stateDetail(r) + "</div>";
  }).join("");
}

function renderFaults() {
  // The fault records of finished scenarios (onex_runner.fault_ledger): times in ms since each
  // scenario started, the steps that ran while the fault was on, and the node's recovery.
  const rows = [];
  for (const id of S.order) {
    const s = S.sc[id];
    for (const f of ((s.result || {}).faults || [])) rows.push([s, f]);
  }
  document.getElementById("faults-section").hidden = !rows.length;
  document.getElementById("faults").innerHTML = rows.length ?
    "<table><tr><th>scenario</th><th>step</th><th>fault</th><th>began</th><th>ended</th><th>healed by</th>" +
    "<th>seen by</th><th>server ready</th><th>node recovered after</th><th>error</th></tr>" +
    rows.map(([s, f]) => `<tr><td>${esc(s.name)}</td><td>${esc(f.step)}</td><td>${esc(f.action)} ${esc(f.target)}</td>` +
      `<td>${ms(f.began_ms)}</td><td>${ms(f.ended_ms)}</td><td>${esc(f.healed_by)}</td>` +
      `<td>${(f.seen_by || []).map(x => esc(x.step) + " (" + esc(x.outcome) + ")").join(", ")}</td>` +
      `<td>${f.details && f.details.ready_s != null ? esc(f.details.ready_s) + " s" : ""}</td>` +
      `<td>${ms(f.recovered_ms)}</td><td>${esc(f.error)}</td></tr>`).join("") + "</table>" : "";
}

function renderHealth() {
  const kinds = Object.keys(S.health).sort();
  document.getElementById("health").innerHTML = kinds.length ? "<table><tr><th>service</th><th>probe latency</th><th>last</th><th>samples</th><th>unhealthy</th></tr>" +
    kinds.map(k => {
      const h = S.health[k], last = h[h.length - 1];
      const bad = h.filter(x => x.status !== "healthy").length;
      return `<tr data-kind="${esc(k)}"><td>${esc(k)}</td><td>${spark(h.map(x => x.latency_ms))}</td><td>${ms(last.latency_ms)} ${esc(last.status)}</td><td>${h.length}</td><td class="${bad ? "failed" : ""}">${bad}</td></tr>`;
    }).join("") + "</table>"
    : "<p class='muted'>no real service was held by this run (mock dependencies only)</p>";
  const r = S.resources, last = r[r.length - 1];
  document.getElementById("resources").innerHTML = r.length ?
    `<table><tr><th>CPU of the run</th><td>${spark(r.map(x => x.cpu_percent))}</td><td>${last.cpu_percent.toFixed(0)} %</td></tr>` +
    `<tr><th>memory (RSS)</th><td>${spark(r.map(x => x.rss_mb))}</td><td>${last.rss_mb} MiB</td></tr>` +
    `<tr><th>machine CPU</th><td>${spark(r.map(x => x.system_cpu_percent))}</td><td>${last.system_cpu_percent.toFixed(0)} %</td></tr></table>`
    : "<p class='muted'>no resource sample (the run took less than a second)</p>";
}

// The services the run holds as a dependency graph (an arrow from each to what it needs), in
// layers: what needs nothing on the left. Colour and text from each service's last probe, so a
// dependant of a service that died shows down with the chain its probe result names.
function renderGraph() {
  const kinds = Object.keys(S.health).filter(k => k !== "?").sort();
  const last = k => S.health[k][S.health[k].length - 1];
  const needs = k => (last(k).depends_on || []).filter(d => kinds.includes(d));
  const section = document.getElementById("graph-section");
  section.hidden = !kinds.some(k => needs(k).length);
  if (section.hidden) return;
  const depth = {}, visiting = new Set();
  const level = k => {
    if (depth[k] != null) return depth[k];
    if (visiting.has(k)) return 0;
    visiting.add(k);
    const d = needs(k).length ? 1 + Math.max(...needs(k).map(level)) : 0;
    visiting.delete(k);
    return (depth[k] = d);
  };
  kinds.forEach(level);
  const W = 230, H = 58, GX = 70, GY = 16, rows = {}, pos = {};
  kinds.forEach(k => { const c = depth[k]; rows[c] = (rows[c] || 0) + 1; pos[k] = [c, rows[c] - 1]; });
  const cols = Math.max(...Object.values(depth)) + 1, tall = Math.max(...Object.values(rows));
  const xy = k => [pos[k][0] * (W + GX) + 4, pos[k][1] * (H + GY) + 4];
  const edges = kinds.flatMap(k => needs(k).map(d => {
    const [x1, y1] = xy(k), [x2, y2] = xy(d);
    if (depth[k] - depth[d] > 1) {
      // It skips a layer (the app to Kafka, past Connect): a curve through the gap below the
      // boxes, so it is not hidden behind the node in between.
      const ya = y1 + H - 8, yb = y2 + H - 8, dip = Math.max(y1, y2) + H + GY + 8;
      return `<path class="edge" d="M${x1},${ya} Q${(x1 + x2 + W) / 2},${dip} ${x2 + W},${yb}" marker-end="url(#arrow)"/>`;
    }
    return `<line class="edge" x1="${x1}" y1="${y1 + H / 2}" x2="${x2 + W}" y2="${y2 + H / 2}" marker-end="url(#arrow)"/>`;
  }));
  const nodes = kinds.map(k => {
    const [x, y] = xy(k), l = last(k), ok = l.status === "healthy";
    const note = ok ? ms(l.latency_ms) : String(l.error || l.status);
    return `<g class="node ${ok ? "ok" : "down"}" data-kind="${esc(k)}"><rect x="${x}" y="${y}" width="${W}" height="${H}" rx="5"/>` +
      `<text x="${x + 8}" y="${y + 20}" class="name">${esc(k)} · ${esc(ok ? "healthy" : "down")}</text>` +
      `<text x="${x + 8}" y="${y + 40}" class="note">${esc(note.length > 34 ? note.slice(0, 33) + "…" : note)}</text>` +
      `<title>${esc(k)}: ${esc(note)}</title></g>`;
  });
  document.getElementById("graph").innerHTML =
    `<svg class="deps" width="${cols * (W + GX)}" height="${tall * (H + GY) + 8}" role="img" aria-label="service dependency graph">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>` +
    edges.join("") + nodes.join("") + "</svg>";
}

function renderExtras() {
  const d = S.defects;
  document.getElementById("defects-section").hidden = !d;
  if (d) {
    document.getElementById("defects").innerHTML = `<table id="defect-table"><tr><th>defect</th><th>what goes wrong</th>` +
      d.tiers.map(t => `<th>${esc(t)}</th>`).join("") + "</tr>" +
      d.rows.map(row => `<tr><td>${esc(row.defect)}</td><td>${esc(row.what)}</td>` +
        d.tiers.map(t => row.caught[t] ? "<td class='passed'>caught</td>" : "<td class='failed'>missed</td>").join("") + "</tr>").join("") + "</table>";
  }
  const m = S.differences;
  document.getElementById("differences-section").hidden = m == null;
  if (m) {
    document.getElementById("differences").innerHTML = "<table><tr><th>scenario</th><th>where</th><th>mock</th><th>real</th></tr>" +
      m.map(x => `<tr><td>${esc(x.scenario)}</td><td>${esc(x.where)}</td><td>${esc(x.mock)}</td><td>${esc(x.real)}</td></tr>`).join("") + "</table>";
  }
  const h = S.history;
  document.getElementById("trends-section").hidden = !h || !h.runs.length;
  if (h && h.runs.length) {
    const names = Object.keys(h.scenarios).sort();
    document.getElementById("trends").innerHTML =
      `<p>pass rate over the last ${h.runs.length} run(s): ${spark(h.runs.map(x => x.total ? 100 * x.passed / x.total : 0), "rate")} ` +
      `${esc(h.runs.map(x => x.total ? Math.round(100 * x.passed / x.total) + "%" : "–").join(" · "))}</p>` +
      "<table id='trend-table'><tr><th>scenario</th><th>duration, last runs</th><th>runs</th><th>pass rate</th><th>median before</th><th>last</th><th></th></tr>" +
      names.map(n => {
        const t = h.scenarios[n];
        return `<tr${t.slow ? " class='slow-row'" : ""}><td>${esc(n)}</td><td>${spark(t.durations_ms)}</td><td>${t.durations_ms.length}</td>` +
          `<td>${(100 * t.pass_rate).toFixed(0)} %</td><td>${ms(t.median_ms)}</td><td>${ms(t.last_ms)}</td>` +
          `<td>${t.slow ? `<span class="slow">${t.ratio.toFixed(1)}× slower than its median</span>` : ""}</td></tr>`;
      }).join("") + "</table>";
  }
}

function applyFilters() {
  const show = el => F.status[el.dataset.status] !== false && (!F.tier || el.dataset.tier === F.tier) &&
    (!F.mode || el.dataset.mode === F.mode) && (!F.tag || el.dataset.tags.split(" ").includes(F.tag));
  for (const el of document.querySelectorAll("#matrix tr.row, #failures .card")) {
    el.hidden = !show(el);
    const d = el.nextElementSibling;
    if (d && d.classList.contains("detail")) d.hidden = el.hidden;
  }
}

function render() {
  renderSummary(); renderFilters(); renderRunning(); renderMatrix(); renderFailures(); renderFaults(); renderHealth(); renderGraph(); renderExtras(); applyFilters();
  document.body.dataset.rendered = "yes";
}

let pending = false;
function schedule() {
  if (pending) return;
  pending = true;
  setTimeout(() => requestAnimationFrame(() => { pending = false; render(); }), 200);
}

document.addEventListener("click", ev => {
  const b = ev.target.closest("button[data-status]");
  if (b) { F.status[b.dataset.status] = !F.status[b.dataset.status]; b.setAttribute("aria-pressed", F.status[b.dataset.status]); applyFilters(); return; }
  const row = ev.target.closest("#matrix tr.row");
  if (row) { const id = row.dataset.id; open.has(id) ? open.delete(id) : open.add(id); renderMatrix(); applyFilters(); }
});
document.addEventListener("change", ev => {
  const sel = ev.target.closest("select[data-filter]");
  if (sel) { F[sel.dataset.filter] = sel.value; applyFilters(); }
});

function embedded(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : null;
}

if (document.body.dataset.source === "live") {
  const source = new EventSource("events");
  source.onmessage = m => { apply(JSON.parse(m.data)); schedule(); };
  source.onerror = () => { if (S.done) source.close(); };
  render();
} else {
  for (const e of embedded("onex-events") || []) apply(e);
  S.history = embedded("onex-history");
  render();
  requestAnimationFrame(() => { window.onexPaintedMs = performance.now(); });
}
