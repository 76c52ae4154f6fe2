/// The dashboard's script (`/dashboard/app.js`): plain JavaScript, no framework, no build step.
///
/// It opens `WS /ws/dashboard`, merges each pushed state into what it shows and redraws; it
/// reconnects with backoff when the socket drops. Every text from the server goes through
/// `textContent`, never `innerHTML`, since method names come from clients. Actions are POSTs
/// to `/dashboard/…` with the operator's token as a bearer header; the token lives in this
/// tab's session storage only.
enum DashboardScript {
    static let javascript = #"""
    "use strict";
    const state = { chains: [], tree: null, feed: [], chain: null, restarts: new Map(), history: new Map(), daily: {},
                    seq: 0, token: sessionStorage.getItem("lassoToken") || "" };
    const $ = (id) => document.getElementById(id);

    function el(tag, text, cls) {
      const node = document.createElement(tag);
      if (text !== undefined && text !== null) node.textContent = String(text);
      if (cls) node.className = cls;
      return node;
    }
    function num(value, digits = 2) {
      return (value === null || value === undefined || !isFinite(value)) ? "-" : Number(value).toFixed(digits);
    }
    function cell(text, cls) { return el("td", text, cls); }
    function numCell(text) { return el("td", text, "num"); }
    function replaceRows(tbody, rows) { tbody.replaceChildren(...rows); }

    function notice(text, isError) {
      const box = $("notice");
      box.textContent = text;
      box.className = text ? "show" : "";
      box.dataset.error = isError ? "1" : "0";
    }

    function currentChain() { return state.chains.find((c) => c.chain === state.chain) || state.chains[0]; }

    function renderChains() {
      const select = $("chain");
      const keys = state.chains.map((c) => c.chain);
      if (select.options.length !== keys.length || keys.some((k, i) => select.options[i].value !== k)) {
        select.replaceChildren(...state.chains.map((c) => {
          const option = el("option", c.name && c.name !== c.chain ? `${c.chain} (${c.name})` : c.chain);
          option.value = c.chain;
          return option;
        }));
      }
      if (!state.chain || !keys.includes(state.chain)) state.chain = keys[0] || null;
      select.value = state.chain || "";
    }

    function actionButton(label, request, path = "/dashboard/admin") {
      const button = el("button", label, "action");
      button.type = "button";
      button.dataset.action = label;
      button.addEventListener("click", () => act(path, request));
      return button;
    }

    function renderLeaderboard(chain) {
      const status = chain && chain.status;
      const providers = status ? [...status.providers] : [];
      providers.sort((a, b) => (a.score ?? Infinity) - (b.score ?? Infinity) || a.id.localeCompare(b.id));
      $("best-head").textContent = status && status.best_head != null ? `best head ${status.best_head}` : "";
      $("chain-actions").replaceChildren(...(chain ? [actionButton("restart chain", { cmd: "restart-chain", args: [chain.chain] })] : []));
      replaceRows($("leaderboard").tBodies[0], providers.map((p, index) => {
        const row = el("tr");
        row.dataset.provider = p.id;
        row.append(numCell(index + 1), cell(p.id), cell(p.availability, p.availability),
                   numCell(num(p.score)), numCell(num(p.p50_ms)), numCell(num(p.p95_ms)),
                   numCell(p.success_rate == null ? "-" : num(p.success_rate * 100, 1) + "%"),
                   numCell(p.calls ?? 0), numCell(p.lag ?? "-"));
        const actions = el("td");
        const path = `Application/ChainsSupervisor/ChainSupervisor(${chain.chain})/ProviderSupervisor(${p.id})`;
        actions.append(actionButton("kill", { cmd: "kill", args: [path] }));
        // lassod demo: take the simulated provider down, or bring it back.
        const simulated = (state.simulated || []).find((s) => s.provider === p.id);
        if (simulated) {
          row.dataset.behavior = simulated.behavior;
          const healthy = simulated.behavior === "healthy";
          actions.append(actionButton(healthy ? "take down" : `heal (${simulated.behavior})`,
                                      { provider: p.id, behavior: healthy ? "down" : "healthy" }, "/dashboard/simulate"));
        }
        row.append(actions);
        return row;
      }));
    }

    function renderBreakers(chain) {
      const status = chain && chain.status;
      const rows = [];
      const last = new Map();
      for (const t of (chain && chain.transitions) || []) last.set(`${t.provider}/${t.transport}`, t);
      for (const p of (status ? status.providers : [])) {
        for (const transport of Object.keys(p.breakers).sort()) {
          const phase = p.breakers[transport];
          const t = last.get(`${p.id}/${transport}`);
          const row = el("tr");
          row.dataset.breaker = `${p.id}/${transport}`;
          row.dataset.phase = phase;
          const when = t ? `${t.from} → ${t.to} at ${new Date(t.at_ms).toLocaleTimeString()}` : "-";
          const actions = el("td");
          for (const verb of ["open", "close", "reset"]) {
            actions.append(actionButton(verb, { cmd: "breaker", args: [chain.chain, p.id, transport, verb] }));
          }
          row.append(cell(p.id), cell(transport), cell(phase, phase), cell(when), actions);
          rows.push(row);
        }
      }
      replaceRows($("breakers").tBodies[0], rows);
    }

    function renderMatrix(chain) {
      const entries = (chain && chain.matrix) || [];
      const methods = [...new Set(entries.map((e) => e.method))].sort();
      const providers = [...new Set(entries.map((e) => e.provider))].sort();
      const head = el("tr");
      head.append(el("th", "provider"), ...methods.map((m) => el("th", m)));
      $("matrix").tHead.replaceChildren(head);
      replaceRows($("matrix").tBodies[0], providers.map((provider) => {
        const row = el("tr");
        row.append(cell(provider));
        for (const method of methods) {
          const hits = entries.filter((e) => e.provider === provider && e.method === method);
          const calls = hits.reduce((s, e) => s + e.calls, 0);
          const errors = hits.reduce((s, e) => s + e.errors, 0);
          const mean = calls ? hits.reduce((s, e) => s + e.mean_ms * e.calls, 0) / calls : null;
          const td = numCell(calls ? `${num(mean)} (${calls}${errors ? `, ${errors} err` : ""})` : "");
          if (errors) td.classList.add("error");
          row.append(td);
        }
        return row;
      }));
    }

    function renderFeed() {
      const chain = state.chain;
      const rows = state.feed.filter((d) => d.chain === chain).slice(-40).reverse().map((d) => {
        const row = el("tr");
        const time = cell(d.ts ? d.ts.slice(11, 23) : "");
        if (typeof d.event === "string" && d.event.startsWith("subscription.failover.")) {
          // A subscription failover: the key, the providers and how it went, in the same columns.
          const done = d.event.endsWith(".completed");
          row.className = "failover";
          row.dataset.failover = done ? "completed" : "started";
          row.dataset.key = d.key;
          const moved = `${d.from ?? "-"} → ${done ? (d.to ?? "-") : "…"}`;
          const detail = done ? `backfilled ${d.backfilled}, skipped ${d.skipped}`
                             : (d.last_block == null ? "no block delivered yet" : `after block ${d.last_block}`);
          row.append(time, cell(`failover ${done ? "completed" : "started"}`), cell(d.key), cell(moved),
                     cell(d.reason), numCell(done ? d.duration_ms ?? "-" : "-"), cell(detail),
                     cell(done ? "recovered" : "failing over", done ? "ok" : "error"));
          return row;
        }
        const routing = d.routing || {}, timing = d.timing || {}, response = d.response || {};
        const selected = routing.selected_provider;
        row.append(time, cell(d.jsonrpc_method), cell(d.strategy),
                   cell(selected ? selected.id : "-"), cell(selected ? selected.protocol : "-"),
                   numCell(num(timing.end_to_end_latency_ms)), numCell(routing.retries ?? 0),
                   cell(response.status, response.status === "success" ? "ok" : "error"));
        return row;
      });
      replaceRows($("feed").tBodies[0], rows);
    }

    function lastFailover(f) {
      if (!f) return "-";
      const moved = `${f.from ?? "-"} → ${f.to ?? "…"}`;
      const took = f.duration_ms == null ? "running" : `${f.duration_ms} ms`;
      return `${f.reason}: ${moved}, ${took}, backfilled ${f.backfilled}, skipped ${f.skipped}`;
    }

    function renderSubscriptions(chain) {
      const streams = (chain && chain.subscriptions) || [];
      const total = (chain && chain.subscription_keys) || 0;
      $("subscriptions-more").textContent = total > streams.length ? `(the ${streams.length} busiest of ${total} keys)` : "";
      replaceRows($("subscriptions").tBodies[0], streams.map((s) => {
        const row = el("tr");
        row.dataset.key = s.key;
        row.dataset.phase = s.phase;
        row.dataset.provider = s.provider ?? "";
        row.dataset.failovers = s.failovers;
        row.append(cell(s.key), cell(s.provider ?? "-"), cell(s.phase, s.phase),
                   numCell(s.pending ? `${s.clients} (+${s.pending})` : s.clients), numCell(s.last_block ?? "-"),
                   numCell(s.failovers), numCell(s.backfilled), numCell(s.skipped), cell(lastFailover(s.last_failover)));
        return row;
      }));
    }

    function renderTree() {
      if (!state.tree) return;
      const seen = new Map();
      function visit(node, path) {
        const li = el("li");
        const here = path ? `${path}/${node.name}` : node.name;
        const box = el("span", null, "node");
        box.dataset.path = here;
        box.dataset.restarts = node.restarts;
        box.append(el("span", node.name), el("span", node.status, node.status),
                   el("span", `restarts ${node.restarts}`, "restarts"), el("span", node.pid || "", "muted"));
        const before = state.restarts.get(here);
        if (before !== undefined && node.restarts > before) box.classList.add("flash");
        seen.set(here, node.restarts);
        if (path) box.append(actionButton("kill", { cmd: "kill", args: [here] }));
        li.append(box);
        if (node.children && node.children.length) {
          const ul = el("ul");
          ul.append(...node.children.map((child) => visit(child, here)));
          li.append(ul);
        }
        return li;
      }
      const root = el("ul");
      root.append(visit(state.tree, ""));
      $("tree").replaceChildren(root);
      state.restarts = seen;
    }

    function recordHistory() {
      const now = Date.now();
      for (const chain of state.chains) {
        for (const p of (chain.status ? chain.status.providers : [])) {
          if (p.p50_ms == null) continue;
          const key = `${chain.chain}/${p.id}`;
          const points = state.history.get(key) || [];
          if (!points.length || now - points[points.length - 1][0] >= 1000) points.push([now, p.p50_ms]);
          while (points.length && now - points[0][0] > 3600 * 1000) points.shift();
          state.history.set(key, points);
        }
      }
    }

    function chartSeries(chain) {
      if ($("chart-range").value === "day") {
        $("chart-caption").textContent = "(mean ms per provider and hour, from the node's history)";
        const providers = state.daily[chain.chain] || {};
        return Object.keys(providers).sort().map((p) => [`${chain.chain}/${p}`, providers[p].map((s) => [s[0], s[1]])]);
      }
      $("chart-caption").textContent = "(p50 ms per provider, from this page's pushes)";
      return [...state.history.entries()].filter(([k]) => k.startsWith(chain.chain + "/"));
    }

    function renderChart(chain) {
      const canvas = $("chart");
      const ctx = canvas.getContext("2d");
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      if (!chain) return;
      const series = chartSeries(chain);
      const all = series.flatMap(([, pts]) => pts);
      if (!all.length) return;
      const t0 = Math.min(...all.map((p) => p[0])), t1 = Math.max(...all.map((p) => p[0]), t0 + 1000);
      const max = Math.max(...all.map((p) => p[1]), 1);
      const colors = ["#58a6ff", "#3fb950", "#d29922", "#f85149", "#bc8cff", "#39c5cf"];
      ctx.font = "11px system-ui";
      series.forEach(([key, pts], index) => {
        ctx.strokeStyle = ctx.fillStyle = colors[index % colors.length];
        ctx.beginPath();
        pts.forEach(([t, v], i) => {
          const x = 40 + (canvas.width - 50) * (t - t0) / (t1 - t0), y = canvas.height - 10 - (canvas.height - 30) * v / max;
          if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
        });
        ctx.stroke();
        ctx.fillText(key.split("/")[1], 45 + index * 150, 12);
      });
      ctx.fillStyle = "#8792a2";
      ctx.fillText(`${num(max, 1)} ms`, 2, 24);
      ctx.fillText("0", 2, canvas.height - 10);
    }

    function render() {
      renderChains();
      const chain = currentChain();
      renderLeaderboard(chain);
      renderBreakers(chain);
      renderMatrix(chain);
      renderFeed();
      renderSubscriptions(chain);
      renderTree();
      renderChart(chain);
      document.body.dataset.seq = state.seq;
    }

    function receive(message) {
      if (message.type === "feed" || message.type === "state") {
        state.feed.push(...(message.feed || []));
        if (state.feed.length > 400) state.feed.splice(0, state.feed.length - 400);
        $("feed-skipped").textContent = message.feed_skipped ? `(sampled: ${message.feed_skipped} not shown)` : "";
      }
      if (message.type === "history") {
        state.daily = message.chains || {};
        renderChart(currentChain());
        return;
      }
      if (message.type !== "state") { renderFeed(); return; }
      state.seq = message.seq;
      state.chains = message.chains || [];
      state.simulated = message.simulated || null;
      if (message.tree) state.tree = message.tree;
      $("version").textContent = message.version ? `v${message.version}` : "";
      $("region").textContent = message.region ? `region ${message.region}` : "";
      $("region").hidden = !message.region;
      document.body.dataset.actions = message.actions_enabled ? "enabled" : "disabled";
      recordHistory();
      render();
    }

    let backoff = 250;
    function connect() {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      const socket = new WebSocket(`${scheme}//${location.host}/ws/dashboard`);
      socket.onopen = () => { backoff = 250; $("connection").textContent = "live"; $("connection").className = "pill on"; };
      socket.onmessage = (event) => {
        try { receive(JSON.parse(event.data)); } catch (error) { console.warn("bad dashboard message", error); }
      };
      socket.onclose = () => {
        $("connection").textContent = "reconnecting";
        $("connection").className = "pill off";
        setTimeout(connect, backoff);
        backoff = Math.min(backoff * 2, 5000);
      };
    }

    async function act(path, body) {
      const headers = { "content-type": "application/json" };
      if (state.token) headers.authorization = `Bearer ${state.token}`;
      let response;
      try {
        response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
      } catch (error) {
        notice(`request failed: ${error}`, true);
        return null;
      }
      const text = await response.text();
      let reply = null;
      try { reply = JSON.parse(text); } catch (_) {}
      const message = reply && (reply.error || (reply.ok === false && reply.error));
      if (!response.ok || (reply && reply.ok === false)) {
        notice(`${response.status}: ${message || text}`, true);
      } else {
        notice(`${body.cmd || (body.behavior ? "simulate" : "load")}: done`, false);
      }
      document.body.dataset.lastActionStatus = String(response.status);
      return { status: response.status, reply };
    }

    function setMode() {
      $("mode").textContent = state.token ? "token set" : "read-only";
      $("mode").className = state.token ? "pill on" : "pill";
      document.body.classList.toggle("read-only", !state.token);
    }

    $("chain").addEventListener("change", (event) => { state.chain = event.target.value; render(); });
    $("chart-range").addEventListener("change", () => renderChart(currentChain()));
    $("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      state.token = $("token").value.trim();
      $("token").value = "";
      if (state.token) sessionStorage.setItem("lassoToken", state.token); else sessionStorage.removeItem("lassoToken");
      setMode();
    });
    $("load-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const methods = {};
      for (const part of $("load-methods").value.split(",")) {
        const [name, weight] = part.trim().split(":");
        if (name) methods[name] = Number(weight || 1);
      }
      const result = await act("/dashboard/load", {
        chain: state.chain, strategy: $("load-strategy").value, requests: Number($("load-count").value),
        concurrency: Number($("load-concurrency").value), methods });
      if (result && result.reply && result.reply.ok) {
        const r = result.reply.result;
        $("load-result").textContent = `started ${r.requests} requests on ${r.chain} (${r.strategy})`;
      }
    });
    setMode();
    connect();
    """#
}
