/** The whole stylesheet: served at `/assets/dashboard.css`, no build step. */
export const DASHBOARD_CSS = `
:root {
  --bg: #f6f7f9; --panel: #ffffff; --text: #1c2330; --muted: #5b6577; --border: #dfe3ea; --accent: #3b5bdb;
  --accent-text: #ffffff; --row: #fafbfc; --code-bg: #f1f3f6;
  --ok: #1e7b3c; --ok-bg: #e3f5e8; --warn: #8a5a00; --warn-bg: #fff3d6; --bad: #b42318; --bad-bg: #fde7e5;
  --info: #1f5fa8; --info-bg: #e4effb; --idle: #4b5565; --idle-bg: #eceff3;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #12151b; --panel: #1a1f27; --text: #e5e9f0; --muted: #9aa4b5; --border: #2c3340; --accent: #7b93ff;
    --accent-text: #0e1117; --row: #1e242d; --code-bg: #232a35;
    --ok: #7bd88f; --ok-bg: #183323; --warn: #f2c46d; --warn-bg: #3a2e12; --bad: #ff8c82; --bad-bg: #3d1c1a;
    --info: #8cbcff; --info-bg: #17273d; --idle: #c0c7d3; --idle-bg: #2a303b;
  }
}
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0; background: var(--bg); color: var(--text); line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: var(--accent); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.86rem; }
.skip { position: absolute; left: -999px; top: 0; }
.skip:focus { left: 1rem; top: 0.5rem; background: var(--panel); padding: 0.4rem 0.8rem; z-index: 10; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }

.topbar { display: flex; align-items: center; gap: 1.5rem; padding: 0 1.5rem; height: 3.25rem; background: var(--panel);
  border-bottom: 1px solid var(--border); position: sticky; top: 0; z-index: 5; }
.brand { font-weight: 700; font-size: 1.1rem; color: var(--text); text-decoration: none; letter-spacing: 0.01em; }
.brand span { color: var(--accent); }
.topbar nav { display: flex; gap: 0.25rem; flex: 1; }
.topbar nav a { color: var(--muted); text-decoration: none; padding: 0.4rem 0.75rem; border-radius: 6px; font-weight: 500; }
.topbar nav a:hover { background: var(--bg); color: var(--text); }
.topbar nav a[aria-current="page"] { color: var(--text); background: var(--bg); box-shadow: inset 0 -2px 0 var(--accent); }
.who { color: var(--muted); font-size: 0.9rem; display: flex; align-items: center; gap: 0.75rem; }

main { max-width: 1200px; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.45rem; margin: 0 0 0.25rem; }
h2 { font-size: 1.1rem; margin: 1.75rem 0 0.75rem; }
.sub { color: var(--muted); margin: 0 0 1.25rem; }
.panel { background: var(--panel); border: 1px solid var(--border); border-radius: 10px; }
.panel > .pad { padding: 1rem 1.25rem; }

table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 0.55rem 0.8rem; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; background: var(--row); }
tbody tr:last-child td, tbody tr:last-child th { border-bottom: 0; }
tbody th { text-transform: none; letter-spacing: normal; font-size: inherit; color: var(--text); background: none; }
tbody tr:hover td { background: var(--row); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; }
.empty { padding: 2rem; text-align: center; color: var(--muted); }

.pill { display: inline-block; padding: 0.1rem 0.55rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600; white-space: nowrap; }
.pill.ok { color: var(--ok); background: var(--ok-bg); }
.pill.warn { color: var(--warn); background: var(--warn-bg); }
.pill.bad { color: var(--bad); background: var(--bad-bg); }
.pill.info { color: var(--info); background: var(--info-bg); }
.pill.idle { color: var(--idle); background: var(--idle-bg); }
.badge { display: inline-block; min-width: 1.3rem; padding: 0 0.35rem; margin-left: 0.25rem; border-radius: 999px; background: var(--bad);
  color: #fff; font-size: 0.75rem; text-align: center; font-weight: 700; }

.filters { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: flex-end; margin-bottom: 1rem; }
label { display: flex; flex-direction: column; gap: 0.25rem; font-size: 0.82rem; color: var(--muted); font-weight: 500; }
input, select, textarea { font: inherit; color: var(--text); background: var(--panel); border: 1px solid var(--border); border-radius: 6px;
  padding: 0 0.6rem; min-width: 10rem; height: 2.3rem; }
button, .button { font: inherit; font-weight: 600; border-radius: 6px; padding: 0 0.9rem; height: 2.3rem; line-height: 2.2rem; border: 1px solid var(--border);
  background: var(--panel); color: var(--text); cursor: pointer; text-decoration: none; display: inline-block; }
button:hover, .button:hover { border-color: var(--muted); }
button.primary { background: var(--accent); color: var(--accent-text); border-color: var(--accent); }
button.approve { background: var(--ok); color: #fff; border-color: var(--ok); }
button.deny { background: var(--panel); color: var(--bad); border-color: var(--bad); }
button.link { border: 0; background: none; color: var(--accent); padding: 0; font-weight: 500; height: auto; line-height: inherit; }
button:disabled { opacity: 0.6; cursor: default; }
.io-label { display: block; margin-top: 0.5rem; font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; }

.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(8.75rem, 1fr)); gap: 0.75rem; margin-bottom: 1.25rem; }
.card { background: var(--panel); border: 1px solid var(--border); border-radius: 10px; padding: 0.75rem 1rem; }
.card .k { color: var(--muted); font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.04em; font-weight: 600; }
.card .v { font-size: 1.15rem; font-weight: 650; margin-top: 0.15rem; overflow-wrap: anywhere; }

.notice { padding: 0.7rem 1rem; border-radius: 8px; margin-bottom: 1rem; border: 1px solid; }
.notice.ok { color: var(--ok); background: var(--ok-bg); border-color: var(--ok); }
.notice.bad { color: var(--bad); background: var(--bad-bg); border-color: var(--bad); }

.timeline { list-style: none; margin: 0; padding: 0; }
.step { background: var(--panel); border: 1px solid var(--border); border-radius: 10px; margin-bottom: 0.9rem; }
.step > header { display: flex; align-items: baseline; gap: 0.75rem; padding: 0.6rem 1rem; border-bottom: 1px solid var(--border); }
.step > header h3 { margin: 0; font-size: 0.98rem; }
.step > header .meta { color: var(--muted); font-size: 0.85rem; margin-left: auto; }
.entries { list-style: none; margin: 0; padding: 0.25rem 0; }
.entry { display: grid; grid-template-columns: 7.5rem 1fr auto; gap: 0.75rem; padding: 0.45rem 1rem; align-items: start; }
.entry + .entry { border-top: 1px dashed var(--border); }
.entry .kind { font-size: 0.78rem; font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em; padding-top: 0.1rem; }
.kind.model { color: var(--info); } .kind.tool { color: var(--ok); } .kind.decision { color: var(--warn); } .kind.error { color: var(--bad); } .kind.other { color: var(--muted); }
.entry .when { color: var(--muted); font-size: 0.8rem; white-space: nowrap; font-variant-numeric: tabular-nums; }
.entry p { margin: 0; }
details { margin-top: 0.3rem; }
summary { cursor: pointer; color: var(--muted); font-size: 0.85rem; }
pre { background: var(--code-bg); border-radius: 6px; padding: 0.6rem 0.75rem; margin: 0.35rem 0 0; overflow-x: auto; white-space: pre-wrap;
  overflow-wrap: anywhere; max-height: 22rem; }
.final { padding: 1rem 1.25rem; }
.final pre { max-height: none; }

.approval { padding: 1rem 1.25rem; }
.approval + .approval { border-top: 1px solid var(--border); }
.approval h3 { margin: 0; font-size: 1rem; }
.approval .why { margin: 0.35rem 0 0; }
.approval .head { display: flex; gap: 0.75rem; align-items: baseline; flex-wrap: wrap; }
.approval .actions { display: flex; gap: 0.75rem; align-items: flex-end; flex-wrap: wrap; margin-top: 0.75rem; }
.approval .actions form { display: flex; gap: 0.5rem; align-items: flex-end; }
.muted { color: var(--muted); }
.title-row { display: flex; justify-content: space-between; align-items: flex-start; gap: 1rem; flex-wrap: wrap; }
.title-row h1 .mono { font-size: 1.2rem; }
h2.flush { margin: 0; }
details.panel > summary { padding: 0.1rem 0; }
section.panel { margin-bottom: 1.25rem; }
.brand-title span { color: var(--accent); }
.login { max-width: 26rem; margin: 4rem auto; }
.login form { display: flex; flex-direction: column; gap: 0.9rem; }
.login input { width: 100%; }
.bar { height: 0.5rem; border-radius: 999px; background: var(--idle-bg); overflow: hidden; min-width: 5rem; }
.bar > span { display: block; height: 100%; background: var(--bad); }
.rate { display: flex; align-items: center; gap: 0.5rem; }
.rate .bar { flex: 1; }
.bar > span.w0 { width: 0%; }
.bar > span.w5 { width: 5%; }
.bar > span.w10 { width: 10%; }
.bar > span.w15 { width: 15%; }
.bar > span.w20 { width: 20%; }
.bar > span.w25 { width: 25%; }
.bar > span.w30 { width: 30%; }
.bar > span.w35 { width: 35%; }
.bar > span.w40 { width: 40%; }
.bar > span.w45 { width: 45%; }
.bar > span.w50 { width: 50%; }
.bar > span.w55 { width: 55%; }
.bar > span.w60 { width: 60%; }
.bar > span.w65 { width: 65%; }
.bar > span.w70 { width: 70%; }
.bar > span.w75 { width: 75%; }
.bar > span.w80 { width: 80%; }
.bar > span.w85 { width: 85%; }
.bar > span.w90 { width: 90%; }
.bar > span.w95 { width: 95%; }
.bar > span.w100 { width: 100%; }
`;
