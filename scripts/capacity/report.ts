/** Text tables of capacity runs (Markdown, so docs/pipeline.md can quote them as printed). */
import type { SustainedResult } from "./capacity";
import { DEFAULT_QUOTAS, type DeployedSettings, QUOTA_SOURCES, type Quotas } from "./model";
import { RAISE, type SimulationResult } from "./simulate";

const dur = (s: number): string => {
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
};
const n = (x: number): string => Math.round(x).toLocaleString("en-US");

export function scenarioTable(columns: ReadonlyArray<{ readonly title: string; readonly result: SimulationResult }>): string {
  const rows: Array<[string, (r: SimulationResult) => string]> = [
    ["uploads", (r) => n(r.uploads)],
    ["calls completed with a summary", (r) => n(r.completed)],
    ["completed WITHOUT a summary (MODEL_UNAVAILABLE)", (r) => n(r.completedWithoutSummary)],
    ["PROCESSING_ERROR (given up, no sentiment)", (r) => n(r.processingErrors)],
    ["in DLQ", (r) => n(r.inDlq)],
    [
      "lost",
      (r) =>
        r.lost === 0
          ? "0"
          : `${n(r.lost)}: ${Object.entries(r.lostReasons)
              .map(([k, v]) => `${n(v)} ${k}`)
              .join("; ")}`,
    ],
    ["upload-to-result p50", (r) => dur(r.latencySeconds.p50)],
    ["upload-to-result p95", (r) => dur(r.latencySeconds.p95)],
    ["upload-to-result max", (r) => dur(r.latencySeconds.max)],
    ["last result after first upload", (r) => dur(r.drainSeconds)],
    ["peak intake queue (visible + in flight)", (r) => n(r.peaks.intakeQueue)],
    ["peak Transcribe jobs running / queued", (r) => `${n(r.peaks.transcribeRunning)} / ${n(r.peaks.transcribeQueued)}`],
    ["peak analyze invocations waiting", (r) => n(r.peaks.analyzeWaiting)],
    ["SQS redeliveries (start retries)", (r) => n(r.counts.sqsRetries)],
    ["Transcribe throttled / LimitExceeded", (r) => `${n(r.counts.transcribeThrottled)} / ${n(r.counts.transcribeLimitExceeded)}`],
    ["Comprehend / Bedrock throttled", (r) => `${n(r.counts.comprehendThrottled)} / ${n(r.counts.bedrockThrottled)}`],
    ["Transcribe Get throttled / Bedrock max_tokens retries", (r) => `${n(r.counts.transcribeGetThrottled)} / ${n(r.counts.bedrockCutRetries)}`],
    [
      "events lost / hand-outs / absorbed by the claim / given up",
      (r) => `${n(r.counts.eventsLost)} / ${n(r.counts.reconciled)} / ${n(r.counts.duplicatesAbsorbed)} / ${n(r.counts.gaveUp)}`,
    ],
    ["reconcile runs failed (List throttled) / listings cut", (r) => `${n(r.counts.reconcileRunsFailed)} / ${n(r.counts.listingsCut)}`],
    ["bottleneck (highest use of its quota)", (r) => (r.bottleneck ? `${r.bottleneck} (${Math.round(100 * r.utilisation[r.bottleneck])} %)` : "none")],
    ["raise", (r) => (r.bottleneck ? RAISE[r.bottleneck] : "-")],
  ];
  const lines = [`| | ${columns.map((c) => c.title).join(" | ")} |`, `|---|${columns.map(() => "---:").join("|")}|`];
  for (const [label, f] of rows) lines.push(`| ${label} | ${columns.map((c) => f(c.result)).join(" | ")} |`);
  return lines.join("\n");
}

export function sustainedText(s: SustainedResult, hours: number): string {
  const analytic = Object.entries(s.analytic)
    .filter(([, v]) => Number.isFinite(v))
    .sort((a, b) => a[1] - b[1])
    .map(([k, v]) => `${k} ${n(v)}`)
    .join(", ");
  return [
    `Highest sustained rate: **${n(s.callsPerHour)} calls/hour** (${n(s.callsPerHour * 24)} calls/day spread evenly; ${hours} h of steady uploads, 0 lost, 0 PROCESSING_ERROR, 0 without a summary, 0 in the DLQ, backlog not growing; p95 ${dur(s.at.latencySeconds.p95)}).`,
    `At ${n(s.above.callsPerHour)} calls/hour: ${s.above.why}; bottleneck ${s.above.result.bottleneck ?? s.limitingStage}.`,
    `Limit: ${s.limitingStage}. Raise: ${RAISE[s.limitingStage]}.`,
    `Per-stage average capacity, calls/hour: ${analytic}. (${s.runs} simulation runs.)`,
  ].join("\n");
}

export function settingsText(s: DeployedSettings, q: Quotas): string {
  const changed = (Object.keys(q) as Array<keyof Quotas>).filter((k) => q[k] !== DEFAULT_QUOTAS[k]);
  return [
    `Deployed settings: start batch ${s.batchSize} (window ${s.batchingWindowSeconds} s), max concurrency ${s.startMaxConcurrency}, timeout ${s.startTimeoutSeconds} s; ` +
      `intake visibility ${s.visibilityTimeoutSeconds} s, maxReceiveCount ${s.maxReceiveCount}, retention ${dur(s.intakeRetentionSeconds)}; ` +
      `analyze concurrency ${s.analyzeConcurrency}, timeout ${s.analyzeTimeoutSeconds} s; reconcile every ${s.reconcilePeriodSeconds / 60} min; audio ${s.inputDays} day(s).`,
    `Quotas: ${changed.length === 0 ? "AWS defaults" : `defaults except ${changed.map((k) => `${QUOTA_SOURCES[k].flag} ${q[k]}`).join(", ")}`}.`,
  ].join("\n");
}

export function quotaTable(q: Quotas): string {
  const lines = ["| quota | value | flag | source |", "|---|---:|---|---|"];
  for (const k of Object.keys(q) as Array<keyof Quotas>)
    lines.push(`| ${k} | ${q[k].toLocaleString("en-US")} | \`${QUOTA_SOURCES[k].flag}\` | ${QUOTA_SOURCES[k].source} |`);
  return lines.join("\n");
}
