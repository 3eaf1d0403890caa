/**
 * Endpoint policy support per service (modules/config/network-facts.ts `endpointPolicy`, docs/network.md): every
 * endpoint records it with its evidence, and modules/network attaches a policy only where the service supports one.
 */
import { TerraformStack, Testing } from "cdktf";
import type { PipelineService } from "../../modules/config/network-facts";

const ACCOUNT = "111122223333";
const REGION = "eu-central-1";
const SCOPE = {
  functionRoleArns: [`arn:aws:iam::${ACCOUNT}:role/f`],
  inputBucketArn: "arn:aws:s3:::in",
  resultsBucketArn: "arn:aws:s3:::out",
  transcriptionJobArn: `arn:aws:transcribe:${REGION}:${ACCOUNT}:transcription-job/x*`,
  configPathArn: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/x`,
  bedrockResourceArns: [`arn:aws:bedrock:${REGION}::foundation-model/m`],
  analyzeFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:a`,
  settings: { deleteInputOnSuccess: false },
};

/** The planned `aws_vpc_endpoint`s of a PrivateNetwork built with the given service facts, by service suffix. */
function endpointsWith(services: readonly PipelineService[]): Record<string, { policy?: string }> {
  let result: Record<string, { policy?: string }> = {};
  jest.isolateModules(() => {
    jest.doMock("../../modules/config/network-facts", () => ({ ...jest.requireActual("../../modules/config/network-facts"), PIPELINE_SERVICES: services }));
    const { PrivateNetwork } = require("../../modules/network") as typeof import("../../modules/network");
    const { StackContext } = require("../../modules/constructs/stack-context") as typeof import("../../modules/constructs/stack-context");
    const stack = new TerraformStack(Testing.app(), "s");
    StackContext.set(stack, { accountId: ACCOUNT, region: REGION, stem: "x" });
    new PrivateNetwork(stack, "net", {
      network: {
        mode: "existing",
        vpcId: "vpc-01234567",
        subnetIds: ["subnet-01234567", "subnet-89abcdef"],
        routeTableIds: ["rtb-01234567"],
        privateDns: true,
      },
      scope: SCOPE,
    });
    const planned = JSON.parse(Testing.synth(stack)).resource.aws_vpc_endpoint as Record<string, { service_name: string; policy?: string }>;
    result = Object.fromEntries(Object.values(planned).map((e) => [e.service_name.split(".").pop() ?? "", e]));
  });
  jest.dontMock("../../modules/config/network-facts");
  return result;
}

describe("endpoint policy support (network-facts endpointPolicy)", () => {
  const { PIPELINE_SERVICES } = jest.requireActual("../../modules/config/network-facts") as typeof import("../../modules/config/network-facts");

  it("is recorded for every endpoint with its source; an unconfirmed one keeps its policy (the doctor asks the account)", () => {
    for (const s of PIPELINE_SERVICES) {
      expect(s.endpointPolicy.source.length).toBeGreaterThan(20);
      if (!s.endpointPolicy.confirmed) expect(s.endpointPolicy.supported).toBe(true);
    }
    // The research of 2026-11-30 (docs/network.md): documented for these, indirect for transcribe (batch) and ssm.
    expect(PIPELINE_SERVICES.filter((s) => s.endpointPolicy.confirmed).map((s) => s.suffix)).toEqual(["s3", "comprehend", "bedrock-runtime", "lambda"]);
    expect(PIPELINE_SERVICES.filter((s) => !s.endpointPolicy.supported)).toEqual([]);
  });

  it("the stack attaches a policy to every endpoint whose service supports one, and none where it does not", () => {
    const all = endpointsWith(PIPELINE_SERVICES);
    expect(Object.keys(all).sort()).toEqual(PIPELINE_SERVICES.map((s) => s.suffix).sort());
    for (const e of Object.values(all)) expect(JSON.parse(e.policy ?? "{}").Statement.length).toBeGreaterThan(0);

    const noComprehendPolicy = PIPELINE_SERVICES.map((s) =>
      s.suffix === "comprehend" ? { ...s, endpointPolicy: { supported: false, confirmed: true, source: "test: the service refuses endpoint policies" } } : s,
    );
    const some = endpointsWith(noComprehendPolicy);
    expect(some.comprehend).toBeDefined();
    expect(some.comprehend.policy).toBeUndefined();
    for (const suffix of ["s3", "transcribe", "bedrock-runtime", "ssm", "lambda"]) expect(some[suffix].policy).toContain('"Principal":"*"');
  });
});
