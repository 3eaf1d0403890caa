/**
 * The IAM simulations derived from the table of AWS calls (lambda-src/contracts/aws-calls.ts), over the
 * synthesized role policies of both environments (config/prod.json and config/dev.json):
 *  - every call a handler makes is allowed to its role, on an example of the resource it acts on;
 *  - an action none of a handler's calls needs is denied to its role;
 *  - no role of one environment may make its calls on the other environment's resources;
 *  - a call turned on by a setting (`when`) is denied while the setting is off, allowed when it is on.
 * A new row in the table is simulated here without a new test line.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AWS_CALLS, type AwsCall, type AwsResource } from "../../lambda-src/contracts/aws-calls";
import { HANDLER_NAMES, type HandlerName } from "../../lambda-src/contracts/handlers";
import { parseConfig } from "../../modules/config/load";
import { bedrockResourceArns, naming } from "../../modules/config/naming";
import type { CciLiteConfig, CciLiteConfigInput } from "../../modules/config/schema";
import { config, synthApp } from "../helpers/synth";
import { ACCOUNT, type Decision, type Policy, simulate } from "./iam";

const DEV_INPUT: CciLiteConfigInput = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "config", "dev.json"), "utf8"));

interface Env {
  readonly name: string;
  readonly cfg: CciLiteConfig;
  readonly roles: Record<HandlerName, Policy>;
}

function env(name: string, overrides: Partial<CciLiteConfigInput>): Env {
  const cfg = name === "dev" ? parseConfig({ ...DEV_INPUT, ...overrides }, "dev.json") : config(overrides);
  const app = synthApp(name === "dev" ? ({ ...DEV_INPUT, ...overrides } as never) : overrides);
  const roles = {} as Record<HandlerName, Policy>;
  for (const h of HANDLER_NAMES) roles[h] = JSON.parse(app.resource("aws_iam_role_policy", `functions_${h}_role_policy`).policy);
  return { name, cfg, roles };
}

/** A concrete example of each kind of resource in an environment, with the context its calls carry. */
function example(kind: AwsResource, action: string, e: Env): { resource: string; context?: Record<string, string> } {
  const n = naming(e.cfg);
  const region = e.cfg.region;
  const bucketLevel = action === "s3:ListBucket";
  switch (kind) {
    case "uploads":
      return { resource: bucketLevel ? n.inputBucketArn : `${n.inputBucketArn}/demo-tenant/calls/c1.wav` };
    case "callRecords":
    case "records":
      return { resource: bucketLevel ? n.resultsBucketArn : `${n.resultsBucketArn}/demo-tenant/2026/11/30/c1.json` };
    case "resultObjects":
      return { resource: bucketLevel ? n.resultsBucketArn : `${n.resultsBucketArn}/tmp/demo-tenant/cci-lite-job.json` };
    case "tenantSettings":
      return { resource: `arn:aws:ssm:${region}:${ACCOUNT}:parameter${n.configPath}/demo-tenant` };
    case "newJobs":
      return action === "iam:PassRole"
        ? { resource: n.transcribeRoleArn, context: { "iam:PassedToService": "transcribe.amazonaws.com" } }
        : action === "transcribe:StartTranscriptionJob"
          ? { resource: "*", context: { "transcribe:OutputBucketName": n.resultsBucket } }
          : { resource: "*" };
    case "ownJobs":
      return { resource: `arn:aws:transcribe:${region}:${ACCOUNT}:transcription-job/${n.jobNamePrefix}c1` };
    case "any":
      return { resource: "*" };
    case "summaryModel":
      return { resource: bedrockResourceArns(e.cfg)[0] };
    case "analyzeFunction":
      return { resource: `arn:aws:lambda:${region}:${ACCOUNT}:function:${n.stem}-analyze` };
  }
}

function decide(e: Env, h: HandlerName, action: string, at: { resource: string; context?: Record<string, string> }): Promise<Decision> {
  return simulate({
    principal: `arn:aws:iam::${ACCOUNT}:role/${naming(e.cfg).stem}-${h}-fn`,
    action,
    resource: at.resource,
    identity: [e.roles[h]],
    context: at.context,
  });
}

const rows = (h: HandlerName, on: boolean): AwsCall[] => AWS_CALLS[h].filter((c) => !c.when || on);
const actionsOf = (calls: readonly AwsCall[]): Set<string> => new Set(calls.flatMap((c) => c.actions));

// dev in prod's account (the shared-account configuration): the roles must keep to their own environment even there.
const ENVS = { prod: env("prod", {}), dev: env("dev", { accountId: ACCOUNT }) };

describe.each(Object.values(ENVS).map((e) => [e.name, e] as const))("%s", (_name, e) => {
  const other = e.name === "prod" ? ENVS.dev : ENVS.prod;

  describe.each(HANDLER_NAMES)("%s role", (h) => {
    it.each(rows(h, false).flatMap((c) => c.actions.map((a) => [c.command, a, c] as const)))("is allowed %s as %s", async (_cmd, action, c) => {
      expect(await decide(e, h, action, example(c.resource, action, e))).toBe("Allowed");
    });

    it("is denied every action none of its calls needs (taken from the other handlers' calls)", async () => {
      const own = actionsOf(rows(h, true));
      const foreign = HANDLER_NAMES.filter((o) => o !== h).flatMap((o) =>
        rows(o, true).flatMap((c) => c.actions.filter((a) => !own.has(a)).map((a) => [a, c] as const)),
      );
      expect(foreign.length).toBeGreaterThan(0);
      for (const [action, c] of foreign)
        expect([action, await decide(e, h, action, example(c.resource, action, e))]).toEqual([action, expect.stringMatching(/Denied$/)]);
    });

    it(`may not make its calls on ${other.name}'s resources (those that belong to an environment)`, async () => {
      let checked = 0;
      for (const c of rows(h, true)) {
        for (const action of c.actions) {
          const there = example(c.resource, action, other);
          // The same resource in both environments belongs to neither: "*" (no resource-level permission, e.g.
          // TagResource on a new job) or the one summary model both use.
          if (JSON.stringify(there) === JSON.stringify(example(c.resource, action, e))) continue;
          checked++;
          expect([c.command, action, there.resource, await decide(e, h, action, there)]).toEqual([
            c.command,
            action,
            there.resource,
            expect.stringMatching(/Denied$/),
          ]);
        }
      }
      expect(checked).toBeGreaterThan(0);
    });
  });
});

describe("calls turned on by a setting", () => {
  const gated = HANDLER_NAMES.flatMap((h) => AWS_CALLS[h].filter((c) => c.when).map((c) => [h, c] as const));
  const on = env("prod", { processing: { ...config().processing, deleteInputOnSuccess: true } } as never);

  it("exist in the table (the setting is exercised)", () => expect(gated.length).toBeGreaterThan(0));

  it.each(gated.map(([h, c]) => [h, c.command, c] as const))("%s %s: denied while the setting is off, allowed when on", async (h, _cmd, c) => {
    for (const action of c.actions.filter((a) => !actionsOf(rows(h, false)).has(a))) {
      expect(await decide(ENVS.prod, h, action, example(c.resource, action, ENVS.prod))).toMatch(/Denied$/);
    }
    for (const action of c.actions) expect(await decide(on, h, action, example(c.resource, action, on))).toBe("Allowed");
  });
});
