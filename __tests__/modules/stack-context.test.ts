/**
 * modules/constructs/stack-context.ts: one place for account, partition, region and the naming stem. A construct
 * used outside a stack that set them fails with an error naming the construct and what is missing.
 */
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { AWS_REGIONS, partitionOf } from "../../modules/config/aws-facts";
import { isUserError, ValidationError } from "../../modules/config/errors";
import { CustomerKey } from "../../modules/constructs/customer-key";
import { StackContext } from "../../modules/constructs/stack-context";

const ACCOUNT = "111122223333";

function caught(f: () => unknown): ValidationError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    expect(isUserError(e)).toBe(true);
    return e as ValidationError;
  }
  throw new Error("expected a ValidationError");
}

describe("StackContext", () => {
  it("is read from any depth below the stack that set it", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const set = StackContext.set(stack, { accountId: ACCOUNT, region: "eu-central-1", stem: "cci-lite-prod" });
    const deep = new Construct(new Construct(stack, "a"), "b");
    const ctx = StackContext.of(deep);
    expect(ctx).toBe(set);
    expect([ctx.accountId, ctx.region, ctx.partition, ctx.stem]).toEqual([ACCOUNT, "eu-central-1", "aws", "cci-lite-prod"]);
  });

  it("builds ARNs with the partition, region and account of the stack", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const ctx = StackContext.set(stack, { accountId: ACCOUNT, region: "cn-north-1" });
    expect(ctx.partition).toBe("aws-cn");
    expect(ctx.arn("sqs", "q")).toBe(`arn:aws-cn:sqs:cn-north-1:${ACCOUNT}:q`);
    expect(ctx.arn("cloudtrail", "trail/*", { region: "*" })).toBe(`arn:aws-cn:cloudtrail:*:${ACCOUNT}:trail/*`);
    expect(ctx.iamArn("role/r")).toBe(`arn:aws-cn:iam::${ACCOUNT}:role/r`);
    expect(ctx.bucketArn("b")).toBe("arn:aws-cn:s3:::b");
  });

  it("derives the partition from the region unless given", () => {
    expect([partitionOf("eu-central-1"), partitionOf("cn-northwest-1"), partitionOf("us-gov-west-1")]).toEqual(["aws", "aws-cn", "aws-us-gov"]);
    const stack = new TerraformStack(Testing.app(), "s");
    expect(StackContext.set(stack, { accountId: ACCOUNT, region: "eu-central-1", partition: "aws-iso" }).partition).toBe("aws-iso");
  });

  it("fails a construct used outside a stack that set it, naming the construct and what is missing", () => {
    const stack = new TerraformStack(Testing.app(), "bare");
    const e = caught(() => new CustomerKey(stack, "key", { alias: "alias/k" }));
    expect(e.construct).toBe("bare/key");
    expect(e.field).toBe("StackContext");
    expect(e.message).toMatch(/account, partition and region come from StackContext\.set/);
  });

  it("is set once per stack", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    StackContext.set(stack, { accountId: ACCOUNT, region: "eu-central-1" });
    expect(caught(() => StackContext.set(stack, { accountId: ACCOUNT, region: "eu-central-1" })).field).toBe("StackContext");
  });

  it("has no stem in a stack without an environment, and says so when one is read", () => {
    const stack = new TerraformStack(Testing.app(), "bootstrap");
    const ctx = StackContext.set(stack, { accountId: ACCOUNT, region: "eu-central-1" });
    const e = caught(() => ctx.stem);
    expect(e.field).toBe("stem");
    expect(e.construct).toBe("bootstrap");
  });

  it("accepts every region and stem the configuration allows", () => {
    for (const region of AWS_REGIONS) expect(StackContext.set(new TerraformStack(Testing.app(), "s"), { accountId: ACCOUNT, region }).region).toBe(region);
    // namePrefix allows inner '-' runs (`a--b`), environment a-z0-9.
    expect(StackContext.set(new TerraformStack(Testing.app(), "s"), { accountId: ACCOUNT, region: "eu-central-1", stem: "a--b-prod2" }).stem).toBe(
      "a--b-prod2",
    );
  });

  it.each([
    ["accountId", { accountId: "1234", region: "eu-central-1" }],
    ["region", { accountId: ACCOUNT, region: "Frankfurt" }],
    ["partition", { accountId: ACCOUNT, region: "eu-central-1", partition: "azure" }],
    ["stem", { accountId: ACCOUNT, region: "eu-central-1", stem: "CCI Lite" }],
  ])("rejects a bad %s", (field, props) => {
    const stack = new TerraformStack(Testing.app(), "s");
    expect(caught(() => StackContext.set(stack, props)).field).toBe(field);
  });
});
