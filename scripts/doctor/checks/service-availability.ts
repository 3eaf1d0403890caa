/**
 * `service-availability`: Amazon Transcribe and Amazon Comprehend answer in the region (docs/doctor.md, "The checks").
 */
import type { AccountFacts } from "../facts";
import { type CheckContext, type CheckResult, unavailableResult } from "./shared";

export function checkServiceAvailability(s: AccountFacts["services"], ctx: CheckContext): CheckResult {
  const id = "service-availability";
  const region = ctx.cfg.region;
  const problems: string[] = [];
  const fixes = new Set<string>();
  for (const [name, f] of [
    ["Amazon Transcribe", s.transcribe],
    ["Amazon Comprehend", s.comprehend],
  ] as const) {
    if (f.ok) continue;
    if (f.error.kind === "unavailable") {
      problems.push(`${name} is not available in ${region}; choose another region (${f.error.message})`);
      fixes.add(`set region in ${ctx.configFile} to a region with Amazon Transcribe and Amazon Comprehend`);
    } else {
      const r = unavailableResult(id, f.error);
      problems.push(`${name}: ${r.message}`);
      if (r.fix) fixes.add(r.fix);
    }
  }
  if (problems.length > 0) return { id, status: "problem", message: problems.join("; "), fix: [...fixes].join("; ") };
  return { id, status: "ok", message: `Amazon Transcribe and Amazon Comprehend answer in ${region}` };
}
