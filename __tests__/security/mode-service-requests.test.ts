/**
 * Proof 2 in every mode of the configuration matrix (modules/config/modes.ts; issue 20): the requests AWS services
 * and people make against our policies (service-cases-aws.ts, service-cases-people.ts), simulated on each mode's
 * synthesized stacks (helpers/modes.ts, shared with the other matrix suites), each case where the mode turns on what
 * it needs (QuickSight, CloudTrail, configured uploaders and administrators; every tenant's access point and reader).
 * A refused request fails naming the mode, the case, the principal, the action and the resource.
 * service-requests.test.ts keeps the same requests on the real prod plan (terraform tier); this file reads only
 * synthesized JSON.
 */
import { MODE_NAMES, type ModeName } from "../../modules/config/modes";
import { MODE_ROWS, type SynthesizedMode, synthMode } from "../helpers/modes";
import type { Policy } from "./iam";
import { expectedInventory, inventory } from "./key-inventory";
import { casesFor, type ServiceCase, serviceProblems } from "./service-case";
import { AWS_SERVICE_CASES } from "./service-cases-aws";
import { PEOPLE_CASES } from "./service-cases-people";
import { serviceWorld } from "./service-world";

const CASES: readonly ServiceCase[] = [...AWS_SERVICE_CASES, ...PEOPLE_CASES];
const counts: string[] = [];
let total = 0;
afterAll(() => {
  console.log(`service requests: ${total} simulations over ${MODE_NAMES.length} modes (cases/simulations per mode: ${counts.join(", ")})`);
});

describe.each(MODE_ROWS)("mode %s (%s): every service's and person's request is decided as AWS must", (mode) => {
  it(`the cases that apply to the mode, out of ${CASES.length}`, async () => {
    const { cases, simulated, problems } = await serviceProblems(serviceWorld(synthMode(mode)), CASES);
    counts.push(`${mode} ${cases}/${simulated}`);
    total += simulated;
    expect(problems).toEqual([]);
  }, 120_000);
});

describe.each(MODE_ROWS)("mode %s (%s): the customer key", (mode) => {
  it("names only the documented principals (docs/security.md, key-inventory.ts)", () => {
    const m = synthMode(mode);
    expect(inventory(serviceWorld(m).policy("app", "aws_kms_key", "key"), m.config.accountId)).toEqual(expectedInventory(m.config));
  });
});

describe("which cases apply where", () => {
  const applies = (mode: ModeName) => casesFor(synthMode(mode).config, CASES).map((c) => c.name);
  it("every case applies in at least one mode, and cites an AWS page (or Terraform's, for its own backend)", () => {
    const used = new Set(MODE_NAMES.flatMap(applies));
    expect(CASES.map((c) => c.name).filter((n) => !used.has(n))).toEqual([]);
    for (const c of CASES) expect([c.name, c.cite]).toEqual([c.name, expect.stringMatching(/^https:\/\/(docs\.aws\.amazon\.com|developer\.hashicorp\.com)\//)]);
  });
  it("the toggles choose the cases: QuickSight off in dev, CloudTrail on in the hardened modes, configured people in prod-people", () => {
    const has = (mode: ModeName, part: string) => applies(mode).some((n) => n.startsWith(part));
    expect([has("dev", "QuickSight"), has("prod", "QuickSight"), has("prod-people", "QuickSight")]).toEqual([false, true, true]);
    expect([has("prod", "CloudTrail"), has("prod-new-vpc-hardened", "CloudTrail"), has("prod-existing-detector", "CloudTrail")]).toEqual([false, true, true]);
    expect([has("prod", "Uploader (configured)"), has("prod-people", "Uploader (configured)"), has("prod-people", "Administrator (configured")]).toEqual([
      false,
      true,
      true,
    ]);
  });
});

describe("a planted refusal fails, naming the mode, the case and the action", () => {
  /** The mode with the intake queue policy's statements for S3 removed. */
  function withoutS3Statement(m: SynthesizedMode): SynthesizedMode {
    const app = structuredClone(m.app);
    const [id, queuePolicy] = Object.entries<any>(app.resource.aws_sqs_queue_policy).find(([k]) => k.includes("intake_queue_policy")) ?? [];
    if (!id) throw new Error(`mode ${m.name} has no intake queue policy`);
    const doc: Policy = JSON.parse(queuePolicy.policy);
    const kept = doc.Statement.filter((s) => JSON.stringify(s.Principal ?? {}).includes("s3.amazonaws.com") === false);
    expect(kept.length).toBeLessThan(doc.Statement.length);
    queuePolicy.policy = JSON.stringify({ ...doc, Statement: kept });
    return { ...m, app };
  }
  it("dev-tuned without the intake queue policy's S3 statement: S3's notification to the renamed queue is refused", async () => {
    const { problems } = await serviceProblems(serviceWorld(withoutS3Statement(synthMode("dev-tuned"))), CASES);
    expect(problems).toEqual([
      "mode dev-tuned: \"S3 → SQS: the input bucket's notification may be sent to the intake queue, another bucket's may not\": s3.amazonaws.com sqs:SendMessage on arn:aws:sqs:eu-west-1:444455556666:acme-cci-dev-intake: expected Allowed, got ImplicitlyDenied",
    ]);
  });
});
