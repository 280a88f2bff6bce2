// The smorg console: every figure comes from the server's public /v1 endpoints.
"use strict";

const state = { token: sessionStorage.getItem("smorg-token") || "" };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

class NeedsToken extends Error {}

async function api(path, body) {
  const headers = {};
  if (state.token) headers.Authorization = "Bearer " + state.token;
  const init = { headers, method: body === undefined ? "GET" : "POST" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) throw new NeedsToken();
  return response.json();
}

// A cell's text: numbers rounded for reading, lists joined, objects as JSON.
function cellText(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (Array.isArray(v)) return v.map((x) => (typeof x === "object" ? JSON.stringify(x) : x)).join("; ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function csvOf(rows, columns) {
  const quote = (s) => (/[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s);
  const lines = [columns.map((c) => quote(c.label)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => quote(cellText(c.value(row)))).join(","));
  return lines.join("\n") + "\n";
}

// Renders rows as a table with a CSV download link. columns: [{label, value(row)}]; default: the
// keys of the rows in order of appearance.
function table(container, rows, columns, name) {
  container.replaceChildren();
  if (!columns) {
    const keys = [];
    for (const row of rows) for (const k of Object.keys(row)) if (!keys.includes(k)) keys.push(k);
    columns = keys.map((k) => ({ label: k, value: (r) => r[k] }));
  }
  const head = el("tr", {}, ...columns.map((c) => el("th", {}, c.label)));
  const body = rows.map((row) => el("tr", {}, ...columns.map((c) => {
    const v = c.value(row);
    return el("td", typeof v === "number" ? { class: "number" } : {}, cellText(v));
  })));
  const link = el("a", { class: "csv", download: (name || "result") + ".csv", href: "#" }, "download CSV");
  link.addEventListener("click", () => {
    link.href = URL.createObjectURL(new Blob([csvOf(rows, columns)], { type: "text/csv" }));
  });
  container.append(el("div", {}, `${rows.length} rows`, link), el("table", {}, el("thead", {}, head), el("tbody", {}, ...body)));
}

function pairs(object) {
  return Object.entries(object || {}).map(([k, v]) => ({ key: k, value: v }));
}

function showError(container, answer) {
  const e = answer.error || { message: "no answer", code: "unknown" };
  container.hidden = false;
  container.replaceChildren(
    el("div", {}, e.code + ": " + e.message),
    el("div", {}, "at ", el("code", { class: "pointer" }, e.at === undefined || e.at === "" ? "(the request)" : e.at)));
}

async function glance() {
  const stats = await api("/v1/stats");
  if (!stats.ok) return;
  const r = stats.result;
  const columns = [{ label: "kind", value: (x) => x.key }, { label: "count", value: (x) => x.value }];
  table(document.getElementById("nodes-by-kind"), pairs(r.nodes_by_kind), columns, "nodes-by-kind");
  table(document.getElementById("edges-by-kind"), pairs(r.edges_by_kind), columns, "edges-by-kind");
  table(document.getElementById("batches"), r.batches, null, "batches");
}

async function advocates() {
  const answer = await api("/v1/query", { op: "advocates", top: 10 });
  const box = document.getElementById("advocates-table");
  if (!answer.ok) return showError(box, answer);
  table(box, answer.result.rows, [
    { label: "rank", value: (r) => r.rank },
    { label: "id", value: (r) => r.id },
    { label: "name", value: (r) => r.name || "" },
    { label: "kind", value: (r) => r.kind },
    { label: "score", value: (r) => r.score },
    { label: "why", value: (r) => r.facts || [] },
  ], "advocates");
  box.prepend(el("p", {}, `${answer.result.candidates} candidates ranked`));
}

function groupDetail(result, index, withSpanners) {
  const aside = document.getElementById("silo-detail");
  const g = result.groups[index];
  const items = [
    el("h3", {}, g.group),
    el("p", {}, `${g.size} people; ${g.internal} ties inside, ${g.external} across`),
    el("p", {}, `E-I ${g.ei_index.toFixed(2)} against ${g.ei_expected.toFixed(2)} if ties fell at random; p ${g.p_value.toFixed(3)}`),
  ];
  if (withSpanners) {
    const spanners = result.spanners.filter((s) => s.group === g.group);
    items.push(el("h4", {}, "People who bridge it"));
    const box = el("div", { id: "spanners" });
    if (spanners.length) {
      table(box, spanners, [
        { label: "id", value: (s) => s.id }, { label: "name", value: (s) => s.name || "" },
        { label: "groups reached", value: (s) => s.groups_reached }, { label: "ties out", value: (s) => s.ties_out },
      ], "spanners-" + g.group);
    } else {
      box.append(el("p", {}, "None of the organization's top boundary spanners is in this group."));
    }
    items.push(box);
  }
  aside.replaceChildren(...items);
}

async function silos() {
  const answer = await api("/v1/query", { op: "silos", permutations: 200, inline_svg: true });
  const map = document.getElementById("silo-map");
  if (!answer.ok) return showError(map, answer);
  const result = answer.result;
  // The SVG is smorg's own drawing (every text escaped); parsed as SVG, never as a page.
  const svg = new DOMParser().parseFromString(result.svg_inline, "image/svg+xml").documentElement;
  map.replaceChildren(document.importNode(svg, true));
  for (const node of map.querySelectorAll('g[id^="group-"]')) {
    const index = Number(node.id.slice("group-".length));
    if (!Number.isInteger(index)) continue;
    node.addEventListener("mouseenter", () => groupDetail(result, index, false));
    node.addEventListener("click", () => groupDetail(result, index, true));
  }
  table(document.getElementById("cut-off-table"), result.cut_off, [
    { label: "group", value: (c) => c.a }, { label: "and group", value: (c) => c.b },
    { label: "ties", value: (c) => c.observed }, { label: "expected", value: (c) => c.expected },
  ], "cut-off");
}

async function referralValue() {
  const answer = await api("/v1/query", { op: "crv", top: 20 });
  const box = document.getElementById("crv-table");
  if (!answer.ok) return showError(box, answer);
  table(document.getElementById("segments"), pairs(answer.result.segments),
    [{ label: "segment", value: (x) => x.key }, { label: "customers", value: (x) => x.value }], "segments");
  table(box, answer.result.rows, [
    { label: "rank", value: (r) => r.rank }, { label: "id", value: (r) => r.id }, { label: "name", value: (r) => r.name || "" },
    { label: "CRV", value: (r) => r.crv }, { label: "direct", value: (r) => r.direct },
    { label: "indirect", value: (r) => r.indirect }, { label: "segment", value: (r) => r.segment || "" },
  ], "referral-value");
}

// Change over time: the trend chart and, per window, its main figures; for silos, the changes that
// are more than chance.
async function trend() {
  const [op, metric] = document.getElementById("trend-op").value.split(":");
  const step = document.getElementById("trend-step").value;
  const request = { op: "trend", query: { op }, windows: { step }, inline_svg: true };
  if (metric) request.metric = metric;
  if (op === "silos") request.query.permutations = 200;
  if (op !== "silos") request.top = 10;
  const error = document.getElementById("trend-error");
  error.hidden = true;
  const answer = await api("/v1/query", request);
  const chart = document.getElementById("trend-chart");
  const changes = document.getElementById("trend-changes");
  const windows = document.getElementById("trend-windows");
  if (!answer.ok) {
    chart.replaceChildren();
    changes.replaceChildren();
    windows.replaceChildren();
    return showError(error, answer);
  }
  const result = answer.result;
  const svg = new DOMParser().parseFromString(result.svg_inline, "image/svg+xml").documentElement;
  chart.replaceChildren(document.importNode(svg, true));
  const since = (w) => w.since.slice(0, 10);
  if (op === "silos") {
    table(changes, result.significant_changes, [
      { label: "window from", value: (c) => c.since.slice(0, 10) }, { label: "what", value: (c) => c.what },
      { label: "group or pair", value: (c) => c.group || `${c.a} and ${c.b}` },
      { label: "change of E-I", value: (c) => (c.ei_index === undefined ? "" : c.ei_index) }, { label: "p", value: (c) => c.p_value },
    ], "significant-changes");
    changes.prepend(el("h3", {}, `Changes with p < ${result.alpha}`));
    table(windows, result.windows, [
      { label: "from", value: since }, { label: "status", value: (w) => w.status }, { label: "ties", value: (w) => w.ties },
      { label: "E-I", value: (w) => w.ei_index }, { label: "random E-I", value: (w) => w.ei_expected },
      { label: "cut-off pairs", value: (w) => (w.cut_off || []).map((c) => `${c.a}–${c.b}`) },
      { label: "opened", value: (w) => (w.opened || []).map((c) => `${c.a}–${c.b}`) },
    ], "trend-windows");
  } else {
    changes.replaceChildren();
    table(windows, result.windows, [
      { label: "from", value: since }, { label: "status", value: (w) => w.status },
      { label: "referrals", value: (w) => w.referrals }, { label: "concentration", value: (w) => w.concentration },
      { label: "tau", value: (w) => (w.change && w.change.kendall_tau !== undefined ? w.change.kendall_tau : "") },
      { label: "top", value: (w) => (w.rows || []).slice(0, 5).map((r) => r.name || r.id) },
      { label: "lost", value: (w) => ((w.change && w.change.lost) || []).map((r) => r.name || r.id) },
    ], "trend-windows");
  }
}

// An answer in tables: its rows, then its plain figures, then each list of objects.
function renderAnswer(container, answer) {
  container.replaceChildren();
  const results = Array.isArray(answer.answers) ? answer.answers.map((a) => a.result) : [answer.result];
  for (const result of results) {
    if (!result || typeof result !== "object") continue;
    const figures = Object.entries(result).filter(([, v]) => v === null || typeof v !== "object");
    if (figures.length) {
      const box = el("div", {});
      table(box, figures.map(([k, v]) => ({ key: k, value: v })),
        [{ label: "field", value: (x) => x.key }, { label: "value", value: (x) => x.value }], "figures");
      container.append(box);
    }
    for (const [k, v] of Object.entries(result)) {
      if (!Array.isArray(v) || !v.length || typeof v[0] !== "object") continue;
      const box = el("div", { class: "result-table", "data-field": k });
      table(box, v, null, k);
      container.append(el("h3", {}, k), box);
    }
  }
}

async function runQuery() {
  const error = document.getElementById("query-error");
  const out = document.getElementById("query-result");
  error.hidden = true;
  out.replaceChildren();
  let answer;
  try {
    answer = await api("/v1/query", document.getElementById("query-text").value);
  } catch (e) {
    if (e instanceof NeedsToken) return askToken();
    answer = { ok: false, error: { code: "unavailable", message: String(e), at: "" } };
  }
  if (!answer.ok) return showError(error, answer);
  renderAnswer(out, answer);
}

function askToken() {
  document.getElementById("server-status").textContent = "this server needs its token";
  document.getElementById("token-form").hidden = false;
}

async function load() {
  try {
    const health = await api("/v1/health");
    document.getElementById("server-status").textContent =
      `${health.db}: ${health.nodes} nodes, ${health.edges} edges (generation ${health.generation})`;
    document.getElementById("token-form").hidden = true;
    await Promise.all([glance(), advocates(), silos(), referralValue(), trend()]);
    document.body.dataset.loaded = "true";
  } catch (e) {
    if (e instanceof NeedsToken) return askToken();
    document.getElementById("server-status").textContent = "cannot reach the server: " + e;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.token = document.getElementById("token").value;
    sessionStorage.setItem("smorg-token", state.token);
    load();
  });
  document.getElementById("query-run").addEventListener("click", runQuery);
  document.getElementById("trend-form").addEventListener("submit", (event) => {
    event.preventDefault();
    trend().catch((e) => (e instanceof NeedsToken ? askToken() : null));
  });
  load();
});
