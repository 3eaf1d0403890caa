/** docs/doctor.md stays in step with the code: every check is described, every IAM action is in the policy. */
import * as fs from "node:fs";
import * as path from "node:path";
import { networkChecks, runChecks } from "../../scripts/doctor/checks";
import { config, ctx, EXISTING, healthyFacts, healthyNetwork } from "./fixtures";

const REPO = path.join(__dirname, "..", "..");
const doc = fs.readFileSync(path.join(REPO, "docs", "doctor.md"), "utf8");
const policyBlock = /```json\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf("## Permissions")))?.[1] ?? "";

describe("docs/doctor.md", () => {
  it("has a section for every check id", () => {
    for (const { id } of runChecks(healthyFacts(), ctx())) expect(doc).toContain(`### ${id.split("/")[0]}`);
  });

  it("has a section for every GitHub check id (--github), under GitHub settings", () => {
    const github = doc.slice(doc.indexOf("## GitHub settings"), doc.indexOf("## Permissions"));
    const files = fs.readdirSync(path.join(REPO, "scripts", "doctor", "checks")).filter((f) => f.startsWith("github-") && f !== "github-oidc-provider.ts");
    expect(files).toHaveLength(8);
    for (const f of files) expect(github).toContain(`### ${f.replace(/\.ts$/, "")}`);
  });

  it("names every network check (network.mode existing runs all of them) in a section heading", () => {
    const ids = networkChecks(healthyNetwork(true), ctx(config(EXISTING))).map((r) => r.id);
    expect(ids).toHaveLength(8);
    const headings = doc.split("\n").filter((l) => l.startsWith("### "));
    for (const id of ids) expect(headings.some((h) => h.includes(id))).toBe(true);
  });

  it("its read-only policy is valid JSON and allows every IAM action the SDK wiring names (sts:GetCallerIdentity needs none)", () => {
    const policy = JSON.parse(policyBlock) as { Statement: { Effect: string; Action: string[] }[] };
    const allowed = new Set(policy.Statement.flatMap((s) => (s.Effect === "Allow" ? s.Action : [])));
    const wiring = path.join(REPO, "scripts", "doctor", "aws");
    const source = fs
      .readdirSync(wiring)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => fs.readFileSync(path.join(wiring, f), "utf8"))
      .join("\n");
    const used = new Set([...source.matchAll(/"([a-z0-9-]+:[A-Z][A-Za-z]+)"/g)].map((m) => m[1]).filter((a) => a !== "sts:GetCallerIdentity"));
    expect(used.size).toBeGreaterThanOrEqual(13);
    expect([...used].filter((a) => !allowed.has(a))).toEqual([]);
    expect([...allowed].every((a) => /^[a-z0-9-]+:(Get|List|Describe)[A-Za-z]+$/.test(a))).toBe(true);
  });
});
