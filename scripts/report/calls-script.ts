/**
 * The call browser's script (calls-html.ts inlines it; its CSP allows exactly this text by its SHA-256): the call
 * list with its filters and search, and one call's page, chosen by the URL's hash (`#/call/<tenant>/<call id>`).
 * Everything is built with DOM calls and textContent, never markup from the data.
 */
export const CALLS_SCRIPT = `
"use strict";
const M = JSON.parse(document.getElementById("calls-data").textContent);
const PAGE = 50;
const $ = (id) => document.getElementById(id);
function el(tag, props, children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined) continue;
    if (k === "text") e.textContent = String(v);
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children || []) if (c !== null && c !== undefined) e.append(c);
  return e;
}
const dash = (v) => (v === null || v === undefined || v === "" ? "—" : String(v));
const time = (iso) => iso.replace("T", " ").slice(0, 16);
const minutes = (s) => (s === null || s === undefined ? "—" : Math.floor(s / 60) + ":" + String(Math.round(s % 60)).padStart(2, "0"));
const score = (n) => (n === null || n === undefined ? "—" : (n > 0 ? "+" : "") + n.toFixed(2));
const speakerName = (s) => (s.role === "other" ? s.label : s.role + " (" + s.label + ")");
const callHash = (c) => "#/call/" + encodeURIComponent(c.tenant) + "/" + encodeURIComponent(c.callId);
const byKey = new Map(M.calls.map((c) => [c.tenant + "/" + c.callId, c]));
const haystack = M.calls.map((c) => [c.callId, c.summary || "", c.actionItems.join(" "), c.risks.join(" ")].join(" ").toLocaleLowerCase());

function options(select, values, label) {
  for (const v of values) select.append(el("option", { value: v, text: label ? label(v) : v }));
}
options($("f-tenant"), M.tenants);
options($("f-category"), M.categories);
const days = M.calls.map((c) => c.day).sort();
for (const id of ["f-from", "f-to"]) {
  if (days.length) { $(id).min = days[0]; $(id).max = days[days.length - 1]; }
}

let page = 0;
let matches = [];
function filter() {
  const f = {
    tenant: $("f-tenant").value, from: $("f-from").value, to: $("f-to").value, status: $("f-status").value,
    category: $("f-category").value, sentiment: $("f-sentiment").value, q: $("f-search").value.trim().toLocaleLowerCase(),
  };
  const words = f.q ? f.q.split(/\\s+/) : [];
  matches = [];
  M.calls.forEach((c, i) => {
    if (f.tenant && c.tenant !== f.tenant) return;
    if (f.from && c.day < f.from) return;
    if (f.to && c.day > f.to) return;
    if (f.status && c.status !== f.status) return;
    if (f.category && !c.categories.some((k) => k.name === f.category)) return;
    if (f.sentiment && (f.sentiment === "NONE" ? c.sentiment !== null : c.sentiment !== f.sentiment)) return;
    if (words.length && !words.every((w) => haystack[i].includes(w))) return;
    matches.push(c);
  });
  page = 0;
  renderList();
}

function badge(status) { return el("span", { class: "badge s-" + status.toLowerCase(), text: status }); }

function renderList() {
  const pages = Math.max(1, Math.ceil(matches.length / PAGE));
  page = Math.min(page, pages - 1);
  const body = $("call-rows");
  body.replaceChildren();
  for (const c of matches.slice(page * PAGE, page * PAGE + PAGE)) {
    body.append(el("tr", {}, [
      el("td", { class: "nowrap", text: time(c.timestamp) }),
      el("td", { text: c.tenant }),
      el("td", { class: "nowrap" }, [el("a", { href: callHash(c), text: c.callId })]),
      el("td", {}, [badge(c.status)]),
      el("td", { text: dash(c.sentiment) }),
      el("td", { text: c.categories.map((k) => k.name).join(", ") || "—" }),
      el("td", { lang: c.language, text: dash(c.summary) }),
    ]));
  }
  const first = matches.length ? page * PAGE + 1 : 0;
  $("match-count").textContent = matches.length + " of " + M.calls.length + " calls match" + (matches.length ? "; showing " + first + "–" + Math.min(matches.length, first + PAGE - 1) : "");
  $("page-of").textContent = "Page " + (page + 1) + " of " + pages;
  $("prev-page").disabled = page === 0;
  $("next-page").disabled = page >= pages - 1;
}

function section(title, children) { return el("section", { class: "card" }, [el("h3", { text: title }), ...children]); }
function list(items, empty) { return items.length ? el("ul", {}, items.map((i) => el("li", { text: i }))) : el("p", { class: "muted", text: empty }); }

const TRANSCRIPT_TEXT = {
  "not-permitted": (c) => M.transcriptsRequested
    ? "The transcript is not available to the reader of this report: reading tmp/" + c.tenant + "/ was refused. Transcripts are readable only by principals in access.transcriptReaders for the tenant."
    : "The transcript is not available to the reader of this report: it was made without --transcripts. Only principals in access.transcriptReaders may read transcripts (analysts and operators never do).",
  expired: (c) => "The transcript has expired: transcripts are kept " + M.transcriptsDays + " days (retention.transcriptsDays), this one until " + c.transcript.expiredOn + ".",
  missing: () => "No transcript was found for this call, though it has not expired.",
  none: (c) => c.status === "COMPLETED" ? "This call has no transcription job."
    : c.status === "FAILED" ? "This call has no transcript: it failed (see the error above)." : "This call has no transcript: it was rejected before transcription.",
};

function transcript(c) {
  const t = c.transcript;
  if (t.state !== "shown") return [el("p", { id: "transcript-status", class: "notice", text: TRANSCRIPT_TEXT[t.state](c) })];
  return [el("ol", { class: "turns", lang: c.language }, t.turns.map((u) => el("li", {}, [el("span", { class: "who", text: u.speaker || "—" }), el("span", { text: u.text })])))];
}

function speakers(c) {
  if (!c.speakers.length) return [el("p", { class: "muted", text: "No speakers (the call was not transcribed)." })];
  const total = c.speakers.reduce((a, s) => a + s.talkTimeSeconds, 0);
  const head = el("tr", {}, ["Speaker", "Talk time (m:ss)", "Share", "Words", "Sentiment", "Score"].map((h, i) => el("th", { scope: "col", class: [1, 2, 3, 5].includes(i) ? "num" : null, text: h })));
  const rows = c.speakers.map((s) => {
    const share = total ? Math.round((s.talkTimeSeconds / total) * 100) : 0;
    const bar = el("span", { class: "bar", "aria-hidden": "true" });
    bar.style.width = share + "px";
    return el("tr", {}, [
      el("th", { scope: "row", text: speakerName(s) }), el("td", { class: "num", text: minutes(s.talkTimeSeconds) }),
      el("td", { class: "num" }, [bar, share + " %"]), el("td", { class: "num", text: s.wordCount }),
      el("td", { text: dash(s.sentiment) }), el("td", { class: "num", text: score(s.score) }),
    ]);
  });
  return [el("table", { id: "speaker-table" }, [el("caption", { text: "Sentiment and talk time per speaker" }), el("thead", {}, [head]), el("tbody", {}, rows)])];
}

function renderCall(c) {
  const view = $("call-view");
  const facts = [
    ["Tenant", c.tenant], ["Time (UTC)", time(c.timestamp)], ["Status", c.status], ["Language", dash(c.language)],
    ["Duration (m:ss)", minutes(c.durationSeconds)], ["Overall sentiment", c.sentiment ? c.sentiment + " (" + (c.score === null ? "" : score(c.score) + ", ") + "from " + c.sentimentSource + ")" : "—"],
  ];
  const parts = [
    el("p", {}, [el("a", { href: "#/", text: "← All calls" })]),
    el("h2", { id: "call-title", tabindex: "-1", text: "Call " + c.callId }),
    el("dl", { class: "facts" }, facts.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })])),
  ];
  if (c.error) {
    parts.push(section(c.error.kind === "call" ? "Error" : "Summary error", [
      el("p", { id: "call-error", class: "error" }, [el("strong", { text: c.error.code }), ": " + c.error.message]),
    ]));
  }
  parts.push(
    section("Summary", [c.summary ? el("p", { id: "call-summary", lang: c.language, text: c.summary }) : el("p", { class: "muted", text: "No summary." })]),
    el("div", { class: "pair" }, [section("Action items", [list(c.actionItems, "None.")]), section("Risks", [list(c.risks, "None.")])]),
    section("Categories", [c.categories.length
      ? el("ul", { id: "call-categories" }, c.categories.map((k) => el("li", {}, [el("strong", { text: k.name }), " — matched by " + (k.matched_by.join("; ") || "—")])))
      : el("p", { class: "muted", text: "No category matched." })]),
    section("Sentiment and talk time", speakers(c)),
    section("Transcript", transcript(c)),
  );
  view.replaceChildren(...parts);
}

function route() {
  const m = /^#\\/call\\/([^/]+)\\/(.+)$/.exec(location.hash);
  const c = m ? byKey.get(decodeURIComponent(m[1]) + "/" + decodeURIComponent(m[2])) : undefined;
  $("list-view").hidden = !!m;
  $("call-view").hidden = !m;
  if (m && c) {
    renderCall(c);
    document.title = "Call " + c.callId + " · CCI Lite calls";
    $("call-title").focus();
  } else if (m) {
    $("call-view").replaceChildren(el("p", {}, [el("a", { href: "#/", text: "← All calls" })]), el("h2", { text: "No such call in this report" }));
  } else {
    document.title = "CCI Lite calls";
  }
}

$("filters").addEventListener("input", filter);
$("filters").addEventListener("submit", (e) => e.preventDefault());
$("filters").addEventListener("reset", () => setTimeout(filter, 0));
$("prev-page").addEventListener("click", () => { page--; renderList(); });
$("next-page").addEventListener("click", () => { page++; renderList(); });
window.addEventListener("hashchange", route);
$("source").textContent = M.source + " · " + M.calls.length + " calls" + (M.files ? " (" + M.files + " rejected files not listed)" : "") + " · generated " + M.generatedAt;
filter();
route();
document.body.dataset.rendered = "true";
`;
