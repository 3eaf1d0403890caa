/**
 * One self-contained HTML file: Chart.js (pinned in package.json) inlined from node_modules, the figures as JSON,
 * and a small script that draws them. A Content-Security-Policy forbids every fetch, so the file reads the same
 * offline as online and cannot leak what it shows.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ReportModel } from "./model";
import { hrefOf, inlineJson, pageHead } from "./page";

/** Chart.js's UMD build, read from node_modules (never from a CDN). */
export function chartJsSource(): string {
  // The package exports only its module builds; the UMD file sits beside the CommonJS one.
  return fs.readFileSync(path.join(path.dirname(require.resolve("chart.js")), "chart.umd.min.js"), "utf8");
}

/** Script text safe inside `<script>`: no `</script` and no `<!--` can end or confuse the element. */
function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1d2430}
header{background:#232f3e;color:#fff;padding:16px 24px}header a{color:#fff;margin-left:8px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;font-size:13px;opacity:.8}
main{padding:16px 24px;display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:16px;max-width:1400px}
.tiles{grid-column:1/-1;display:grid;grid-template-columns:repeat(6,1fr);gap:12px}
.tile{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.tile .n{font-size:26px;font-weight:600}.tile .l{font-size:12px;color:#5b6473;text-transform:uppercase;letter-spacing:.04em}
section{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
section.wide{grid-column:1/-1}section h2{font-size:15px;margin:0 0 8px}section small{color:#5b6473}
.chart{position:relative;height:260px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #e4e7ec;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
`;

const SCRIPT = `
"use strict";
const M = JSON.parse(document.getElementById("report-data").textContent);
const palette = ["#2e7d32", "#c62828", "#ef6c00", "#1565c0", "#6a1b9a", "#00838f", "#ad1457", "#9e9d24"];
const statusColor = { COMPLETED: "#2e7d32", FAILED: "#c62828", REJECTED: "#ef6c00", SUMMARY: "#6a1b9a", FILE: "#9e9d24" };
Chart.defaults.animation = false;
Chart.defaults.responsive = true;
Chart.defaults.maintainAspectRatio = false;
function text(id, value) { document.getElementById(id).textContent = value; }
function chart(id, config) { return new Chart(document.getElementById(id), config); }
function rows(id, data, cells) {
  const body = document.getElementById(id);
  for (const d of data) {
    const tr = document.createElement("tr");
    for (const [value, cls] of cells(d)) {
      const td = document.createElement("td");
      td.textContent = value === null || value === undefined ? "—" : String(value);
      if (cls) td.className = cls;
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
}
text("total-calls", M.totals.calls);
text("total-completed", M.totals.completed);
text("total-failed", M.totals.failed);
text("total-rejected", M.totals.rejected);
text("total-files", M.totals.files);
text("mean-score", M.totals.meanScore === null ? "—" : M.totals.meanScore.toFixed(3));
text("source", M.source + " · " + M.tenants.join(", ") + " · " + (M.days[0] || "") + " to " + (M.days[M.days.length - 1] || "") + " · generated " + M.generatedAt);
chart("calls-by-day", { type: "bar", data: { labels: M.days, datasets: Object.keys(M.callsByDay).map((s) => ({ label: s, data: M.callsByDay[s], backgroundColor: statusColor[s] })) },
  options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } } });
chart("sentiment-trend", { type: "line", data: { labels: M.days, datasets: Object.keys(M.sentimentByTenant).map((t, i) => ({ label: t, data: M.sentimentByTenant[t], borderColor: palette[(i + 3) % palette.length], backgroundColor: palette[(i + 3) % palette.length], spanGaps: true })) },
  options: { scales: { y: { min: -1, max: 1, title: { display: true, text: "Positive - Negative" } } } } });
chart("top-terms", { type: "bar", data: { labels: M.topTerms.map((t) => t.term), datasets: [{ label: "occurrences", data: M.topTerms.map((t) => t.occurrences), backgroundColor: "#1565c0" }] },
  options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false, font: { size: 11 } } } } } });
chart("failures-by-code", { type: "bar", data: { labels: M.failures.map((f) => f.code), datasets: [{ label: "calls", data: M.failures.map((f) => f.calls), backgroundColor: M.failures.map((f) => statusColor[f.status] || "#5b6473") }] },
  options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });
chart("talk-time", { type: "doughnut", data: { labels: Object.keys(M.talkTime), datasets: [{ data: Object.values(M.talkTime).map((s) => Math.round(s / 60)), backgroundColor: palette }] } });
rows("failures-rows", M.failures, (f) => [[f.status], [f.code], [f.calls, "num"]]);
rows("action-items-rows", M.topActionItems, (a) => [[a.item], [a.occurrences, "num"]]);
rows("risks-rows", M.topRisks, (a) => [[a.item], [a.occurrences, "num"]]);
rows("latest-rows", M.latestCalls, (c) => [[c.timestamp.replace("T", " ").slice(0, 16)], [c.tenant], [c.callId], [c.status], [c.sentiment], [c.summary]]);
document.body.dataset.rendered = "true";
`;

/** The report page; `callsPage` is the call browser's file name (calls-html.ts), linked from the header. */
export function renderHtml(model: ReportModel, chartJs: string = chartJsSource(), callsPage?: string): string {
  const data = inlineJson(model);
  const calls = callsPage ? ` <a href="${hrefOf(callsPage)}">Browse the calls</a>` : "";
  return `${pageHead("CCI Lite report", CSP, STYLE)}
<header><h1>CCI Lite call insights</h1><p><span id="source"></span>${calls}</p></header>
<main>
<div class="tiles">
<div class="tile"><div class="n" id="total-calls"></div><div class="l">Calls</div></div>
<div class="tile"><div class="n" id="total-completed"></div><div class="l">Completed</div></div>
<div class="tile"><div class="n" id="total-failed"></div><div class="l">Failed</div></div>
<div class="tile"><div class="n" id="total-rejected"></div><div class="l">Rejected</div></div>
<div class="tile"><div class="n" id="total-files"></div><div class="l">Rejected files (not calls)</div></div>
<div class="tile"><div class="n" id="mean-score"></div><div class="l">Mean sentiment score</div></div>
</div>
<section><h2>Calls per day by status <small>insights_calls_daily</small></h2><div class="chart"><canvas id="calls-by-day"></canvas></div></section>
<section><h2>Sentiment trend per tenant <small>insights_sentiment_daily</small></h2><div class="chart"><canvas id="sentiment-trend"></canvas></div></section>
<section><h2>Top summary terms <small>insights_summary_terms</small></h2><div class="chart"><canvas id="top-terms"></canvas></div></section>
<section><h2>Failures by code <small>insights_failures</small></h2><div class="chart"><canvas id="failures-by-code"></canvas></div>
<table><thead><tr><th>Status</th><th>Code</th><th>Calls</th></tr></thead><tbody id="failures-rows"></tbody></table></section>
<section><h2>Most frequent action items <small>insights_items</small></h2><table><thead><tr><th>Action item</th><th>Count</th></tr></thead><tbody id="action-items-rows"></tbody></table></section>
<section><h2>Most frequent risks <small>insights_items</small></h2><table><thead><tr><th>Risk</th><th>Count</th></tr></thead><tbody id="risks-rows"></tbody></table></section>
<section><h2>Talk time, minutes <small>insights_talk_time (channel-identified calls)</small></h2><div class="chart"><canvas id="talk-time"></canvas></div></section>
<section class="wide"><h2>Latest calls</h2><table><thead><tr><th>Time (UTC)</th><th>Tenant</th><th>Call</th><th>Status</th><th>Sentiment</th><th>Summary</th></tr></thead><tbody id="latest-rows"></tbody></table></section>
</main>
<script type="application/json" id="report-data">${data}</script>
<script>${scriptSafe(chartJs)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
