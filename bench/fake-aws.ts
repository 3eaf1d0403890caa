/**
 * A tiny in-process fake of the AWS APIs the handlers call, for the benchmark only. Listens on 127.0.0.1 (random
 * port), speaks HTTP/1.1 and cleartext HTTP/2 on the same port (the Bedrock Runtime client uses HTTP/2; the
 * connection's first bytes decide), answers with canned, realistic responses and records every call.
 *
 *  - S3 (REST-XML, path-style `/<bucket>/<key>`): stateful and faithful to S3 for what the write protocol relies on
 *    (bench/fake-s3.ts: ETags, `If-Match` / `If-None-Match: *` writes, conditional deletes, versions, listing).
 *    Seeded: the call's audio in the (versioned) input bucket, with the version id the benchmark's events name; the
 *    results bucket is versioned, as deployed. {@link FakeAws.reset} restores the seeded state, so every invocation
 *    of a warm loop takes the same path.
 *  - Lambda Invoke: `InvocationType: Event` is accepted (202) and queued for the test to drain
 *    ({@link FakeAws.takeAsyncInvocations}); nothing runs. `DryRun`: 204. A synchronous invoke is not emulated.
 *  - Transcribe (JSON 1.1): StartTranscriptionJob, GetTranscriptionJob, ListTranscriptionJobs.
 *  - Comprehend (JSON 1.1): DetectSentiment, BatchDetectSentiment.
 *  - SSM (JSON 1.1): GetParameter (tenant settings and the models document; other names: ParameterNotFound).
 *  - Bedrock Runtime (REST-JSON): POST /model/<id>/converse.
 * Unknown operations get a 400 and are recorded as `UNHANDLED <...>` so the benchmark can flag them.
 *
 * Also used by the `cci` command's tests (__tests__/cli/), which add through {@link FakeAwsOptions}: STS
 * GetCallerIdentity (query protocol), S3 multipart uploads (create, upload part, list parts, complete, abort; with
 * injected part failures), and extra JSON operations (KMS, Athena) answered by the test. The benchmark passes
 * only its clock and sees none of it.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import { performance } from "node:perf_hooks";
import type { Clock } from "../lambda-src/core/clock";
import { FakeS3, HttpError, type S3Object } from "./fake-s3";

export const FAKE = {
  region: "eu-central-1",
  account: "123456789012",
  inputBucket: "cci-lite-bench-input",
  resultsBucket: "cci-lite-bench-results",
  tenant: "demo-tenant",
  callId: "sample",
  inputKey: "demo-tenant/calls/sample.wav",
  configPath: "/cci-lite/bench/config",
  jobNamePrefix: "cci-lite-bench-",
  modelId: "eu.anthropic.claude-3-haiku-20240307-v1:0",
};

/**
 * Upload time of the seeded call: 3 h before the fake starts, by its clock (whole seconds), so the job is inside the
 * reconcile look-back window, past the event grace period and not yet "stuck" for handlers on the same clock.
 */
export function seededUploadTime(clock: Clock): Date {
  return new Date(Math.floor(clock.now().getTime() / 1000) * 1000 - 3 * 3600 * 1000);
}

/** Name of the transcription job the fake reports for the seeded call. */
export const FAKE_JOB_NAME = `${FAKE.jobNamePrefix}${FAKE.tenant}-${FAKE.callId}-0123456789abcdef`;

const MAX_BODY = 8 * 1024 * 1024;

/**
 * `BENCH_TRANSCRIPT_FILE`: serve this file (streamed from disk, so the fake holds none of it in memory) as every
 * Transcribe output under tmp/ instead of the canned two-speaker transcript (the 4-hour benchmark).
 */
export const TRANSCRIPT_FILE_ENV = "BENCH_TRANSCRIPT_FILE";

/** 1 s of 8 kHz 16-bit mono PCM silence with a canonical 44-byte RIFF/WAVE header. */
export function wavFile(seconds = 1, sampleRate = 8000): Buffer {
  const dataBytes = seconds * sampleRate * 2;
  const b = Buffer.alloc(44 + dataBytes);
  b.write("RIFF", 0, "latin1");
  b.writeUInt32LE(36 + dataBytes, 4);
  b.write("WAVE", 8, "latin1");
  b.write("fmt ", 12, "latin1");
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write("data", 36, "latin1");
  b.writeUInt32LE(dataBytes, 40);
  return b;
}

const TURNS: ReadonlyArray<[string, string]> = [
  ["spk_0", "Thank you for calling Example Telecom, my name is Anna, how can I help you today?"],
  ["spk_1", "Hi Anna, my internet has been dropping every evening for a week and I work from home."],
  ["spk_0", "I am sorry to hear that. Let me check your line. I can see several disconnects after 7 pm."],
  ["spk_1", "Yes, exactly. It is really frustrating, I had to cancel two meetings."],
  ["spk_0", "I understand. I will replace your router free of charge and credit one month of service."],
  ["spk_1", "That sounds great, thank you. When will the router arrive?"],
  ["spk_0", "It ships today and should arrive within two business days. Is there anything else?"],
  ["spk_1", "No, that is all. Thanks for your help."],
];

/** A Transcribe output document (speaker labels) for the canned two-speaker call above. */
export function transcriptJson(jobName: string): string {
  const items: unknown[] = [];
  const segments: unknown[] = [];
  let t = 0.5;
  for (const [speaker, sentence] of TURNS) {
    const segStart = t;
    const segItems: unknown[] = [];
    for (const raw of sentence.split(" ")) {
      const word = raw.replace(/[.,?!]$/, "");
      const punct = raw.slice(word.length);
      const start = t;
      const end = t + 0.32;
      t = end + 0.05;
      const item = {
        id: items.length,
        type: "pronunciation",
        alternatives: [{ confidence: "0.987", content: word }],
        start_time: start.toFixed(3),
        end_time: end.toFixed(3),
        speaker_label: speaker,
      };
      items.push(item);
      segItems.push({ speaker_label: speaker, start_time: item.start_time, end_time: item.end_time });
      if (punct) {
        items.push({ id: items.length, type: "punctuation", alternatives: [{ confidence: "0.0", content: punct }], speaker_label: speaker });
      }
    }
    segments.push({ start_time: segStart.toFixed(3), end_time: t.toFixed(3), speaker_label: speaker, items: segItems });
    t += 0.6;
  }
  const audioSegments = TURNS.map(([speaker, sentence], id) => ({ id, transcript: sentence, speaker_label: speaker }));
  return JSON.stringify({
    jobName,
    accountId: FAKE.account,
    status: "COMPLETED",
    results: {
      transcripts: [{ transcript: TURNS.map(([, s]) => s).join(" ") }],
      speaker_labels: { speakers: 2, segments },
      items,
      audio_segments: audioSegments,
    },
  });
}

export const TENANT_SETTINGS = {
  tenant_id: FAKE.tenant,
  languages: ["en-US"],
  redact_pii: false,
  max_speakers: 2,
  results_retention_days: 365,
};

export const MODEL_SETTINGS = { bedrock_model_summary: FAKE.modelId, bedrock_region: FAKE.region, max_tokens: 1024 };

export const MODEL_ANSWER = {
  summary:
    "The customer reported nightly internet disconnects for a week. The agent confirmed the disconnects, offered a free router replacement and a one-month service credit; the customer accepted.",
  action_items: ["Ship a replacement router today", "Apply a one-month service credit"],
  risks: ["Customer had to cancel work meetings; churn risk if the issue persists"],
  sentiment: "POSITIVE",
};

const SENTIMENT_SCORE = { Positive: 0.8412, Negative: 0.0621, Neutral: 0.0903, Mixed: 0.0064 };

export interface FakeAwsOptions {
  /**
   * The fake's time: the seeded call's upload ({@link seededUploadTime}), the times of the objects it serves and the
   * `Date` header. The code under test must run on the same clock (the benchmark's handlers: the system clock).
   */
  readonly clock: Clock;
  /** Account (and caller ARN) STS GetCallerIdentity answers. @default FAKE.account */
  readonly account?: string;
  /** Extra JSON-protocol operations by `X-Amz-Target` (e.g. `TrentService.DescribeKey`), tried before the built-ins. */
  readonly json?: Readonly<Record<string, (body: Record<string, unknown>) => unknown>>;
}

/** An accepted asynchronous Lambda invocation (`InvocationType: Event`), waiting in the fake's queue. */
export interface AsyncInvocation {
  /** The function name or ARN as the caller named it (URL-decoded). */
  readonly functionName: string;
  readonly qualifier: string | undefined;
  /** The payload as sent (UTF-8). */
  readonly payload: string;
}

/** An S3 request as a test's gate sees it ({@link FakeAws.setS3Gate}). */
export interface S3GateRequest {
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The request body (UTF-8). */
  readonly body: string;
}
export type S3Gate = (req: S3GateRequest) => Promise<void> | void;

/** The version id of the seeded audio (the one the benchmark's S3 event names). */
export const SEEDED_VERSION_ID = "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY";

export interface FakeAws {
  readonly url: string;
  /** The fake's S3 state (buckets, versions, uploads), for a test to seed or inspect directly. */
  readonly s3: FakeS3;
  /** Back to the seeded state: every object, upload and queued invocation since the start is forgotten. */
  reset(): void;
  /** Asynchronous invocations accepted since the last call, oldest first (the queue is drained). */
  takeAsyncInvocations(): AsyncInvocation[];
  /**
   * Every S3 request waits for `gate` before it is served (undefined: none), so a test can order concurrent requests
   * (both writers read, then one writes first). Requests are still served one at a time, in the order they pass.
   */
  setS3Gate(gate: S3Gate | undefined): void;
  /** Upload time of the seeded call (its S3 object, its job's tags and times, the events of bench/events.ts). */
  readonly uploadedAt: Date;
  /** The next `n` S3 UploadPart requests fail with 500 InternalError (the SDK retries them). */
  failNextUploadParts(n: number): void;
  /** Multipart uploads by UploadId: the part numbers received, and whether the upload was completed or aborted. */
  multipartUploads(): ReadonlyMap<string, { readonly key: string; readonly parts: readonly number[]; readonly state: "open" | "completed" | "aborted" }>;
  /** Milliseconds the fake spent answering (synchronous work) since the last call; subtracted from handler CPU. */
  takeBusyMs(): number;
  /** Operations served since the last {@link FakeAws.takeCalls}, e.g. `S3.GetObject`. */
  takeCalls(): string[];
  close(): Promise<void>;
}

export async function startFakeAws(options: FakeAwsOptions): Promise<FakeAws> {
  const clock = options.clock;
  const uploadedAt = seededUploadTime(clock);
  let calls: string[] = [];
  let busyMs = 0;
  let invocations: AsyncInvocation[] = [];
  let s3Gate: S3Gate | undefined;
  // Any Transcribe output under tmp/ in the results bucket that was not written: the canned transcript.
  const transcript = (bucket: string, key: string): S3Object | undefined => {
    if (bucket === FAKE.resultsBucket && /^tmp\/.+\.json$/.test(key)) {
      const jobName = key.replace(/^.*\//, "").replace(/\.json$/, "");
      const file = process.env[TRANSCRIPT_FILE_ENV];
      if (file) return { body: Buffer.alloc(0), file, contentType: "application/json", lastModified: clock.now() };
      return { body: Buffer.from(transcriptJson(jobName)), contentType: "application/json", lastModified: clock.now() };
    }
    return undefined;
  };
  const s3 = new FakeS3(clock, transcript);
  const seed = (): void => {
    s3.clear();
    invocations = [];
    s3.setVersioning(FAKE.inputBucket, "Enabled");
    s3.setVersioning(FAKE.resultsBucket, "Enabled");
    s3.store(FAKE.inputBucket, FAKE.inputKey, {
      body: wavFile(),
      contentType: "audio/wav",
      lastModified: uploadedAt,
      versionId: SEEDED_VERSION_ID,
      sse: "aws:kms",
    });
  };
  seed();

  const epoch = (d: Date): number => Math.floor(d.getTime() / 1000) + (d.getTime() % 1000) / 1000;

  const job = (name: string, status: string): Record<string, unknown> => {
    const created = new Date(uploadedAt.getTime() + 5_000);
    const completed = new Date(uploadedAt.getTime() + 65_000);
    const tenant = FAKE.tenant;
    return {
      TranscriptionJobName: name,
      TranscriptionJobStatus: status,
      LanguageCode: "en-US",
      MediaSampleRateHertz: 8000,
      MediaFormat: "wav",
      Media: { MediaFileUri: `s3://${FAKE.inputBucket}/${FAKE.inputKey}` },
      ...(status === "COMPLETED"
        ? {
            Transcript: {
              TranscriptFileUri: `https://s3.${FAKE.region}.amazonaws.com/${FAKE.resultsBucket}/tmp/${tenant}/${name}.json`,
            },
            CompletionTime: epoch(completed),
          }
        : {}),
      StartTime: epoch(created),
      CreationTime: epoch(created),
      Settings: { ShowSpeakerLabels: true, MaxSpeakerLabels: 2, ChannelIdentification: false, ShowAlternatives: false },
      Tags: [
        { Key: "tenant", Value: tenant },
        { Key: "call_id", Value: FAKE.callId },
        { Key: "source_bucket", Value: FAKE.inputBucket },
        { Key: "source_key", Value: FAKE.inputKey },
        { Key: "uploaded_at", Value: uploadedAt.toISOString() },
      ],
    };
  };

  const json = (target: string, body: Record<string, unknown>): unknown => {
    const extra = options.json?.[target];
    if (extra) return extra(body);
    switch (target) {
      case "Transcribe.StartTranscriptionJob": {
        const j = job(String(body.TranscriptionJobName), "IN_PROGRESS");
        return { TranscriptionJob: { ...j, LanguageCode: body.LanguageCode ?? j.LanguageCode, Tags: body.Tags ?? j.Tags } };
      }
      case "Transcribe.GetTranscriptionJob":
        return { TranscriptionJob: job(String(body.TranscriptionJobName), "COMPLETED") };
      case "Transcribe.ListTranscriptionJobs": {
        const status = body.Status as string | undefined;
        if (status && status !== "COMPLETED") return { TranscriptionJobSummaries: [], ...(status ? { Status: status } : {}) };
        const j = job(FAKE_JOB_NAME, "COMPLETED");
        return {
          ...(status ? { Status: status } : {}),
          TranscriptionJobSummaries: [
            {
              TranscriptionJobName: FAKE_JOB_NAME,
              CreationTime: j.CreationTime,
              StartTime: j.StartTime,
              CompletionTime: j.CompletionTime,
              LanguageCode: "en-US",
              TranscriptionJobStatus: "COMPLETED",
              OutputLocationType: "CUSTOMER_BUCKET",
            },
          ],
        };
      }
      case "Comprehend_20171127.DetectSentiment":
        return { Sentiment: "POSITIVE", SentimentScore: SENTIMENT_SCORE };
      case "Comprehend_20171127.BatchDetectSentiment": {
        const list = Array.isArray(body.TextList) ? body.TextList : [];
        return { ResultList: list.map((_, Index) => ({ Index, Sentiment: "POSITIVE", SentimentScore: SENTIMENT_SCORE })), ErrorList: [] };
      }
      case "AmazonSSM.GetParameter": {
        const name = String(body.Name);
        let value: unknown;
        if (name.endsWith(`/tenants/${FAKE.tenant}`)) value = TENANT_SETTINGS;
        else if (name.endsWith("/models")) value = MODEL_SETTINGS;
        else throw new HttpError(400, "ParameterNotFound", `Parameter ${name} not found.`);
        return {
          Parameter: {
            Name: name,
            Type: "String",
            Value: JSON.stringify(value),
            Version: 3,
            LastModifiedDate: epoch(uploadedAt),
            ARN: `arn:aws:ssm:${FAKE.region}:${FAKE.account}:parameter${name}`,
            DataType: "text",
          },
        };
      }
      default:
        throw new HttpError(400, "UnknownOperationException", `fake AWS does not implement ${target}`);
    }
  };

  const handle = async (
    method: string,
    url: string,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body?: Buffer | string; file?: string }> => {
    const u = new URL(url, "http://127.0.0.1");
    const target = headers["x-amz-target"];
    const requestId = createHash("md5").update(`${calls.length}`).digest("hex");
    const base = { "x-amzn-requestid": requestId, "x-amz-request-id": requestId, date: clock.now().toUTCString() };
    // Every request must be SigV4-signed with the environment's credentials (proves the bundle's env-only
    // credential provider works); the signature itself is not verified.
    const auth = String(headers.authorization ?? "");
    if (!auth.startsWith("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/") || !headers["x-amz-security-token"]) {
      calls.push(`UNHANDLED unsigned request ${method} ${url}`);
    }
    try {
      if (typeof target === "string") {
        calls.push(target.replace(/^Comprehend_20171127\./, "Comprehend.").replace(/^AmazonSSM\./, "SSM."));
        const out = json(target, body.length ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>) : {});
        return { status: 200, headers: { ...base, "content-type": "application/x-amz-json-1.1" }, body: JSON.stringify(out) };
      }
      // STS (query protocol): who the caller is.
      if (method === "POST" && u.pathname === "/" && /(^|&)Action=GetCallerIdentity(&|$)/.test(body.toString("utf8"))) {
        calls.push("STS.GetCallerIdentity");
        const account = options.account ?? FAKE.account;
        const xml = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::${account}:assumed-role/operator/fake</Arn><UserId>AROAFAKE:fake</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
        return { status: 200, headers: { ...base, "content-type": "text/xml" }, body: xml };
      }
      // Lambda Invoke (reconcile hands missed jobs to analyze asynchronously): an event is queued (202), nothing runs.
      const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(u.pathname);
      if (method === "POST" && invoke) {
        calls.push("Lambda.Invoke");
        const type = String(headers["x-amz-invocation-type"] ?? "RequestResponse");
        if (type === "DryRun") return { status: 204, headers: base };
        if (type !== "Event") throw new HttpError(400, "UnknownOperationException", `fake Lambda runs no function (InvocationType ${type})`);
        const qualifier = u.searchParams.get("Qualifier") ?? undefined;
        invocations.push({ functionName: decodeURIComponent(invoke[1] ?? ""), qualifier, payload: body.toString("utf8") });
        return { status: 202, headers: { ...base, "content-type": "application/json" }, body: "" };
      }
      const converse = /^\/model\/([^/]+)\/converse$/.exec(u.pathname);
      if (method === "POST" && converse) {
        calls.push("Bedrock.Converse");
        const out = {
          output: { message: { role: "assistant", content: [{ text: JSON.stringify(MODEL_ANSWER) }] } },
          stopReason: "end_turn",
          usage: { inputTokens: 912, outputTokens: 148, totalTokens: 1060 },
          metrics: { latencyMs: 1830 },
        };
        return { status: 200, headers: { ...base, "content-type": "application/json" }, body: JSON.stringify(out) };
      }
      // S3, path-style (bench/fake-s3.ts).
      const [, bucket = "", ...keyParts] = u.pathname.split("/");
      const key = keyParts.map(decodeURIComponent).join("/");
      if (s3Gate) await s3Gate({ method, bucket, key, headers, body: body.toString("utf8") });
      const out = s3.handle(method, bucket, key, u.searchParams, headers, body, (op) => calls.push(op));
      return { ...out, headers: { ...base, "x-amz-id-2": "fake", ...out.headers } };
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (err.code === "UnknownOperationException") calls.push(`UNHANDLED ${method} ${url} ${target ?? ""}`);
      if (typeof target === "string" || /^\/model\//.test(u.pathname)) {
        return {
          status: err.status,
          headers: { ...base, "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": err.code },
          body: JSON.stringify({ __type: err.code, message: err.message }),
        };
      }
      const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${err.code}</Code><Message>${err.message}</Message><RequestId>${requestId}</RequestId></Error>`;
      return { status: err.status, headers: { ...base, "content-type": "application/xml", ...err.headers }, body: method === "HEAD" ? undefined : xml };
    }
  };

  const onRequest = (req: http.IncomingMessage | http2.Http2ServerRequest, response: http.ServerResponse | http2.Http2ServerResponse): void => {
    // Both response types (HTTP/1 and the HTTP/2 compatibility API) have these two methods.
    const res = response as unknown as {
      writeHead(status: number, headers?: Record<string, string>): unknown;
      end(body?: Buffer): unknown;
    } & NodeJS.WritableStream;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on("end", () => {
      const t0 = performance.now();
      handle(req.method ?? "GET", req.url ?? "/", req.headers, Buffer.concat(chunks))
        .then((out) => {
          const t1 = performance.now();
          if (out.file) {
            res.writeHead(out.status, out.headers);
            fs.createReadStream(out.file).pipe(res);
            return;
          }
          const body = out.body === undefined ? undefined : Buffer.isBuffer(out.body) ? out.body : Buffer.from(out.body);
          const headers = { ...out.headers };
          if (body && !headers["content-length"]) headers["content-length"] = String(body.length);
          res.writeHead(out.status, headers);
          res.end(req.method === "HEAD" ? undefined : body);
          busyMs += performance.now() - t1 + (t1 - t0);
        })
        .catch((err: unknown) => {
          calls.push(`ERROR ${String(err)}`);
          res.writeHead(500);
          res.end();
        });
    });
  };

  const h1 = http.createServer(onRequest);
  h1.keepAliveTimeout = 60_000;
  const h2 = http2.createServer(onRequest);
  const sockets = new Set<net.Socket>();
  // One port for both protocols: a cleartext HTTP/2 connection starts with the preface "PRI * HTTP/2.0".
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.once("data", (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      (first.toString("latin1", 0, 3) === "PRI" ? h2 : h1).emit("connection", socket);
      process.nextTick(() => socket.resume());
    });
  });
  server.maxConnections = 64;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  server.unref();
  return {
    url: `http://127.0.0.1:${port}`,
    uploadedAt,
    s3,
    reset: () => {
      const t0 = performance.now();
      seed();
      busyMs += performance.now() - t0; // the fake's work, not the handler's
    },
    takeAsyncInvocations: () => {
      const out = invocations;
      invocations = [];
      return out;
    },
    setS3Gate: (gate) => {
      s3Gate = gate;
    },
    failNextUploadParts: (n) => {
      s3.failUploadParts = n;
    },
    multipartUploads: () => s3.uploads(),
    takeBusyMs: () => {
      const out = busyMs;
      busyMs = 0;
      return out;
    },
    takeCalls: () => {
      const out = calls;
      calls = [];
      return out;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
