/// The dashboard's HTML: one static page, no framework, no CDN. Its script
/// (`DashboardScript`) and style sheet (`DashboardStyle`) are served beside it, so the page's
/// Content-Security-Policy can forbid inline code. It carries no state and no secret: what it
/// shows arrives over `WS /ws/dashboard`, and the admin token is typed in by the operator and
/// kept in the tab's session storage, never served.
enum DashboardPage {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>lassod dashboard</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="/dashboard/app.css">
    <script src="/dashboard/app.js" defer></script>
    </head>
    <body>
    <header>
      <h1>lassod</h1>
      <label>chain <select id="chain"></select></label>
      <span id="region" class="pill" title="region"></span>
      <span id="version" class="muted"></span>
      <span id="connection" class="pill off">connecting</span>
      <span class="spacer"></span>
      <form id="token-form" autocomplete="off">
        <input id="token" type="password" placeholder="admin token" aria-label="admin token">
        <button type="submit" id="token-save">use token</button>
      </form>
      <span id="mode" class="pill">read-only</span>
    </header>
    <div id="notice" role="status" aria-live="polite"></div>
    <main>
      <section id="leaderboard-section" class="wide">
        <h2>Provider leaderboard <span class="muted" id="best-head"></span> <span id="chain-actions"></span></h2>
        <table id="leaderboard"><thead><tr>
          <th>#</th><th>provider</th><th>availability</th><th>score</th><th>p50 ms</th><th>p95 ms</th>
          <th>success</th><th>calls</th><th>lag</th><th>actions</th>
        </tr></thead><tbody></tbody></table>
      </section>
      <section id="breakers-section">
        <h2>Circuit breakers</h2>
        <table id="breakers"><thead><tr>
          <th>provider</th><th>transport</th><th>phase</th><th>last transition</th><th>actions</th>
        </tr></thead><tbody></tbody></table>
      </section>
      <section id="load-section">
        <h2>Generate load</h2>
        <form id="load-form">
          <label>strategy <select id="load-strategy">
            <option>fastest</option><option>priority</option><option>round-robin</option><option>cheapest</option>
          </select></label>
          <label>requests <input id="load-count" type="number" min="1" max="10000" value="200"></label>
          <label>concurrency <input id="load-concurrency" type="number" min="1" max="64" value="8"></label>
          <label>methods <input id="load-methods" value="eth_blockNumber:3,eth_getBalance:1,eth_chainId:1" size="36"></label>
          <button type="submit" class="action">start</button>
        </form>
        <p class="muted" id="load-result"></p>
      </section>
      <section id="matrix-section" class="wide">
        <h2>Latency by provider and method <span class="muted">(mean ms, calls)</span></h2>
        <div class="scroll"><table id="matrix"><thead></thead><tbody></tbody></table></div>
      </section>
      <section id="chart-section" class="wide">
        <h2>Latency over time <span class="muted" id="chart-caption"></span>
          <select id="chart-range" aria-label="range">
            <option value="hour">last hour, live</option><option value="day">last 24 h, hourly history</option>
          </select></h2>
        <canvas id="chart" width="1100" height="180"></canvas>
      </section>
      <section id="subscriptions-section" class="wide">
        <h2>Subscriptions <span class="muted" id="subscriptions-more"></span></h2>
        <div class="scroll"><table id="subscriptions"><thead><tr>
          <th>key</th><th>provider</th><th>phase</th><th>clients</th><th>last block</th>
          <th>failovers</th><th>backfilled</th><th>skipped</th><th>last failover</th>
        </tr></thead><tbody></tbody></table></div>
      </section>
      <section id="feed-section" class="wide">
        <h2>Routing decisions and failovers <span class="muted" id="feed-skipped"></span></h2>
        <table id="feed"><thead><tr>
          <th>time</th><th>method</th><th>strategy</th><th>provider</th><th>transport</th><th>ms</th><th>retries</th><th>status</th>
        </tr></thead><tbody></tbody></table>
      </section>
      <section id="tree-section" class="wide">
        <h2>Supervision tree</h2>
        <div id="tree"></div>
      </section>
    </main>
    </body>
    </html>
    """#
}
