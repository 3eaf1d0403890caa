/**
 * The main job (`npm start`): validate the configuration, bundle the Lambda handlers, synthesize every stack
 * into cdktf.out/, print what each stack creates, then run the real offline Terraform plan of every stack whose
 * providers are in the offline mirror (all but `github`, scripts/offline-plan.ts).
 * Needs no AWS credentials. Exits non-zero on any failure, with the reason.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { buildApp } from "../main";
import { endpointCostOfStack, formatEndpointCost } from "../modules/network/endpoint-prices";
import type { CdktfManifest } from "./delivery/matrix";
import { checkToolchain, formatSummary, offlinePlan, providerSetup } from "./offline-plan";

const REPO_ROOT = path.resolve(__dirname, "..");

function synthSummary(outdir: string): string {
  const manifest: CdktfManifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8"));
  const lines: string[] = [];
  for (const [name, s] of Object.entries(manifest.stacks)) {
    const json = JSON.parse(fs.readFileSync(path.join(outdir, s.synthesizedStackPath), "utf8"));
    const resources = Object.entries<Record<string, unknown>>(json.resource ?? {});
    const total = resources.reduce((n, [, r]) => n + Object.keys(r).length, 0);
    const backend = Object.keys(json.terraform?.backend ?? {})[0] ?? "local";
    lines.push(`${name}: ${total} resources, ${backend} backend -> ${path.relative(REPO_ROOT, path.join(outdir, s.workingDirectory))}`);
    const cost = endpointCostOfStack(json);
    if (cost) lines.push(`  ${formatEndpointCost(cost)}`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  // Only printed ("Done in 3.2 s"): a duration, on the monotonic clock (lambda-src/core/clock.ts).
  const started = performance.now();
  const outdir = path.join(REPO_ROOT, "cdktf.out");
  console.log("== synth (configuration: config/*.json) ==");
  buildApp({ outdir }).synth();
  console.log(synthSummary(outdir));
  const providers = providerSetup();
  console.log(`\n== terraform init + plan (two stacks at a time), no AWS (AWS provider: ${providers.description}) ==`);
  try {
    checkToolchain();
  } catch (e) {
    // The synthesized stacks are the main output; the plan needs Terraform.
    console.log(`Skipped: ${(e as Error).message}.\nThe synthesized stacks are in cdktf.out/; \`npm test\` requires the plan and fails without it.`);
    return;
  }
  const index = await offlinePlan({ providers, log: (l) => console.log(`  ${l}`) });
  console.log(formatSummary(index));
  console.log(`\nPlans: ${index.stacks.map((s) => path.relative(REPO_ROOT, s.planText)).join(", ")}`);
  console.log(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}

main().catch((e: unknown) => {
  console.error(`\nFAILED: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
