/** `github-labels`: every label the workflows read or set exists before the first run (docs/doctor.md, "GitHub settings"). */
import type { Fact } from "../facts";
import { type CheckResult, findings, type GithubCheckContext, githubUnavailable } from "./shared";

export function checkGithubLabels(labels: Readonly<Record<string, Fact<boolean>>>, ctx: GithubCheckContext): CheckResult {
  const id = "github-labels";
  const missing: string[] = [];
  for (const { name } of ctx.expected.labels) {
    const f = labels[name];
    if (!f) continue;
    if (!f.ok) return githubUnavailable(id, f.error);
    if (!f.value) missing.push(name);
  }
  return findings(id, missing.length ? [`missing label(s): ${missing.join(", ")}`] : [], `labels ${ctx.expected.labels.map((l) => l.name).join(", ")} exist`);
}
