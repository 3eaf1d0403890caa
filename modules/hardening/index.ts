/**
 * Guide §12, account hardening behind configuration toggles (both off by default, since an account may already
 * have them): a multi-region CloudTrail trail with log file validation, delivered to a private bucket encrypted
 * with the customer key (modules/constructs/secure-bucket.ts), and a GuardDuty detector with S3 protection.
 * The `ERROR` log-line alarms of the same guide section come with each function (modules/constructs/pipeline-function.ts; rule CCI-LOG-2 checks them).
 */
import { Construct } from "constructs";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import type { AlarmTopic } from "../constructs/alarm-topic";
import type { CustomerKey } from "../constructs/customer-key";
import { SecureBucket } from "../constructs/secure-bucket";
import { StackContext } from "../constructs/stack-context";
import type { Statement } from "../iam/policy";

/** Days trail logs are kept. */
export const TRAIL_LOG_DAYS = 365;

/** The trail and its bucket are named after the {@link StackContext}'s stem (`<stem>-trail`). */
export interface AccountHardeningProps {
  readonly key: CustomerKey;
  readonly cloudtrail: boolean;
  /** GuardDuty: create the detector (with S3 protection), or use the region's existing one; findings are forwarded either way. */
  readonly guardduty: { readonly createDetector: boolean } | false;
  /** Topic that receives GuardDuty findings of high severity (>= 7). @default findings are not forwarded */
  readonly findingsTopic?: AlarmTopic;
}

/** Lowest GuardDuty severity forwarded to the alarm topic (7 = High). */
export const FINDINGS_MIN_SEVERITY = 7;

export class AccountHardening extends Construct {
  readonly trail?: Cloudtrail;
  readonly trailBucket?: SecureBucket;
  readonly detector?: GuarddutyDetector;

  constructor(scope: Construct, id: string, props: AccountHardeningProps) {
    super(scope, id);
    const ctx = StackContext.of(this);
    const { accountId: account, region, stem } = ctx;

    if (props.cloudtrail) {
      const trailName = `${stem}-trail`;
      const trailArn = ctx.arn("cloudtrail", `trail/${trailName}`);
      const bucketName = `${stem}-trail-${account}-${region}`;
      const bucketArn = ctx.bucketArn(bucketName);
      const fromThisTrail = { StringEquals: { "aws:SourceArn": trailArn } };
      this.trailBucket = new SecureBucket(this, "trail-bucket", {
        bucketName,
        key: props.key,
        expirations: [{ id: `trail-logs-${TRAIL_LOG_DAYS}d`, prefix: "", days: TRAIL_LOG_DAYS }],
        // CloudTrail writes digest files with SSE-S3 whatever the trail's KMS setting; log files use the key.
        encryptionHeaderExemptPrefixes: [`AWSLogs/${account}/CloudTrail-Digest/`],
      });
      for (const st of [
        {
          Sid: "AllowCloudTrailAclCheck",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "s3:GetBucketAcl",
          Resource: bucketArn,
          Condition: fromThisTrail,
        },
        {
          Sid: "AllowCloudTrailWrite",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `${bucketArn}/AWSLogs/${account}/*`,
          Condition: { StringEquals: { "aws:SourceArn": trailArn, "s3:x-amz-acl": "bucket-owner-full-control" } },
        },
      ] satisfies Statement[])
        this.trailBucket.addToResourcePolicy(st);
      // Two statements, as CloudTrail's key-policy page gives them: DescribeKey carries no encryption context, so a
      // condition on one would deny it (and CloudTrail could not deliver); the data keys are bound to this account's
      // trails by the `aws:cloudtrail:arn` context. Both only for this trail (`aws:SourceArn`).
      props.key.grantServiceStatement("AllowCloudTrailDescribeKey", "cloudtrail.amazonaws.com", ["kms:DescribeKey"], fromThisTrail);
      props.key.grantServiceStatement("AllowCloudTrailEncryptLogs", "cloudtrail.amazonaws.com", ["kms:GenerateDataKey*"], {
        ...fromThisTrail,
        StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": ctx.arn("cloudtrail", "trail/*", { region: "*" }) },
      });
      this.trail = new Cloudtrail(this, "trail", {
        name: trailName,
        s3BucketName: bucketName,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        enableLogging: true,
        kmsKeyId: props.key.key.arn,
        // The bucket policy must allow CloudTrail before the trail is created.
        dependsOn: [this.trailBucket.policy],
      });
    }

    if (props.guardduty) {
      if (props.guardduty.createDetector) {
        this.detector = new GuarddutyDetector(this, "detector", { enable: true, findingPublishingFrequency: "FIFTEEN_MINUTES" });
        new GuarddutyDetectorFeature(this, "s3-protection", { detectorId: this.detector.id, name: "S3_DATA_EVENTS", status: "ENABLED" });
      }
      if (props.findingsTopic) {
        const ruleName = `${stem}-guardduty-findings`;
        const rule = new CloudwatchEventRule(this, "findings-rule", {
          name: ruleName,
          description: `GuardDuty findings of severity ${FINDINGS_MIN_SEVERITY} or more, to the alarm topic`,
          eventPattern: JSON.stringify({
            source: ["aws.guardduty"],
            "detail-type": ["GuardDuty Finding"],
            detail: { severity: [{ numeric: [">=", FINDINGS_MIN_SEVERITY] }] },
          }),
        });
        new CloudwatchEventTarget(this, "findings-target", { rule: rule.name, arn: props.findingsTopic.topicArn, dependsOn: [props.findingsTopic.policy] });
        props.findingsTopic.allowEventRule(ctx.arn("events", `rule/${ruleName}`));
      }
    }
  }
}
