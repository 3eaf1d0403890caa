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
    // The fewest of any mode today (dev: 22 cases, 120 requests; docs/security.md): a mode that simulates less lost cases.
    expect(cases).toBeGreaterThanOrEqual(22);
    expect(simulated).toBeGreaterThanOrEqual(120);
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
  /** The mode with the statements `drop` picks removed from the one `type` policy whose logical id contains `idPart`. */
  function without(m: SynthesizedMode, type: string, idPart: string, drop: (statement: any) => boolean): SynthesizedMode {
    const app = structuredClone(m.app);
    const found = Object.entries<any>(app.resource[type] ?? {}).filter(([k]) => k.includes(idPart));
    if (found.length !== 1) throw new Error(`mode ${m.name}: expected one ${type} matching ${idPart}, found ${found.length}`);
    const doc: Policy = JSON.parse(found[0][1].policy);
    const kept = doc.Statement.filter((st) => !drop(st));
    expect(kept.length).toBeLessThan(doc.Statement.length);
    found[0][1].policy = JSON.stringify({ ...doc, Statement: kept });
    return { ...m, app };
  }
  /** The cases a planted refusal concerns (the first planted test runs them all: no other case is touched). */
  const only = (prefix: string) => CASES.filter((c) => c.name.startsWith(prefix));
  const names = (principal: string) => (st: any) => JSON.stringify(st.Principal ?? {}).includes(principal);

  it("dev-tuned without the intake queue policy's S3 statement: S3's notification to the renamed queue is refused", async () => {
    const planted = without(synthMode("dev-tuned"), "aws_sqs_queue_policy", "intake_queue_policy", names("s3.amazonaws.com"));
    expect((await serviceProblems(serviceWorld(planted), CASES)).problems).toEqual([
      "mode dev-tuned: \"S3 → SQS: the input bucket's notification may be sent to the intake queue, another bucket's may not\": s3.amazonaws.com sqs:SendMessage on arn:aws:sqs:eu-west-1:444455556666:acme-cci-dev-intake: expected Allowed, got ImplicitlyDenied",
    ]);
  });
  it("prod-people without the key policy's QuickSight statement: its (configured) service role's decrypt is refused", async () => {
    const planted = without(synthMode("prod-people"), "aws_kms_key", "key", (st) => st.Sid === "AllowQuickSightServiceRole");
    expect((await serviceProblems(serviceWorld(planted), only("QuickSight"))).problems).toEqual([
      expect.stringMatching(
        /^mode prod-people: "QuickSight: S3 decrypts results for its service role, granted directly by the key policy \(by ARN\)": arn:aws:iam::111122223333:role\/service-role\/aws-quicksight-s3-consumers-role-v0 kms:Decrypt on arn:aws:kms:\S+: expected Allowed, got ImplicitlyDenied$/,
      ),
    ]);
  });
  it("prod-new-vpc-hardened without the topic policy's EventBridge statement: the GuardDuty findings rule's publish is refused", async () => {
    const planted = without(synthMode("prod-new-vpc-hardened"), "aws_sns_topic_policy", "alarms", names("events.amazonaws.com"));
    expect((await serviceProblems(serviceWorld(planted), only("EventBridge → SNS"))).problems).toEqual([
      expect.stringMatching(
        /^mode prod-new-vpc-hardened: "EventBridge → SNS: .*": events.amazonaws.com sns:Publish on \S+:cci-lite-prod-alarms: expected Allowed, got ImplicitlyDenied$/,
      ),
    ]);
  });
  it("dev-new-vpc with no ec2 action in the delivery boundary: the deployer's subnet lookup is refused (issue 20, B1)", async () => {
    const w = serviceWorld(synthMode("dev-new-vpc"));
    const noEc2 = (p: Policy): Policy => ({
      ...p,
      Statement: p.Statement.map((st) => ({ ...st, Action: [st.Action].flat().filter((a: string) => !a.startsWith("ec2:")) })).filter(
        (st) => st.Action.length > 0,
      ),
    });
    const planted = { ...w, asApply: () => ({ ...w.asApply(), boundary: noEc2(w.asApply().boundary) }) };
    expect((await serviceProblems(planted, only("Deployer (in a VPC)"))).problems).toContainEqual(
      expect.stringMatching(
        /^mode dev-new-vpc: "Deployer \(in a VPC\): .*": arn:aws:iam::444455556666:role\/cci-lite-github-apply-dev ec2:DescribeSubnets on \*: expected Allowed, got ImplicitlyDenied$/,
      ),
    );
  });
});
