/** The benchmark's events, one per handler, shaped like the real Lambda triggers, at the times of the fake's seeded call. */
import { FAKE, FAKE_JOB_NAME, wavFile } from "./fake-aws";

export type BenchHandler = "start" | "analyze" | "reconcile";

/** start: SQS message carrying an S3 event notification (ObjectCreated:Put) for the seeded WAV, uploaded at `uploadedAt`. */
export function startEvent(uploadedAt: Date): unknown {
  const s3Notification = {
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: FAKE.region,
        eventTime: uploadedAt.toISOString(),
        eventName: "ObjectCreated:Put",
        userIdentity: { principalId: "AWS:AIDAEXAMPLE" },
        requestParameters: { sourceIPAddress: "10.0.0.1" },
        responseElements: { "x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD" },
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "cci-lite-input",
          bucket: { name: FAKE.inputBucket, ownerIdentity: { principalId: "A3NL1KOZZKExample" }, arn: `arn:aws:s3:::${FAKE.inputBucket}` },
          object: {
            key: FAKE.inputKey,
            size: wavFile().length,
            eTag: "d41d8cd98f00b204e9800998ecf8427e",
            versionId: "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY",
            sequencer: "0055AED6DCD90281E5",
          },
        },
      },
    ],
  };
  return {
    Records: [
      {
        messageId: "059f36b4-87a3-44ab-83d2-661975830a7d",
        receiptHandle: "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
        body: JSON.stringify(s3Notification),
        attributes: {
          ApproximateReceiveCount: "1",
          SentTimestamp: String(uploadedAt.getTime() + 150),
          SenderId: "AIDAIENQZJOLO23YVJ4VO",
          ApproximateFirstReceiveTimestamp: String(uploadedAt.getTime() + 200),
        },
        messageAttributes: {},
        md5OfBody: "e4e68fb7bd0e697a0ae8f1bb342846b3",
        eventSource: "aws:sqs",
        eventSourceARN: `arn:aws:sqs:${FAKE.region}:${FAKE.account}:cci-lite-bench-start`,
        awsRegion: FAKE.region,
      },
    ],
  };
}

/** analyze: EventBridge "Transcribe Job State Change" (COMPLETED) of the seeded call's job. */
export function analyzeEvent(uploadedAt: Date): unknown {
  return {
    version: "0",
    id: "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
    "detail-type": "Transcribe Job State Change",
    source: "aws.transcribe",
    account: FAKE.account,
    time: new Date(uploadedAt.getTime() + 65_000).toISOString(),
    region: FAKE.region,
    resources: [],
    detail: { TranscriptionJobName: FAKE_JOB_NAME, TranscriptionJobStatus: "COMPLETED" },
  };
}

/** reconcile: EventBridge Scheduler / scheduled rule event, fired at `now`. */
export function reconcileEvent(now: Date): unknown {
  return {
    version: "0",
    id: "89d1a02d-5ec7-412e-82f5-13505f849b41",
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: FAKE.account,
    time: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: FAKE.region,
    resources: [`arn:aws:events:${FAKE.region}:${FAKE.account}:rule/cci-lite-bench-reconcile`],
    detail: {},
  };
}

/** The event of `name` for the fake's seeded call (uploaded at `uploadedAt`), at `now`. */
export function eventFor(name: BenchHandler, uploadedAt: Date, now: Date): unknown {
  return name === "start" ? startEvent(uploadedAt) : name === "analyze" ? analyzeEvent(uploadedAt) : reconcileEvent(now);
}

/** The runtime environment variables (docs/pipeline.md, "Environment variables") for the benchmark deployment "bench". */
export function contractEnv(name: BenchHandler): Record<string, string> {
  const env: Record<string, string> = {
    ENVIRONMENT: "bench",
    NAME_PREFIX: "cci-lite",
    INPUT_BUCKET: FAKE.inputBucket,
    RESULTS_BUCKET: FAKE.resultsBucket,
    KMS_KEY_ARN: `arn:aws:kms:${FAKE.region}:${FAKE.account}:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e`,
    JOB_NAME_PREFIX: FAKE.jobNamePrefix,
    CONFIG_PATH: FAKE.configPath,
    POWERTOOLS_SERVICE_NAME: "cci-lite-bench",
    POWERTOOLS_METRICS_NAMESPACE: "CCI-Lite",
    POWERTOOLS_LOG_LEVEL: "INFO",
  };
  if (name === "start") env.TRANSCRIBE_ROLE_ARN = `arn:aws:iam::${FAKE.account}:role/cci-lite-bench-transcribe`;
  if (name === "analyze" || name === "reconcile") {
    env.BEDROCK_MODEL_ID = FAKE.modelId;
    env.BEDROCK_REGION = FAKE.region;
    env.BEDROCK_MAX_TOKENS = "1024";
    env.DELETE_INPUT_ON_SUCCESS = "true";
  }
  if (name === "reconcile") {
    env.STUCK_JOB_HOURS = "6";
    env.RECONCILE_LOOKBACK_HOURS = "48";
    env.ANALYZE_FUNCTION_NAME = "cci-lite-bench-analyze";
  }
  return env;
}
