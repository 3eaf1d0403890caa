/**
 * Security scan of the plan: checkov (`checkov -f plan.json --framework terraform_plan -o json`) results
 * -> a short Markdown section for the plan comment and the job summary.
 */
import { tableCell } from "./truncate";

export interface Finding {
  id: string;
  name: string;
  resource: string;
  severity?: string;
  guideline?: string;
}

export interface ScanReport {
  tool: string;
  version?: string;
  passed: number;
  failed: number;
  skipped: number;
  parsingErrors: number;
  findings: Finding[];
  /** Set when the scanner did not run or its output could not be read. */
  error?: string;
}

interface CheckovCheck {
  check_id?: string;
  bc_check_id?: string;
  check_name?: string;
  resource?: string;
  severity?: string | null;
  guideline?: string | null;
}

interface CheckovRun {
  check_type?: string;
  results?: { failed_checks?: CheckovCheck[]; passed_checks?: unknown[]; skipped_checks?: unknown[] };
  summary?: { passed?: number; failed?: number; skipped?: number; parsing_errors?: number; checkov_version?: string };
}

/**
 * Reads checkov's JSON report. Checkov prints one object per framework (an array when several ran) and,
 * when it found nothing to scan, only a bare summary object.
 */
export function parseCheckovReport(raw: unknown): ScanReport {
  const report: ScanReport = { tool: "checkov", passed: 0, failed: 0, skipped: 0, parsingErrors: 0, findings: [] };
  const runs: CheckovRun[] = Array.isArray(raw) ? (raw as CheckovRun[]) : [raw as CheckovRun];
  for (const run of runs) {
    if (!run || typeof run !== "object") throw new Error("checkov report: expected an object or an array of objects");
    // A bare summary ({"passed":0,"failed":0,...}) when there were no resources.
    const summary = run.summary ?? (run as CheckovRun["summary"]);
    report.passed += summary?.passed ?? 0;
    report.failed += summary?.failed ?? 0;
    report.skipped += summary?.skipped ?? 0;
    report.parsingErrors += summary?.parsing_errors ?? 0;
    report.version ??= summary?.checkov_version;
    for (const c of run.results?.failed_checks ?? []) {
      report.findings.push({
        id: c.check_id ?? c.bc_check_id ?? "?",
        name: c.check_name ?? "",
        resource: c.resource ?? "",
        ...(c.severity ? { severity: c.severity } : {}),
        ...(c.guideline ? { guideline: c.guideline } : {}),
      });
    }
  }
  return report;
}

/** Reads a checkov report file's text; never throws (a broken scan must not hide the plan). */
export function readCheckovText(text: string | undefined): ScanReport {
  const empty: ScanReport = { tool: "checkov", passed: 0, failed: 0, skipped: 0, parsingErrors: 0, findings: [] };
  if (text === undefined) return { ...empty, error: "the scan did not run (no report file)" };
  try {
    return parseCheckovReport(JSON.parse(text));
  } catch (e) {
    return { ...empty, error: `the scan report could not be read: ${(e as Error).message}` };
  }
}

const SEVERITY_RANK: Record<string, number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3, INFO: 4 };

export function renderFindings(r: ScanReport, maxRows = 50): string {
  const tool = `${r.tool}${r.version ? ` ${r.version}` : ""}`;
  if (r.error) return `**Security scan (${tool}):** ⚠️ ${r.error}.\n`;
  const counts = `${r.failed} failed, ${r.passed} passed, ${r.skipped} skipped${r.parsingErrors ? `, ${r.parsingErrors} parsing error(s)` : ""}`;
  if (r.findings.length === 0) return `**Security scan (${tool}):** ✅ no findings (${counts}).\n`;
  const sorted = [...r.findings].sort(
    (a, b) =>
      (SEVERITY_RANK[a.severity ?? ""] ?? 5) - (SEVERITY_RANK[b.severity ?? ""] ?? 5) || a.resource.localeCompare(b.resource) || a.id.localeCompare(b.id),
  );
  const lines = [
    `<details><summary><b>Security scan (${tool}):</b> ⚠️ ${r.findings.length} finding(s) (${counts})</summary>`,
    "",
    "| Check | Resource | Severity |",
    "| --- | --- | --- |",
  ];
  for (const f of sorted.slice(0, maxRows)) {
    const name = tableCell(`${f.id}: ${f.name}`);
    const check = f.guideline && /^https:\/\//.test(f.guideline) ? `[${name}](${f.guideline})` : name;
    lines.push(`| ${check} | \`${tableCell(f.resource)}\` | ${f.severity ?? "-"} |`);
  }
  if (sorted.length > maxRows) lines.push("", `_…and ${sorted.length - maxRows} more; see the job log._`);
  lines.push("", "</details>");
  return `${lines.join("\n")}\n`;
}
