/// The dashboard's style sheet (`/dashboard/app.css`): a dark, dense operator view.
enum DashboardStyle {
    static let css = #"""
    :root { --bg:#0f1217; --panel:#171b22; --line:#2a303b; --text:#d7dde6; --muted:#8792a2;
            --green:#3fb950; --yellow:#d29922; --red:#f85149; --blue:#58a6ff; }
    * { box-sizing: border-box; }
    body { margin:0; background:var(--bg); color:var(--text); font:13px/1.4 system-ui, sans-serif; }
    header { display:flex; gap:12px; align-items:center; padding:8px 16px; background:var(--panel);
             border-bottom:1px solid var(--line); position:sticky; top:0; z-index:1; }
    h1 { font-size:16px; margin:0 8px 0 0; }
    h2 { font-size:13px; margin:0 0 8px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); }
    .spacer { flex:1; }
    main { display:grid; grid-template-columns:1fr 1fr; gap:12px; padding:12px 16px; }
    section { background:var(--panel); border:1px solid var(--line); border-radius:6px; padding:10px; min-width:0; }
    section.wide { grid-column:1 / -1; }
    table { border-collapse:collapse; width:100%; }
    th, td { text-align:left; padding:3px 8px; border-bottom:1px solid var(--line); white-space:nowrap; }
    th { color:var(--muted); font-weight:500; }
    td.num { text-align:right; font-variant-numeric:tabular-nums; }
    .scroll { overflow-x:auto; }
    .muted { color:var(--muted); font-weight:normal; text-transform:none; }
    .pill { padding:1px 8px; border-radius:10px; border:1px solid var(--line); }
    .off { color:var(--red); } .on { color:var(--green); }
    .ok, .closed, .up, .running, .live { color:var(--green); }
    .half_open, .lagging, .degraded, .restarting, .recovering, .backfilling { color:var(--yellow); }
    .placing { color:var(--muted); }
    tr.failover td { background:#2a2000; }
    .open, .forced_open, .down, .stopped, .error { color:var(--red); }
    select, input, button { background:var(--bg); color:var(--text); border:1px solid var(--line);
                            border-radius:4px; padding:2px 6px; font:inherit; }
    button.action { cursor:pointer; }
    #load-form { display:flex; flex-wrap:wrap; gap:8px; align-items:center; }
    #notice { padding:0 16px; min-height:0; }
    #notice.show { padding:6px 16px; background:#3b2300; }
    #tree ul { list-style:none; margin:0; padding-left:18px; border-left:1px dotted var(--line); }
    #tree > ul { padding-left:0; border-left:none; }
    #tree li { margin:1px 0; }
    #tree .node { display:inline-flex; gap:8px; align-items:center; padding:0 4px; border-radius:3px; }
    #tree .restarts { color:var(--muted); }
    #tree .node.flash { animation: flash 2s ease-out; }
    @keyframes flash { from { background:#6e4b00; } to { background:transparent; } }
    canvas { width:100%; height:180px; background:var(--bg); border-radius:4px; }
    """#
}
