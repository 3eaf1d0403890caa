/**
 * The call browser: one self-contained HTML file next to the aggregate page, a single page with hash routing
 * (`#/call/<tenant>/<call id>`) over the calls' data embedded as JSON. One file rather than a file per call: 10,000
 * calls are one file of about 7.5 MB (without transcripts; time and size measured by bench/report-site.ts,
 * docs/benchmarks.md), instead of 10,000 files to copy around, and filters survive opening a call and coming back.
 *
 * The Content-Security-Policy is the aggregate page's (html.ts), with the script allowed by its SHA-256 instead of
 * `'unsafe-inline'`: nothing may be fetched, and no script but this one may run, should a summary or a transcript
 * ever get markup past the escaping.
 */
import { createHash } from "node:crypto";
import type { CallsModel } from "./calls-model";
import { CALLS_SCRIPT } from "./calls-script";
import { hrefOf, inlineJson, pageHead } from "./page";

/** `'sha256-…'` of a script's text, as CSP compares it. */
export function scriptHash(js: string): string {
  return `'sha256-${createHash("sha256").update(js, "utf8").digest("base64")}'`;
}

/** The browser's CSP: no fetch of any kind, this script only, inline styles, data: images. */
export const CALLS_CSP = `default-src 'none'; script-src ${scriptHash(CALLS_SCRIPT)}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1d2430}
header{background:#232f3e;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;font-size:13px}
header a{color:#fff}
main{padding:16px 24px;max-width:1400px}
form{display:grid;grid-template-columns:repeat(7,minmax(0,1fr));gap:8px 12px;align-items:end;background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
label{display:flex;flex-direction:column;font-size:13px;font-weight:600;gap:4px}
input,select,button{font:inherit;font-size:14px;padding:4px 6px;border:1px solid #6b7280;border-radius:4px;background:#fff;color:#1d2430}
form .search{grid-column:span 5}
button{cursor:pointer}button:disabled{color:#4b5563;background:#e5e7eb;cursor:default}
a{color:#0b57d0}
.status-line{margin:12px 0 8px;font-size:14px}
table{border-collapse:collapse;width:100%;font-size:13px;background:#fff}
caption{text-align:left;font-weight:600;padding:6px 0}
th,td{text-align:left;padding:5px 6px;border-bottom:1px solid #e4e7ec;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.nowrap{white-space:nowrap}
.badge{display:inline-block;padding:1px 6px;border-radius:10px;font-size:12px;font-weight:600;border:1px solid}
.s-completed{background:#e6f4ea;color:#1e4620;border-color:#1e4620}.s-failed{background:#fde7e9;color:#8a1c1c;border-color:#8a1c1c}
.s-rejected{background:#fff4e5;color:#7a3e00;border-color:#7a3e00}
nav.pages{display:flex;gap:12px;align-items:center;margin:10px 0}
.card{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08);margin:0 0 12px}
.card h3{margin:0 0 8px;font-size:15px}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:12px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;background:#fff;border-radius:8px;padding:12px 16px;margin:0 0 12px}
dt{font-weight:600}dd{margin:0}
.muted{color:#4b5563}.notice{background:#eef2ff;border-left:4px solid #3730a3;padding:8px 12px;margin:0}
.error{color:#8a1c1c}
.bar{display:inline-block;height:10px;background:#1565c0;margin-right:6px;vertical-align:middle}
ol.turns{list-style:none;padding:0;margin:0}ol.turns li{display:grid;grid-template-columns:160px 1fr;gap:12px;padding:4px 0;border-bottom:1px solid #eef0f3}
.who{font-weight:600;color:#374151}
`;

const STATUS_OPTIONS = ["COMPLETED", "FAILED", "REJECTED"].map((s) => `<option value="${s}">${s}</option>`).join("");
const SENTIMENT_OPTIONS = ["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"].map((s) => `<option value="${s}">${s}</option>`).join("");

/** The call browser page; `aggregate` is the aggregate page's file name, linked from the header. */
export function renderCallsHtml(model: CallsModel, aggregate: string): string {
  const data = inlineJson(model);
  const href = hrefOf(aggregate);
  return `${pageHead("CCI Lite calls", CALLS_CSP, STYLE)}
<header><h1>CCI Lite calls</h1><p><span id="source"></span> · <a href="${href}">Aggregate report</a></p></header>
<main>
<div id="list-view">
<h2>Calls</h2>
<form id="filters" role="search" aria-label="Filter the calls">
<label>Tenant<select id="f-tenant"><option value="">All tenants</option></select></label>
<label>From<input type="date" id="f-from"></label>
<label>To<input type="date" id="f-to"></label>
<label>Status<select id="f-status"><option value="">Any status</option>${STATUS_OPTIONS}</select></label>
<label>Category<select id="f-category"><option value="">Any category</option></select></label>
<label>Sentiment<select id="f-sentiment"><option value="">Any sentiment</option>${SENTIMENT_OPTIONS}<option value="NONE">No sentiment</option></select></label>
<button type="reset">Clear filters</button>
<label class="search">Search summaries, action items and risks<input type="search" id="f-search" placeholder="for example: refund"></label>
</form>
<p class="status-line" id="match-count" role="status" aria-live="polite"></p>
<table>
<caption>Calls, newest first</caption>
<thead><tr><th scope="col">Time (UTC)</th><th scope="col">Tenant</th><th scope="col">Call</th><th scope="col">Status</th><th scope="col">Sentiment</th><th scope="col">Categories</th><th scope="col">Summary</th></tr></thead>
<tbody id="call-rows"></tbody>
</table>
<nav class="pages" aria-label="Pages of calls"><button type="button" id="prev-page">Previous page</button><span id="page-of"></span><button type="button" id="next-page">Next page</button></nav>
</div>
<div id="call-view" hidden></div>
</main>
<script type="application/json" id="calls-data">${data}</script>
<script>${CALLS_SCRIPT}</script>
</body>
</html>
`;
}
