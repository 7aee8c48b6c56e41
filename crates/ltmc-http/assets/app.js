// ltmc dashboard: a hash-routed page over the REST API under /api (see
// /api/openapi.json). Plain JavaScript, no dependencies; charts are SVG drawn
// here. Off loopback the API answers 401 until the token is given: it is asked
// once and kept in sessionStorage (this tab only).
"use strict";

const main = () => document.getElementById("main");
const TOKEN_KEY = "ltmc-token";

// ---- helpers -------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function svg(tag, attrs, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const pct = (x) => `${Math.round((x || 0) * 100)}%`;
const num = (x) => (x === null || x === undefined ? "–" : Number(x).toFixed(3));
const day = (t) => (t || "").replace("T", " ").slice(0, 16);

function toast(text) {
  const s = document.getElementById("status");
  s.textContent = text;
  s.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { s.hidden = true; }, 4000);
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

// One question at a time: calls refused together wait for the same answer.
function askToken() {
  if (askToken.pending) return askToken.pending;
  askToken.pending = new Promise((resolve) => {
    const dialog = document.getElementById("token-dialog");
    const input = document.getElementById("token-input");
    input.value = "";
    dialog.addEventListener("close", () => {
      if (input.value.trim()) sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      askToken.pending = null;
      resolve();
    }, { once: true });
    dialog.showModal();
  });
  return askToken.pending;
}

async function api(path, options = {}) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const headers = { Accept: "application/json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method: options.method || "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: "omit",
    });
    if (response.status === 401) {
      if (sessionStorage.getItem(TOKEN_KEY) === token) sessionStorage.removeItem(TOKEN_KEY);
      await askToken();
      continue;
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new ApiError(response.status, data.error || response.statusText);
    return data;
  }
  throw new ApiError(401, "no valid token given");
}

function confirmDialog(text, action) {
  return new Promise((resolve) => {
    const dialog = document.getElementById("confirm-dialog");
    document.getElementById("confirm-text").textContent = text;
    document.getElementById("confirm-ok").textContent = action;
    dialog.returnValue = "";
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
  });
}

function page(title, ...children) {
  const m = main();
  m.replaceChildren(h("h1", {}, title), ...children);
  document.title = `${title} · ltmc`;
}

function failure(e) {
  return h("p", { class: "error", role: "alert" }, `Error: ${e.message}`);
}

function table(headers, rows, caption) {
  return h("div", { class: "table-wrap" },
    h("table", {},
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows.length ? rows : [h("tr", {}, h("td", { colspan: headers.length, class: "muted" }, "Nothing yet."))])));
}

function pager(pg, go) {
  const last = pg.offset + pg.items.length;
  return h("div", { class: "pager" },
    h("button", { type: "button", disabled: pg.offset === 0, onclick: () => go(Math.max(0, pg.offset - pg.limit)) }, "Previous"),
    h("span", {}, pg.total ? `${pg.offset + 1}–${last} of ${pg.total}` : "0 items"),
    h("button", { type: "button", disabled: last >= pg.total, onclick: () => go(pg.offset + pg.limit) }, "Next"));
}

function badge(text, kind) { return h("span", { class: `badge ${kind || ""}` }, text); }

// ---- charts --------------------------------------------------------------

// A bar chart of one or more series over labels; `rate` series are drawn as
// a line on a 0-100% axis on the right.
function chart(title, labels, bars, line) {
  const W = 640, H = 240, L = 44, R = line ? 48 : 12, T = 16, B = 40;
  const iw = W - L - R, ih = H - T - B;
  // Whole-number ticks: the top is a multiple of the 4 grid steps.
  const max = Math.max(4, Math.ceil(Math.max(...bars.flatMap((s) => s.values), 0) / 4) * 4);
  const n = Math.max(1, labels.length);
  const group = iw / n, bw = Math.max(2, (group * 0.7) / Math.max(1, bars.length));
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title, class: "chart" });
  root.append(svg("title", {}, title));
  for (let i = 0; i <= 4; i++) {
    const y = T + ih - (ih * i) / 4;
    root.append(svg("line", { x1: L, x2: L + iw, y1: y, y2: y, class: "grid" }));
    root.append(svg("text", { x: L - 6, y: y + 4, "text-anchor": "end", class: "tick" }, Math.round((max * i) / 4)));
    if (line) root.append(svg("text", { x: L + iw + 6, y: y + 4, class: "tick" }, `${25 * i}%`));
  }
  labels.forEach((label, i) => {
    const x0 = L + group * i + group * 0.15;
    bars.forEach((s, j) => {
      const v = s.values[i] || 0, bh = (ih * v) / max;
      root.append(svg("rect", { x: x0 + j * bw, y: T + ih - bh, width: bw - 1, height: bh, class: `bar s${j}` },
        svg("title", {}, `${label}: ${s.name} ${v}`)));
    });
    if (n <= 12 || i % Math.ceil(n / 12) === 0) {
      root.append(svg("text", { x: L + group * i + group / 2, y: H - B + 16, "text-anchor": "middle", class: "tick" }, label.slice(5)));
    }
  });
  if (line && labels.length) {
    const pts = line.values.map((v, i) => `${L + group * i + group / 2},${T + ih - ih * (v || 0)}`);
    root.append(svg("polyline", { points: pts.join(" "), class: "line" }));
    line.values.forEach((v, i) => root.append(svg("circle", { cx: L + group * i + group / 2, cy: T + ih - ih * (v || 0), r: 3, class: "dot" },
      svg("title", {}, `${labels[i]}: ${line.name} ${pct(v)}`))));
  }
  const legend = h("ul", { class: "legend" },
    bars.map((s, j) => h("li", {}, h("span", { class: `key s${j}` }), s.name)),
    line ? h("li", {}, h("span", { class: "key line" }), line.name) : null);
  return h("figure", { class: "chart-box" }, h("figcaption", {}, title), labels.length ? root : h("p", { class: "muted" }, "No data yet."), legend);
}

function patternChart(weekly) {
  const w = weekly.weeks;
  return chart("Pattern reuse and success per week", w.map((x) => x.week),
    [{ name: "applications", values: w.map((x) => x.applications) },
     { name: "patterns reused", values: w.map((x) => x.patterns_reused) }],
    { name: "success rate", values: w.map((x) => x.success_rate) });
}

function attemptChart(stats) {
  const w = stats.weeks;
  return chart("Code attempts per week and pass rate", w.map((x) => x.week),
    [{ name: "attempts", values: w.map((x) => x.attempts) },
     { name: "passed", values: w.map((x) => x.passed) }],
    { name: "pass rate", values: w.map((x) => x.pass_rate) });
}

// ---- pages ---------------------------------------------------------------

async function overview() {
  const [o, weekly, attempts, cites] = await Promise.all([api("/api/overview"), api("/api/patterns-weekly"), api("/api/attempts/stats"), api("/api/citations")]);
  const c = o.counts;
  const card = (label, value, href) => h("li", { class: "card" }, h("a", { href }, h("span", { class: "value" }, value), h("span", { class: "label" }, label)));
  page("Overview",
    h("section", { "aria-labelledby": "counts-h" }, h("h2", { id: "counts-h" }, "Counts"),
      h("ul", { class: "cards" },
        card("resources", c.resources, "#/memory"), card("chunks", c.chunks, "#/memory"),
        card("patterns", c.patterns, "#/patterns"), card("drafts to review", c.patterns_unreviewed, "#/review"),
        card("guardian rules active", `${c.guardian_rules_active}/${c.guardian_rules}`, "#/guardian"),
        card("file audits", c.file_audits, "#/audits"),
        card("code attempts passed", `${c.code_attempts_passed}/${c.code_attempts}`, "#/attempts"),
        card("outcomes recorded", c.pattern_applications, "#/patterns"), card("open todos", c.todos_open, "#/"))),
    h("div", { class: "two" },
      h("section", { "aria-labelledby": "health-h" }, h("h2", { id: "health-h" }, "Store health"),
        h("p", {}, o.health.ok ? badge("healthy", "ok") : badge("problems", "bad")),
        o.health.problems.length ? h("ul", {}, o.health.problems.map((p) => h("li", {}, p))) : null,
        h("dl", { class: "facts" },
          h("dt", {}, "Backend"), h("dd", {}, o.store.backend),
          h("dt", {}, "Location"), h("dd", {}, o.store.location),
          h("dt", {}, "Model"), h("dd", {}, `${o.store.embedding_model} (${o.store.dimension} dimensions)`),
          h("dt", {}, "Schema"), h("dd", {}, `${o.store.schema_version} of ${o.store.latest_schema_version}`),
          h("dt", {}, "Project"), h("dd", {}, o.project),
          h("dt", {}, "Version"), h("dd", {}, o.version))),
      h("section", { "aria-labelledby": "recent-h" }, h("h2", { id: "recent-h" }, "Recent activity"),
        o.recent.length ? h("ul", { class: "activity" }, o.recent.map((e) => h("li", {}, badge(e.kind), " ",
          h("a", { href: e.kind === "resource" ? `#/resource/${e.id}` : e.kind === "attempt" ? "#/attempts" : `#/pattern/${e.id}` }, e.title),
          " ", h("time", { class: "muted" }, day(e.at))))) : h("p", { class: "muted" }, "Nothing yet."))),
    citationsSection(cites),
    h("section", { "aria-labelledby": "plots-h" }, h("h2", { id: "plots-h" }, "Plots"),
      h("div", { class: "two" }, patternChart(weekly), attemptChart(attempts))));
}

// Memories and patterns whose cited code changed or is gone (issue 22):
// they rank last when used; listed here so a person can fix or drop them.
function citationsSection(s) {
  const head = h("h2", { id: "cites-h" }, "Citations to code");
  if (!s.citations) {
    return h("section", { "aria-labelledby": "cites-h" }, head,
      h("p", { class: "muted" }, `None of ${s.memories} memories and ${s.patterns} fix patterns cite code.`));
  }
  return h("section", { "aria-labelledby": "cites-h" }, head,
    h("p", {}, `${s.memories_citing} of ${s.memories} memories and ${s.patterns_citing} of ${s.patterns} fix patterns cite code: `,
      badge(`${s.verified} verified`, "ok"), " ", badge(`${s.moved} moved`), " ",
      badge(`${s.changed} changed`, s.changed ? "bad" : undefined), " ", badge(`${s.missing} missing`, s.missing ? "bad" : undefined)),
    s.stale_items.length
      ? h("table", {},
          h("caption", {}, "Stale: the cited code changed or is gone"),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "item"), h("th", { scope: "col" }, "why"))),
          h("tbody", {}, s.stale_items.map((i) => h("tr", {},
            h("td", {}, h("a", { href: i.kind === "pattern" ? `#/pattern/${i.id}` : `#/resource/${i.id}` }, `${i.kind} ${i.id}: ${i.title}`)),
            h("td", {}, i.reason)))))
      : h("p", { class: "muted" }, "Every cited span still holds."));
}

async function memory(params) {
  const q = params.get("q") || "";
  const mode = params.get("mode") || "hybrid";
  const type = params.get("type") || "";
  const offset = Number(params.get("offset") || 0);
  const o = await api("/api/overview");
  const types = Object.keys(o.counts.resources_by_type);
  const go = (changes) => {
    const p = new URLSearchParams({ q, mode, type, offset: String(offset), ...changes });
    for (const [k, v] of [...p]) if (!v || (k === "offset" && v === "0")) p.delete(k);
    location.hash = `#/memory?${p}`;
  };
  const input = h("input", { id: "q", type: "search", name: "q", value: q, placeholder: "What are you looking for?" });
  const modeSel = h("select", { id: "mode", name: "mode" }, ["hybrid", "vector", "keyword"].map((m) => h("option", { value: m, selected: m === mode }, m)));
  const form = h("form", { class: "search", role: "search", onsubmit: (ev) => { ev.preventDefault(); go({ q: input.value, mode: modeSel.value, offset: "0" }); } },
    h("label", { for: "q" }, "Search memory"), input,
    h("label", { for: "mode" }, "Mode"), modeSel,
    h("button", { type: "submit", class: "primary" }, "Search"));
  const results = h("section", { "aria-labelledby": q ? "results-h" : null });
  if (q) {
    const r = await api(`/api/search?${new URLSearchParams({ q, mode, top_k: "10" })}`);
    results.append(h("h2", { id: "results-h" }, `Results for “${q}” (${r.mode})`),
      r.hits.length ? h("ol", { class: "hits" }, r.hits.map((hit) => h("li", { class: "hit" },
        h("div", {}, h("a", { href: `#/resource/${hit.chunk.resource_id}` }, hit.file_name), " ", badge(hit.resource_type)),
        h("p", { class: "snippet" }, hit.chunk.text.slice(0, 400)),
        h("p", { class: "scores" }, `relevance ${num(hit.relevance)} · score ${num(hit.score)} · similarity ${num(hit.similarity)} · keyword ${num(hit.keyword_score)}` +
          (hit.coverage ? ` · words ${num(hit.coverage.words)} · identifiers ${num(hit.coverage.identifiers)}` : ""))))) :
        h("p", { class: "muted" }, "No hits."));
  }
  const pg = await api(`/api/resources?${new URLSearchParams({ offset: String(offset), limit: "20", ...(type ? { type } : {}) })}`);
  const typeSel = h("select", { id: "type", onchange: (ev) => go({ type: ev.target.value, offset: "0" }) },
    h("option", { value: "" }, "all types"), types.map((t) => h("option", { value: t, selected: t === type }, `${t} (${o.counts.resources_by_type[t]})`)));
  page("Memory", form, results,
    h("section", { "aria-labelledby": "browse-h" }, h("h2", { id: "browse-h" }, "Browse"),
      h("p", {}, h("label", { for: "type" }, "Type "), typeSel),
      table(["Resource", "Type", "Chunks", "Stored"], pg.items.map((r) => h("tr", {},
        h("td", {}, h("a", { href: `#/resource/${r.id}` }, r.file_name)), h("td", {}, r.resource_type),
        h("td", {}, r.chunk_count), h("td", {}, day(r.created_at))))),
      pager(pg, (off) => go({ offset: String(off) }))));
}

async function resource(id) {
  const d = await api(`/api/resources/${id}`);
  const r = d.resource;
  const del = h("button", { type: "button", class: "danger", onclick: async () => {
    if (!(await confirmDialog(`Delete “${r.file_name}” with its ${d.chunks.length} chunks? This cannot be undone.`, "Delete"))) return;
    try {
      await api(`/api/resources/${id}`, { method: "DELETE" });
      toast(`Deleted ${r.file_name}`);
      location.hash = "#/memory";
    } catch (e) { toast(`Error: ${e.message}`); }
  } }, "Delete");
  page(r.file_name,
    h("p", {}, badge(r.resource_type), ` resource ${r.id} · stored ${day(r.created_at)} · ${r.chunk_count} chunks `, del),
    h("h2", {}, "Chunks"),
    h("ol", { class: "chunks" }, d.chunks.map((c) => h("li", {}, h("pre", {}, c.text),
      h("p", { class: "muted" }, `chunk ${c.id} · bytes ${c.start}–${c.end} · vector ${c.vector_id}`)))));
}

function patternFacts(p) {
  return h("dl", { class: "facts" },
    h("dt", {}, "Problem type"), h("dd", {}, p.problem_type),
    h("dt", {}, "Code type"), h("dd", {}, p.code_type || "–"),
    h("dt", {}, "Severity"), h("dd", {}, p.severity),
    h("dt", {}, "Layers"), h("dd", {}, p.layers.join(", ") || "–"),
    h("dt", {}, "Workflows"), h("dd", {}, p.workflows.join(", ") || "–"),
    h("dt", {}, "File types"), h("dd", {}, p.file_types.join(", ") || "–"),
    h("dt", {}, "Tags"), h("dd", {}, p.tags.join(", ") || "–"),
    h("dt", {}, "Source"), h("dd", {}, [p.created_by ? `by ${p.created_by}` : null,
      p.source_file_audit_id ? `audit ${p.source_file_audit_id}` : null,
      p.related_files.length ? `files ${p.related_files.join(", ")}` : null,
      p.dart_task_ids.length ? `tasks ${p.dart_task_ids.join(", ")}` : null].filter(Boolean).join("; ") || "–"));
}

// A line diff of before/after (longest common subsequence).
function diff(before, after) {
  const a = (before || "").split("\n"), b = (after || "").split("\n");
  const n = a.length, m = b.length;
  const t = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) t[i][j] = a[i] === b[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
  const out = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { out.push([" ", a[i]]); i++; j++; }
    else if (i < n && (j >= m || t[i + 1][j] >= t[i][j + 1])) { out.push(["-", a[i]]); i++; }
    else { out.push(["+", b[j]]); j++; }
  }
  return h("pre", { class: "diff", "aria-label": "Code before and after, as a diff" },
    out.map(([k, line]) => h("span", { class: k === "+" ? "add" : k === "-" ? "del" : "" }, `${k} ${line}\n`)));
}

function nearestList(nearest) {
  return nearest.length ? h("ul", {}, nearest.map((n) => h("li", {}, h("a", { href: `#/pattern/${n.pattern_id}` }, n.title),
    ` · similarity ${num(n.similarity)} `, n.reviewed ? badge("reviewed", "ok") : badge("draft")))) : h("p", { class: "muted" }, "No other patterns.");
}

function rulesTable(rules, after) {
  return table(["Rule", "Layer", "Type", "Pattern", "Severity", "Hits", "Active", ""], rules.map((r) => h("tr", {},
    h("td", {}, r.rule_name), h("td", {}, r.layer_number), h("td", {}, r.rule_type), h("td", {}, h("code", {}, r.rule_pattern)),
    h("td", {}, r.severity), h("td", {}, `${r.hit_count} in ${r.files_hit} files`),
    h("td", {}, r.active ? badge("active", "ok") : badge("inactive", "bad")),
    h("td", {}, h("button", { type: "button", "data-rule": r.id, onclick: async () => {
      try {
        await api(`/api/rules/${r.id}/active`, { method: "POST", body: { active: !r.active, reason: r.active ? "deactivated on the dashboard" : undefined } });
        toast(`Rule ${r.rule_name} ${r.active ? "deactivated" : "activated"}`);
        after();
      } catch (e) { toast(`Error: ${e.message}`); }
    } }, r.active ? `Deactivate ${r.rule_name}` : `Activate ${r.rule_name}`)))));
}

async function pattern(id) {
  const d = await api(`/api/patterns/${id}`);
  const p = d.pattern;
  page(p.title,
    h("p", {}, p.reviewed ? badge("reviewed", "ok") : badge("draft: in the review queue"), ` pattern ${p.id} · created ${day(p.created_at)}`,
      p.reviewer_notes ? ` · notes: ${p.reviewer_notes}` : ""),
    h("div", { class: "two" },
      h("section", { "aria-labelledby": "problem-h" }, h("h2", { id: "problem-h" }, "Problem"), h("p", {}, p.problem_description),
        h("h2", {}, "Steps"), h("ol", {}, (p.solution_steps || "").split("\n").filter((s) => s.trim()).map((s) => h("li", {}, s.replace(/^\s*\d+[.)]\s*/, ""))))),
      h("section", { "aria-labelledby": "facts-h" }, h("h2", { id: "facts-h" }, "Facts"), patternFacts(p),
        h("h2", {}, "Metrics"), h("dl", { class: "facts" },
          h("dt", {}, "Applied"), h("dd", {}, p.applied_count), h("dt", {}, "Success rate"), h("dd", {}, pct(p.success_rate)),
          h("dt", {}, "Avg. time saved"), h("dd", {}, `${p.avg_time_saved} min`), h("dt", {}, "Confidence"), h("dd", {}, num(p.confidence_score))))),
    (p.code_before || p.code_after) ? h("section", {}, h("h2", {}, "Before → after"), diff(p.code_before, p.code_after)) : null,
    h("section", {}, h("h2", {}, "Outcomes"), table(["When", "File", "Result", "Time saved", "Notes"], d.applications.map((a) => h("tr", {},
      h("td", {}, day(a.applied_at)), h("td", {}, a.file_path || "–"), h("td", {}, a.success ? badge("success", "ok") : badge("failure", "bad")),
      h("td", {}, a.time_saved ?? "–"), h("td", {}, a.notes || ""))))),
    h("section", {}, h("h2", {}, "Related patterns"), d.related_patterns.length ? h("ul", {}, d.related_patterns.map((r) =>
      h("li", {}, h("a", { href: `#/pattern/${r.id}` }, r.title), ` (${r.relationship_type}, strength ${num(r.strength)})`))) : h("p", { class: "muted" }, "None linked.")),
    h("section", {}, h("h2", {}, "Nearest patterns"), nearestList(d.nearest)),
    h("section", {}, h("h2", {}, "Guardian rules"), rulesTable(d.guardian_rules, () => route())));
}

async function patterns(params) {
  const offset = Number(params.get("offset") || 0);
  const pg = await api(`/api/patterns?reviewed=true&limit=25&offset=${offset}`);
  page("Patterns", table(["Pattern", "Type", "Severity", "Applied", "Success"], pg.items.map((p) => h("tr", {},
    h("td", {}, h("a", { href: `#/pattern/${p.id}` }, p.title)), h("td", {}, p.problem_type), h("td", {}, p.severity),
    h("td", {}, p.applied_count), h("td", {}, pct(p.success_rate))))),
    pager(pg, (off) => { location.hash = `#/patterns?offset=${off}`; }));
}

// The review queue: j/k move, a accepts (with the fields and notes as
// edited), e edits the notes, r rejects (after confirmation), m merges the
// draft into the chosen existing pattern, x selects it for the bulk accept
// and reject buttons. Order and origin are in the hash.
let queueKeys = null;
async function review(params) {
  const order = params.get("order") || "newest", origin = params.get("origin") || "";
  const pg = await api(`/api/patterns?reviewed=false&limit=100&order=${encodeURIComponent(order)}${origin ? `&origin=${encodeURIComponent(origin)}` : ""}`);
  let index = Math.min(review.index || 0, Math.max(0, pg.items.length - 1));
  const detail = h("section", { class: "draft", "aria-live": "polite", "aria-labelledby": "draft-h" });
  const list = h("ol", { class: "queue" });
  const notes = h("textarea", { id: "notes", rows: 3, placeholder: "What you changed or why you accept it" });
  const field = (id, label, control) => h("div", { class: "field" }, h("label", { for: id }, label), control);
  const edit = {
    title: h("input", { id: "edit-title", type: "text" }),
    solution_steps: h("textarea", { id: "edit-steps", rows: 4 }),
    severity: h("select", { id: "edit-severity" }, ["CRITICAL", "HIGH", "MEDIUM", "LOW"].map((x) => h("option", { value: x }, x))),
    layers: h("input", { id: "edit-layers", type: "text", inputmode: "numeric" }),
    tags: h("input", { id: "edit-tags", type: "text" }),
  };
  const mergeInto = h("select", { id: "merge-into" });
  const again = () => { review.index = index; route(); };
  const edits = (p) => {
    const out = {};
    if (edit.title.value.trim() !== p.title) out.title = edit.title.value;
    if (edit.solution_steps.value.trim() !== (p.solution_steps || "").trim()) out.solution_steps = edit.solution_steps.value;
    if (edit.severity.value !== p.severity) out.severity = edit.severity.value;
    const layers = edit.layers.value.split(",").map((x) => x.trim()).filter(Boolean);
    if (layers.join(",") !== p.layers.join(",")) out.layers = layers.map(Number);
    const tags = edit.tags.value.split(",").map((x) => x.trim()).filter(Boolean);
    if (tags.join(",") !== p.tags.join(",")) out.tags = tags;
    return out;
  };
  const accept = async () => {
    const p = pg.items[index];
    if (!p) return;
    try {
      const r = await api(`/api/patterns/${p.id}/accept`, { method: "POST", body: { ...edits(p), reviewer_notes: notes.value || undefined } });
      toast(`Accepted “${r.pattern.title}”${r.edited.length ? ` (edited: ${r.edited.join(", ")})` : ""}`);
      again();
    } catch (e) { toast(`Error: ${e.message}`); }
  };
  const reject = async () => {
    const p = pg.items[index];
    if (!p) return;
    if (!(await confirmDialog(`Reject “${p.title}”? It is deleted with its rules; mining will not bring it back.`, "Reject"))) return;
    try {
      await api(`/api/patterns/${p.id}/reject`, { method: "POST", body: { reason: notes.value || undefined } });
      toast(`Rejected “${p.title}”`);
      again();
    } catch (e) { toast(`Error: ${e.message}`); }
  };
  const merge = async () => {
    const p = pg.items[index], into = mergeInto.value;
    if (!p || !into) return;
    const name = mergeInto.selectedOptions[0].textContent;
    if (!(await confirmDialog(`Merge “${p.title}” into “${name}”? Its history moves there and the draft is deleted.`, "Merge"))) return;
    try {
      await api(`/api/patterns/${into}/merge`, { method: "POST", body: { from_pattern_id: p.id, reviewer_notes: notes.value || undefined } });
      toast(`Merged “${p.title}” into “${name}”`);
      again();
    } catch (e) { toast(`Error: ${e.message}`); }
  };
  const source = (p) => p.source
    ? h("p", {}, "Mined from commits ", p.source.commits.map((c) => h("code", {}, c.slice(0, 10))).reduce((a, c) => (a.length ? [...a, " ", c] : [c]), []),
      p.created_by ? ` by ${p.created_by}` : "")
    : h("p", { class: "muted" }, p.origin === "audit" ? `From file audit ${p.source_file_audit_id}` : `Written by ${p.created_by || "an agent or a person"}`);
  const show = async () => {
    [...list.children].forEach((li, i) => li.setAttribute("aria-current", i === index ? "true" : "false"));
    const p = pg.items[index];
    if (!p) { detail.replaceChildren(h("h2", { id: "draft-h" }, "The queue is empty"), h("p", { class: "muted" }, "No draft patterns wait for review.")); return; }
    notes.value = p.reviewer_notes || "";
    edit.title.value = p.title;
    edit.solution_steps.value = p.solution_steps || "";
    edit.severity.value = p.severity;
    edit.layers.value = p.layers.join(", ");
    edit.tags.value = p.tags.join(", ");
    const d = await api(`/api/patterns/${p.id}`);
    mergeInto.replaceChildren(...d.nearest.map((n) => h("option", { value: n.pattern_id }, n.title)));
    detail.replaceChildren(h("h2", { id: "draft-h" }, h("a", { href: `#/pattern/${p.id}` }, p.title)),
      h("p", {}, p.problem_description), source(p), h("h3", {}, "Inferred fields"), patternFacts(p),
      (p.code_before || p.code_after) ? diff(p.code_before, p.code_after) : null,
      h("h3", {}, "Nearest existing patterns"), nearestList(d.nearest),
      h("h3", {}, "Edit before accepting"),
      field("edit-title", "Title", edit.title), field("edit-steps", "Solution steps (one per line)", edit.solution_steps),
      field("edit-severity", "Severity", edit.severity), field("edit-layers", "Layers (1-7, comma-separated)", edit.layers),
      field("edit-tags", "Tags (comma-separated)", edit.tags),
      h("label", { for: "notes" }, "Reviewer notes (e)"), notes,
      h("div", { class: "actions" },
        h("button", { type: "button", class: "primary", id: "accept", onclick: accept }, "Accept (a)"),
        h("button", { type: "button", class: "danger", id: "reject", onclick: reject }, "Reject (r)")),
      d.nearest.length ? h("div", { class: "actions" }, h("label", { for: "merge-into" }, "Same fix as"), mergeInto,
        h("button", { type: "button", id: "merge", onclick: merge }, "Merge into it (m)")) : null);
  };
  // Bulk: x (or the box) selects; the buttons act on every selected draft,
  // each one transaction, rejection after one confirmation.
  const selected = new Set();
  const bulkInfo = h("span", { class: "muted", id: "bulk-count" }, "0 selected");
  const toggle = (p, on) => { if (on) selected.add(p.id); else selected.delete(p.id); bulkInfo.textContent = `${selected.size} selected`; };
  const bulk = async (what) => {
    const ids = pg.items.filter((p) => selected.has(p.id));
    if (!ids.length) { toast("Select drafts first (x or the boxes)"); return; }
    if (what === "reject" && !(await confirmDialog(`Reject ${ids.length} draft${ids.length === 1 ? "" : "s"}? Each is deleted with its rules; mining will not bring them back.`, "Reject all"))) return;
    let done = 0;
    for (const p of ids) {
      try {
        await api(`/api/patterns/${p.id}/${what}`, { method: "POST", body: what === "reject" ? { reason: "rejected in bulk on the dashboard" } : {} });
        done++;
      } catch (e) { toast(`Error on “${p.title}”: ${e.message}`); }
    }
    toast(`${what === "accept" ? "Accepted" : "Rejected"} ${done} of ${ids.length}`);
    review.index = 0;
    route();
  };
  pg.items.forEach((p, i) => list.append(h("li", {},
    h("input", { type: "checkbox", class: "pick", "data-id": p.id, "aria-label": `Select ${p.title}`, onchange: (ev) => toggle(p, ev.target.checked) }), " ",
    h("button", { type: "button", class: "link", onclick: () => { index = i; show(); } }, p.title), " ", badge(p.severity), " ", badge(p.origin))));
  const go = (o, g) => { location.hash = `#/review?order=${o}${g ? `&origin=${g}` : ""}`; };
  const orderSel = h("select", { id: "order", onchange: (ev) => go(ev.target.value, origin) },
    ["newest", "confidence", "source"].map((o) => h("option", { value: o, selected: o === order }, o)));
  const originSel = h("select", { id: "origin", onchange: (ev) => go(order, ev.target.value) },
    [["", "any"], ["mined", "mined"], ["audit", "audit"], ["manual", "manual"]].map(([v, t]) => h("option", { value: v, selected: v === origin }, t)));
  page("Review queue", h("p", { class: "muted" }, `${pg.total} draft${pg.total === 1 ? "" : "s"}${pg.total > pg.items.length ? ` (first ${pg.items.length} shown)` : ""}. Keys: j/k next/previous, x select, a accept, r reject, m merge, e edit notes.`),
    h("div", { class: "filters" }, h("label", { for: "order" }, "Order"), orderSel, h("label", { for: "origin" }, "Origin"), originSel,
      bulkInfo, h("button", { type: "button", id: "bulk-accept", onclick: () => bulk("accept") }, "Accept selected"),
      h("button", { type: "button", class: "danger", id: "bulk-reject", onclick: () => bulk("reject") }, "Reject selected")),
    h("div", { class: "review" }, h("nav", { "aria-label": "Drafts" }, list), detail));
  queueKeys = (ev) => {
    if (ev.target.closest("input, textarea, select")) { if (ev.key === "Escape") ev.target.blur(); return; }
    if (ev.key === "j" && index < pg.items.length - 1) { index++; show(); }
    else if (ev.key === "k" && index > 0) { index--; show(); }
    else if (ev.key === "a") accept();
    else if (ev.key === "r") reject();
    else if (ev.key === "x" && pg.items[index]) {
      const box = list.children[index].querySelector("input.pick");
      box.checked = !box.checked;
      toggle(pg.items[index], box.checked);
    }
    else if (ev.key === "m") merge();
    else if (ev.key === "e") { ev.preventDefault(); notes.focus(); }
  };
  await show();
}
document.addEventListener("keydown", (ev) => {
  if (queueKeys && !ev.ctrlKey && !ev.metaKey && !ev.altKey && location.hash.startsWith("#/review")) queueKeys(ev);
});

async function guardian(params) {
  const offset = Number(params.get("offset") || 0);
  const pg = await api(`/api/rules?limit=50&offset=${offset}`);
  page("Guardian rules", h("p", { class: "muted" }, "Inactive rules are skipped by ltmc guard check and recommend_fix's warnings."),
    rulesTable(pg.items, () => route()), pager(pg, (off) => { location.hash = `#/guardian?offset=${off}`; }));
}

async function audits() {
  const a = await api("/api/audits/progress");
  const count = (layer, wf, status) => (a.cells.find((c) => c.layer === layer && c.workflow === wf && c.status === status) || {}).count || 0;
  const rows = a.layers.map((layer) => h("tr", {}, h("th", { scope: "row" }, `Layer ${layer}`), a.workflows.map((wf) => {
    const total = a.statuses.reduce((s, st) => s + count(layer, wf, st), 0);
    const done = count(layer, wf, "Complete");
    return h("td", {}, total ? [h("progress", { max: total, value: done, "aria-label": `layer ${layer} ${wf}: ${done} of ${total} complete` }),
      h("span", { class: "muted" }, ` ${done}/${total}`), h("br"), a.statuses.filter((st) => count(layer, wf, st)).map((st) => `${st} ${count(layer, wf, st)}`).join(" · ")] : "–");
  })));
  page("File audits", h("p", {}, `${a.total} files audited.`),
    table(["Layer", ...a.workflows], rows, "Progress by layer and workflow (complete of all, then counts per status)"));
}

async function attempts() {
  const s = await api("/api/attempts/stats");
  page("Code attempts", h("p", {}, `${s.attempts} attempts, ${s.passed} passed: pass rate `, h("strong", {}, pct(s.pass_rate)), "."),
    attemptChart(s),
    table(["Week", "Attempts", "Passed", "Failed", "Partial", "Pass rate"], s.weeks.map((w) => h("tr", {},
      h("td", {}, w.week), h("td", {}, w.attempts), h("td", {}, w.passed), h("td", {}, w.failed), h("td", {}, w.partial), h("td", {}, pct(w.pass_rate))))));
}

// ---- routing -------------------------------------------------------------

async function route() {
  const [path, query] = (location.hash.slice(1) || "/").split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean);
  const section = parts[0] || "overview";
  document.querySelectorAll("[data-nav]").forEach((a) => {
    const current = a.dataset.nav === section || (section === "resource" && a.dataset.nav === "memory") || (section === "pattern" && a.dataset.nav === "patterns");
    if (current) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  });
  if (section !== "review") queueKeys = null;
  try {
    switch (section) {
      case "overview": await overview(); break;
      case "memory": await memory(params); break;
      case "resource": await resource(Number(parts[1])); break;
      case "review": await review(params); break;
      case "patterns": await patterns(params); break;
      case "pattern": await pattern(Number(parts[1])); break;
      case "guardian": await guardian(params); break;
      case "audits": await audits(); break;
      case "attempts": await attempts(); break;
      default: page("Not found", h("p", {}, "No such page."));
    }
  } catch (e) {
    page("Error", failure(e));
  }
}

window.addEventListener("hashchange", route);
document.addEventListener("DOMContentLoaded", () => {
  route();
});
