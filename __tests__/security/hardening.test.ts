/**
 * Guide §12 toggles: CloudTrail and GuardDuty synthesized in both states, and the toggled-on stack plans with real
 * offline Terraform (the plan target `modes`: the committed lock file, the provider mirror).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadOfflinePlan, PLAN_TIMEOUT_MS } from "../helpers/offline-plan";
import { HARDENING_ON as ON } from "../helpers/plan-targets";
import { statement, synthApp } from "../helpers/synth";

const TRAIL_ARN = "arn:aws:cloudtrail:eu-central-1:111122223333:trail/cci-lite-prod-trail";

describe("account hardening toggles off (default)", () => {
  const s = synthApp();
  it("creates no trail, trail bucket or GuardDuty detector", () => {
    expect(s.resources("aws_cloudtrail")).toEqual({});
    expect(s.resources("aws_guardduty_detector")).toEqual({});
    expect(Object.values(s.resources("aws_s3_bucket")).map((b: any) => b.bucket)).not.toContainEqual(expect.stringContaining("-trail-"));
  });
  it("grants CloudTrail nothing on the key", () => {
    expect(s.resource("aws_kms_key").policy).not.toContain("cloudtrail.amazonaws.com");
  });
});

describe("account hardening toggles on", () => {
  const s = synthApp(ON);

  it("records every region with log file validation, encrypted with the customer key", () => {
    const trail = s.resource("aws_cloudtrail");
    expect(trail).toMatchObject({
      name: "cci-lite-prod-trail",
      is_multi_region_trail: true,
      enable_log_file_validation: true,
      include_global_service_events: true,
      enable_logging: true,
    });
    expect(trail.kms_key_id).toMatch(/^\$\{aws_kms_key\.key_/);
    expect(trail.s3_bucket_name).toBe("cci-lite-prod-trail-111122223333-eu-central-1");
    expect(trail.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_policy\.hardening_trail-bucket_policy/)]);
  });

  it("delivers to a private SSE-KMS bucket whose policy admits only this trail", () => {
    const policy = s.resource("aws_s3_bucket_policy", "hardening").policy;
    expect(statement(policy, "AllowCloudTrailWrite")).toMatchObject({
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Resource: "arn:aws:s3:::cci-lite-prod-trail-111122223333-eu-central-1/AWSLogs/111122223333/*",
      Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN, "s3:x-amz-acl": "bucket-owner-full-control" } },
    });
    expect(statement(policy, "AllowCloudTrailAclCheck").Condition).toEqual({ StringEquals: { "aws:SourceArn": TRAIL_ARN } });
    expect(statement(policy, "DenyInsecureTransport").Effect).toBe("Deny");
    expect(s.resource("aws_s3_bucket_public_access_block", "hardening")).toMatchObject({ block_public_policy: true, restrict_public_buckets: true });
  });

  // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
  it("grants cloudtrail.amazonaws.com DescribeKey in its own statement, conditioned only on this trail (aws:SourceArn)", () => {
    const st = statement(s.resource("aws_kms_key").policy, "AllowCloudTrailDescribeKey");
    expect(st).toMatchObject({ Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "kms:DescribeKey" });
    expect(st.Condition).toEqual({ StringEquals: { "aws:SourceArn": TRAIL_ARN } });
  });
  it("grants cloudtrail.amazonaws.com data keys only for this trail and the aws:cloudtrail:arn encryption context", () => {
    const st = statement(s.resource("aws_kms_key").policy, "AllowCloudTrailEncryptLogs");
    expect(st).toMatchObject({ Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "kms:GenerateDataKey*" });
    expect(st.Condition).toEqual({
      StringEquals: { "aws:SourceArn": TRAIL_ARN },
      StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*" },
    });
    expect(s.resource("aws_kms_key").policy).not.toContain("AllowServiceCloudtrail");
  });

  it("enables a GuardDuty detector with S3 protection", () => {
    expect(s.resource("aws_guardduty_detector")).toMatchObject({ enable: true, finding_publishing_frequency: "FIFTEEN_MINUTES" });
    expect(s.resource("aws_guardduty_detector_feature")).toMatchObject({ name: "S3_DATA_EVENTS", status: "ENABLED" });
  });

  it(
    "plans with real offline Terraform (the committed lock file, the provider mirror): only creations, the trail and detector included",
    () => {
      // The plan target `modes` (helpers/plan-targets.ts) has this configuration, in a new VPC; `plan` validates it first.
      const plan = loadOfflinePlan("cci-lite-prod", "modes");
      expect(plan.counts).toMatchObject({ update: 0, delete: 0, replace: 0 });
      expect(plan.resourcesByType).toMatchObject({ aws_cloudtrail: 1, aws_guardduty_detector: 1, aws_guardduty_detector_feature: 1 });
      const synthesized = JSON.parse(fs.readFileSync(path.join(plan.synthDir, "cdk.tf.json"), "utf8"));
      expect(Object.keys(synthesized.resource.aws_cloudtrail)).toEqual(Object.keys(s.json.resource.aws_cloudtrail));
    },
    PLAN_TIMEOUT_MS,
  );
});

// The apply role's services and the boundary, derived from every mode's synthesized stack: __tests__/infra/modes.test.ts
// ("boundary derivation"), the configuration matrix of modules/config/modes.ts.
