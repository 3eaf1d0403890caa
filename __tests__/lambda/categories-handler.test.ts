/**
 * Issue 23, "done when": a tenant with a category rule in config/dev.json gets that category in its result. The
 * analyze handler runs against the shared fake AWS (bench/fake-aws.ts), with the rules file the stack packages
 * (`categoryDocument` of the configuration) in its task root. The rule is the customer's words: roles exist only on
 * channel-identified calls (lambda-src/contracts/speaker-roles.ts), so the call is the stereo recording the demo
 * tenant gets from Amazon Connect (a 2-channel WAV, FLAC or MP3 upload is transcribed with channel identification): the customer
 * on `ch_0` says "I had to cancel two meetings", served as the Transcribe output. On the fake's canned mono call
 * (speaker labels) the same rule never holds. Also: no file means no categories, and an unusable file is an ERROR
 * line, never a silent drop.
 */
import { channelTranscript } from "./fixtures"; // also quiets Powertools (logs and metrics) before the handler's modules load
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { analyzeEvent, contractEnv } from "../../bench/events";
import { FAKE, type FakeAws, startFakeAws, TRANSCRIPT_FILE_ENV } from "../../bench/fake-aws";
import { logger } from "../../lambda-src/aws/observability";
import { categoryDocument } from "../../lambda-src/contracts/tenant-settings";
import type { CallResult } from "../../lambda-src/contracts/result-schema";
import { systemClock } from "../../lambda-src/core/clock";
import { CATEGORY_RULES_FILE } from "../../lambda-src/core/category-rules";
import { handlerWith } from "../../lambda-src/handlers/analyze";
import { callCategories } from "../../lambda-src/services/categories";
import { loadConfigFile } from "../../modules/config/load";

const saved = { ...process.env };
let fake: FakeAws;
const roots = { withRules: "", without: "", broken: "" };
let stereoFile = "";

/** A channel-identified Transcribe output: `[channel, sentence]` turns, words 0.4 s apart (Connect: ch_0 customer, ch_1 agent). */
function stereoCall(turns: ReadonlyArray<["ch_0" | "ch_1", string]>): ReturnType<typeof channelTranscript> {
  const ch: Record<"ch_0" | "ch_1", Array<[number, number, string]>> = { ch_0: [], ch_1: [] };
  let t = 0.5;
  for (const [label, sentence] of turns)
    for (const w of sentence.split(" ")) {
      ch[label].push([t, t + 0.35, w]);
      t += 0.4;
    }
  return channelTranscript(ch.ch_0, ch.ch_1);
}

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
  stereoFile = path.join(tmp, "stereo-transcript.json");
  const stereo = stereoCall([
    ["ch_1", "Thank you for calling Example Telecom how can I help you today"],
    ["ch_0", "My internet has been dropping every evening and I had to cancel two meetings"],
    ["ch_1", "I will replace your router free of charge"],
  ]);
  fs.writeFileSync(stereoFile, JSON.stringify(stereo));
});
afterAll(async () => {
  process.env = saved;
  await fake.close();
});

/** Analyze the fake's call with the rules of `root`: its canned mono call, or the stereo call above. */
async function analyzeIn(root: string, call: "mono" | "stereo" = "stereo"): Promise<CallResult> {
  process.env.LAMBDA_TASK_ROOT = root;
  if (call === "stereo") process.env[TRANSCRIPT_FILE_ENV] = stereoFile;
  else delete process.env[TRANSCRIPT_FILE_ENV];
  fake.reset();
  const out = await handlerWith(systemClock)(analyzeEvent(fake.uploadedAt) as never, { awsRequestId: `req-${path.basename(root)}` } as never);
  expect(out).toMatchObject({ outcome: "COMPLETED" });
  const key = [...fake.s3.bucket(FAKE.resultsBucket).keys.keys()].find((k) => k.startsWith(`${FAKE.tenant}/`) && k.endsWith(`/${FAKE.callId}.json`));
  return JSON.parse(fake.s3.current(FAKE.resultsBucket, key ?? "")?.body.toString("utf8") ?? "{}") as CallResult;
}

describe("analyze: call categories from the configuration", () => {
  it("demo-tenant's rule in config/dev.json puts its category, with what matched, into a stereo call's result", async () => {
    const record = await analyzeIn(roots.withRules);
    expect(record.schema_version).toBe("1.3");
    expect(record.speaker_mode).toBe("channel_identification");
    expect(record.categories).toEqual([{ name: "Cancellation mentioned", matched_by: ['transcript(customer): "cancel*"'] }]);
  });

  it("the same rule on a mono call (speaker labels, no roles): the customer's words are unknown, no category", async () => {
    const record = await analyzeIn(roots.withRules, "mono");
    expect(record.speaker_mode).toBe("speaker_labels");
    expect(record.status).toBe("COMPLETED");
    expect(record.categories).toEqual([]);
  });

  it("no rules file: no categories, no error", async () => {
    const error = jest.spyOn(logger, "error");
    expect((await analyzeIn(roots.without)).categories).toEqual([]);
    expect(error).not.toHaveBeenCalled();
    error.mockRestore();
  });

  it("a tenant whose id is an Object property ('constructor') has no rules in a file with other tenants' rules, and no error", () => {
    process.env.LAMBDA_TASK_ROOT = roots.withRules;
    const error = jest.spyOn(logger, "error");
    const input = {
      languageCode: "en-US",
      speakerMode: null,
      text: "cancel",
      turns: [],
      summary: null,
      sentiment: null,
      speakers: [],
      risks: [],
      actionItems: [],
    };
    expect(callCategories("constructor", input)).toEqual([]);
    expect(callCategories("toString", input)).toEqual([]);
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
