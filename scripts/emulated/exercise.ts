/**
 * The deployed wiring, exercised in moto after an apply: `cci --endpoint-url` uploads a call; moto delivers the S3
 * event notification to the intake queue; the tier receives it and runs the real bundled `start` handler in Node with
 * the function's environment as moto stores it (GetFunctionConfiguration) and the SDK pointed at moto, which starts a
 * Transcribe job; `cci status` follows the job. moto writes no transcript and has no Bedrock Converse (and invoking a
 * Lambda needs Docker), so the analysis is not run: the tier writes the call's COMPLETED record into the results
 * bucket, as analyze would, and `cci status` must report the call analysed from it.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DeleteMessageCommand, GetQueueAttributesCommand, GetQueueUrlCommand, type Message, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { wavFile } from "../../bench/fake-aws";
import { resultKey } from "../../lambda-src/contracts/storage-layout";
import type { HandlerName } from "../../lambda-src/contracts/handlers";
import type { LambdaBundle } from "../../modules/constructs/bundling";
import { loadEnvironments } from "../../modules/config/load";
import { type Naming, naming } from "../../modules/config/naming";
import type { CciLiteConfig } from "../../modules/config/schema";
import { EMULATOR_KEYS } from "./overrides";
import { emptyBucket, motoClientConfig } from "./moto-aws";

export interface ExerciseOptions {
  readonly moto: string;
  readonly configDir: string;
  readonly environment: string;
  readonly bundles: Record<HandlerName, LambdaBundle>;
  readonly workDir: string;
  readonly log: (line: string) => void;
}

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const CCI_BIN = path.join(REPO_ROOT, "scripts", "cli", "bin", "cci.js");
const TENANT = "demo-tenant";
const CALL_ID = "emulated-call";
/** How long moto may take to deliver the upload's notification to the intake queue. */
const DELIVERY_TIMEOUT_S = 30;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function node(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: unknown }).code === undefined || typeof error.code !== "number" ? 1 : error.code) : 0, stdout, stderr }),
    );
  });
}

/** Environment with fake keys for moto and nothing else of the caller's AWS settings. */
function awsEnv(region: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: EMULATOR_KEYS.accessKey,
    AWS_SECRET_ACCESS_KEY: EMULATOR_KEYS.secretKey,
    AWS_REGION: region,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...extra,
  };
}

/** Runs the real bundle's `handler` in a fresh Node process with `env`; returns its result (JSON). */
async function runHandler(bundle: LambdaBundle, event: unknown, env: NodeJS.ProcessEnv, workDir: string): Promise<unknown> {
  const eventFile = path.join(workDir, "event.json");
  const runner = path.join(workDir, "run-handler.mjs");
  fs.writeFileSync(eventFile, JSON.stringify(event));
  fs.writeFileSync(
    runner,
    [
      'import * as fs from "node:fs";',
      'import { pathToFileURL } from "node:url";',
      "const [bundle, eventFile] = process.argv.slice(2);",
      "const { handler } = await import(pathToFileURL(bundle).href);",
      'const context = { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, awsRequestId: "emulated-1", invokedFunctionArn: "", getRemainingTimeInMillis: () => 60000 };',
      'const out = await handler(JSON.parse(fs.readFileSync(eventFile, "utf8")), context);',
      "process.stdout.write(`\\n@@result ${JSON.stringify(out ?? null)}\\n`);",
    ].join("\n"),
  );
  const r = await node([runner, bundle.file, eventFile], env, 60_000);
  const line = r.stdout.split("\n").find((l) => l.startsWith("@@result "));
  if (r.code !== 0 || !line) throw new Error(`exercise: the start handler failed (exit ${r.code}):\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-3000)}`);
  return JSON.parse(line.slice("@@result ".length));
}

/** The fields of `cci status --json` the exercise reads (scripts/cli/locate.ts, CallStatus). */
interface CallStatusJson {
  readonly state?: string;
  readonly transcribeState?: string | null;
  readonly jobName?: string | null;
  readonly uploadKey?: string | null;
  readonly uploadedAt?: string | null;
  readonly jobCreatedAt?: string | null;
  readonly jobCompletedAt?: string | null;
  readonly recordStatus?: string | null;
  readonly resultUri?: string;
}

/** Runs the exercise, then empties the buckets it wrote to (versioned: every version), so the stack can be destroyed. */
export async function exerciseWiring(o: ExerciseOptions): Promise<void> {
  const [cfg] = loadEnvironments(o.configDir, o.environment);
  const names = naming(cfg);
  try {
    await exercise(o, cfg, names);
  } finally {
    for (const bucket of [names.inputBucket, names.resultsBucket]) await emptyBucket(o.moto, cfg.region, bucket);
  }
}

async function exercise(o: ExerciseOptions, cfg: CciLiteConfig, names: Naming): Promise<void> {
  fs.mkdirSync(o.workDir, { recursive: true });
  const client = motoClientConfig(o.moto, cfg.region);
  const cciEnv = awsEnv(cfg.region, { CCI_STATE_DIR: path.join(o.workDir, "cci-state") });
  const cci = async (...args: string[]): Promise<CallStatusJson> => {
    const r = await node([CCI_BIN, "--env", o.environment, "--config-dir", o.configDir, "--endpoint-url", o.moto, "--json", ...args], cciEnv, 60_000);
    if (r.code !== 0) throw new Error(`exercise: cci ${args.join(" ")} exited ${r.code}:\n${r.stderr}${r.stdout}`);
    return JSON.parse(r.stdout);
  };

  // 1. cci upload: the call lands under <tenant>/calls/ with SSE-KMS, and moto notifies the intake queue.
  const file = path.join(o.workDir, `${CALL_ID}.wav`);
  fs.writeFileSync(file, wavFile(2)); // 2 s of 8 kHz silence: the start function's rules accept it
  await cci("upload", file, "--tenant", TENANT);
  const sqs = new SQSClient(client);
  const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: names.intakeQueue }))).QueueUrl as string;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn as string;
  const messages: Message[] = [];
  const t0 = performance.now();
  while (!messages.some((m) => m.Body?.includes(`${CALL_ID}.wav`))) {
    if (performance.now() - t0 > DELIVERY_TIMEOUT_S * 1000)
      throw new Error(`exercise: the upload's S3 notification did not reach ${names.intakeQueue} within ${DELIVERY_TIMEOUT_S} s`);
    const r = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2, MessageSystemAttributeNames: ["All"] }),
    );
    messages.push(...(r.Messages ?? []));
  }
  o.log(`exercise: cci upload reached ${names.intakeQueue} (${messages.length} messages)`);

  // 2. The start handler with that SQS event, its stored environment, the SDK pointed at moto: a job starts.
  const lambda = new LambdaClient(client);
  const fn = names.functionName("start");
  const stored = (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }))).Environment?.Variables ?? {};
  const event = {
    Records: messages.map((m) => ({
      messageId: m.MessageId,
      receiptHandle: m.ReceiptHandle,
      body: m.Body,
      attributes: m.Attributes ?? {},
      messageAttributes: {},
      md5OfBody: m.MD5OfBody,
      eventSource: "aws:sqs",
      eventSourceARN: queueArn,
      awsRegion: cfg.region,
    })),
  };
  const env = awsEnv(cfg.region, { ...stored, AWS_ENDPOINT_URL: o.moto, AWS_LAMBDA_FUNCTION_NAME: fn });
  const result = (await runHandler(o.bundles.start, event, env, o.workDir)) as { batchItemFailures?: unknown[] } | null;
  if (result?.batchItemFailures?.length) throw new Error(`exercise: start reported failures: ${JSON.stringify(result.batchItemFailures)}`);
  for (const m of messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));

  // 3. cci status follows the job (moto moves it QUEUED -> IN_PROGRESS -> COMPLETED on successive reads).
  const first = await cci("status", CALL_ID, "--tenant", TENANT);
  if (!first.jobName?.startsWith(stored.JOB_NAME_PREFIX ?? "?"))
    throw new Error(`exercise: cci status shows no job of the start function: ${JSON.stringify(first)}`);
  const second = await cci("status", CALL_ID, "--tenant", TENANT);
  o.log(`exercise: start started ${first.jobName}; cci status: ${first.state}/${first.transcribeState}, then ${second.state}/${second.transcribeState}`);

  // 4. The record analyze would write (moto has no transcript and no Converse); cci status reads it.
  const uploadedAt = (first.uploadedAt ?? first.jobCreatedAt) as string;
  const key = resultKey(TENANT, new Date(uploadedAt), CALL_ID);
  const record = {
    schema_version: "1.1",
    status: "COMPLETED",
    tenant: TENANT,
    call_id: CALL_ID,
    transcription_job_name: first.jobName,
    source_key: first.uploadKey,
    uploaded_at: uploadedAt,
    job_started_at: first.jobCreatedAt,
    job_completed_at: second.jobCompletedAt ?? first.jobCreatedAt,
    error: null,
    timestamp: new Date(Date.parse(uploadedAt) + 60_000).toISOString(),
  };
  const s3 = new S3Client(client);
  await s3.send(
    new PutObjectCommand({
      Bucket: names.resultsBucket,
      Key: key,
      Body: JSON.stringify(record),
      ContentType: "application/json",
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: stored.KMS_KEY_ARN,
    }),
  );
  const done = await cci("status", CALL_ID, "--tenant", TENANT);
  if (done.state !== "analysed" || done.recordStatus !== "COMPLETED")
    throw new Error(`exercise: after the record was written, cci status says ${done.state}/${done.recordStatus}: ${JSON.stringify(done)}`);
  o.log(`exercise: cci status reads the record: ${done.state} (${done.resultUri})`);
  for (const c of [sqs, lambda, s3]) c.destroy();
}
