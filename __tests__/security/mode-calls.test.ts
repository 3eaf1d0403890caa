/**
 * The functions' runtime calls (lambda-src/contracts/aws-calls.ts) simulated in every mode of the configuration
 * matrix (modules/config/modes.ts; issue 20) on each mode's synthesized stack, shared with the other matrix suites
 * (helpers/modes.ts): the role's policy, the buckets' policies and, in a VPC, the endpoints' policies (./mode-calls.ts).
 * A missing permission fails naming the mode, the function, the call, the action and the policy that refused it.
 */
import { MODE_NAMES } from "../../modules/config/modes";
import { MODE_ROWS, synthMode } from "../helpers/modes";
import type { Policy } from "./iam";
import { callPolicies, callProblems, VPCE } from "./mode-calls";

let total = 0;
afterAll(() => {
  console.log(`function calls: ${total} simulations over ${MODE_NAMES.length} modes`);
});

describe.each(MODE_ROWS)("mode %s (%s): every function's calls are allowed", (mode) => {
  it("by its role, the buckets' policies and, in a VPC, the endpoints' policies", async () => {
    const { problems, simulated } = await callProblems(synthMode(mode));
    total += simulated;
    expect(problems).toEqual([]);
    // Every mode simulates at least the default's calls (26: docs/testing.md); none may simulate nothing.
    expect(simulated).toBeGreaterThanOrEqual(26);
  }, 120_000);
});

describe("a planted missing permission fails, naming the mode, the function, the call and the action", () => {
  const drop = (policy: Policy, action: string): Policy => ({
    ...policy,
    Statement: policy.Statement.map((s) => ({ ...s, Action: [s.Action].flat().filter((a: string) => a !== action) })).filter((s) => s.Action.length > 0),
  });
  it("in a function's role (prod-reserved: the delete turned on by deleteInputOnSuccess)", async () => {
    const m = synthMode("prod-reserved");
    const p = callPolicies(m);
    const planted = { ...p, roles: { ...p.roles, analyze: drop(p.roles.analyze, "s3:DeleteObject") } };
    expect((await callProblems(m, planted)).problems).toEqual([
      expect.stringMatching(/^mode prod-reserved: analyze DeleteObject needs s3:DeleteObject on arn:aws:s3:::\S+: ImplicitlyDenied by its role policy$/),
    ]);
  });
  it("in an endpoint's policy (dev-existing-vpc: Bedrock through its interface endpoint)", async () => {
    const m = synthMode("dev-existing-vpc");
    const p = callPolicies(m);
    const bedrock = p.endpoints?.["bedrock-runtime"];
    if (!bedrock) throw new Error("dev-existing-vpc has no bedrock-runtime endpoint policy");
    const planted = { ...p, endpoints: { ...p.endpoints, "bedrock-runtime": drop(bedrock, "bedrock:InvokeModel") } };
    expect((await callProblems(m, planted)).problems).toEqual([
      expect.stringMatching(
        /^mode dev-existing-vpc: analyze Converse needs bedrock:InvokeModel on \S+: ImplicitlyDenied by the bedrock-runtime endpoint policy$/,
      ),
    ]);
  });
  it("outside the S3 endpoint (dev-new-vpc: the bucket policy's deny)", async () => {
    const m = synthMode("dev-new-vpc");
    const p = callPolicies(m);
    const elsewhere = Object.fromEntries(
      Object.entries(p.buckets).map(([b, d]) => [b, JSON.parse(JSON.stringify(d).split(VPCE).join("vpce-0fedcba9876543210"))]),
    );
    const { problems } = await callProblems(m, { ...p, buckets: elsewhere });
    expect(problems.length).toBeGreaterThan(0);
    for (const line of problems)
      expect(line).toMatch(/^mode dev-new-vpc: (start|analyze|reconcile) \w+ needs s3:\S+ on \S+: ExplicitlyDenied by the bucket policy$/);
  });
});
