/**
 * A concrete example of each kind of resource the AWS calls table acts on (lambda-src/contracts/aws-calls.ts
 * `AwsResource`), in one configuration, with the context keys its calls carry: what the call simulations
 * (aws-calls-simulation.test.ts, mode-calls.test.ts) ask the simulator about.
 */
import type { AwsResource } from "../../lambda-src/contracts/aws-calls";
import { bedrockResourceArns, naming } from "../../modules/config/naming";
import type { CciLiteConfig } from "../../modules/config/schema";

export interface CallExample {
  readonly resource: string;
  readonly context?: Record<string, string>;
}

export function callExample(kind: AwsResource, action: string, cfg: CciLiteConfig): CallExample {
  const n = naming(cfg);
  const { region, accountId } = cfg;
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
      return { resource: `arn:aws:ssm:${region}:${accountId}:parameter${n.configPath}/demo-tenant` };
    case "newJobs":
      return action === "iam:PassRole"
        ? { resource: n.transcribeRoleArn, context: { "iam:PassedToService": "transcribe.amazonaws.com" } }
        : action === "transcribe:StartTranscriptionJob"
          ? { resource: "*", context: { "transcribe:OutputBucketName": n.resultsBucket } }
          : { resource: "*" };
    case "ownJobs":
      return { resource: `arn:aws:transcribe:${region}:${accountId}:transcription-job/${n.jobNamePrefix}c1` };
    case "any":
      return { resource: "*" };
    case "summaryModel":
      return { resource: bedrockResourceArns(cfg)[0] };
    case "analyzeFunction":
      return { resource: `arn:aws:lambda:${region}:${accountId}:function:${n.stem}-analyze` };
  }
}
