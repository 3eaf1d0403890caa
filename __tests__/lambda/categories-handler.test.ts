/**
 * Issue 23, "done when": a tenant with a category rule in config/dev.json gets that category in its result. The
 * analyze handler runs against the shared fake AWS (bench/fake-aws.ts: its canned call, where the customer says
 * "I had to cancel two meetings"), with the rules file the stack packages (`categoryDocument` of the configuration)
 * in its task root. Also: no file means no categories, and an unusable file is an ERROR line, never a silent drop.
 */
import "./fixtures"; // quiet Powertools (logs and metrics) before the handler's modules load
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { analyzeEvent, contractEnv } from "../../bench/events";
import { FAKE, type FakeAws, startFakeAws } from "../../bench/fake-aws";
import { logger } from "../../lambda-src/aws/observability";
import { categoryDocument } from "../../lambda-src/contracts/tenant-settings";
import type { CallResult } from "../../lambda-src/contracts/result-schema";
import { systemClock } from "../../lambda-src/core/clock";
import { CATEGORY_RULES_FILE } from "../../lambda-src/core/category-rules";
import { handlerWith } from "../../lambda-src/handlers/analyze";
import { loadConfigFile } from "../../modules/config/load";

const saved = { ...process.env };
let fake: FakeAws;
const roots = { withRules: "", without: "", broken: "" };

beforeAll(async () => {
  // The fake answers with its clock's Date header; the handler's SDK must agree (system clock on both, as bench/child.ts).
  fake = await startFakeAws({ clock: systemClock });
  const env = Object.entries(contractEnv("analyze")).filter(([k]) => !k.startsWith("POWERTOOLS_"));
  Object.assign(process.env, Object.fromEntries(env), {
    AWS_ENDPOINT_URL: fake.url,
    AWS_REGION: FAKE.region,
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_SESSION_TOKEN: "fake-session-token",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cci-categories-"));
  for (const k of Object.keys(roots) as Array<keyof typeof roots>) {
    roots[k] = path.join(tmp, k);
    fs.mkdirSync(roots[k]);
  }
  const dev = loadConfigFile(path.join(__dirname, "..", "..", "config", "dev.json"));
  fs.writeFileSync(path.join(roots.withRules, CATEGORY_RULES_FILE), JSON.stringify(categoryDocument(dev.tenants)));
  fs.writeFileSync(path.join(roots.broken, CATEGORY_RULES_FILE), '{"demo-tenant": [{"name": "x", "conditions": [{"shout": true}]}]}');
});
afterAll(async () => {
  process.env = saved;
  await fake.close();
});

async function analyzeIn(root: string): Promise<CallResult> {
  process.env.LAMBDA_TASK_ROOT = root;
  fake.reset();
  const out = await handlerWith(systemClock)(analyzeEvent(fake.uploadedAt) as never, { awsRequestId: `req-${path.basename(root)}` } as never);
  expect(out).toMatchObject({ outcome: "COMPLETED" });
  const key = [...fake.s3.bucket(FAKE.resultsBucket).keys.keys()].find((k) => k.startsWith(`${FAKE.tenant}/`) && k.endsWith(`/${FAKE.callId}.json`));
  return JSON.parse(fake.s3.current(FAKE.resultsBucket, key ?? "")?.body.toString("utf8") ?? "{}") as CallResult;
}

describe("analyze: call categories from the configuration", () => {
  it("demo-tenant's rule in config/dev.json puts its category, with what matched, into the result", async () => {
    const record = await analyzeIn(roots.withRules);
    expect(record.schema_version).toBe("1.3");
    expect(record.categories).toEqual([{ name: "Cancellation mentioned", matched_by: ['transcript(customer): "cancel*"'] }]);
  });

  it("no rules file: no categories, no error", async () => {
    const error = jest.spyOn(logger, "error");
    expect((await analyzeIn(roots.without)).categories).toEqual([]);
    expect(error).not.toHaveBeenCalled();
    error.mockRestore();
  });

  it("unusable rules: an ERROR line naming the problem, the record written without categories", async () => {
    const error = jest.spyOn(logger, "error");
    expect((await analyzeIn(roots.broken)).categories).toEqual([]);
    expect(error).toHaveBeenCalledWith("Category rules unusable", expect.objectContaining({ error: expect.any(Error) }));
    error.mockRestore();
  });
});
