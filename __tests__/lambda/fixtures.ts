/**
 * Shared fixtures for the runtime tests: environment, S3/SQS/EventBridge events, audio headers and transcripts.
 * Imported first by every test file so the environment is set before Powertools is constructed.
 */
process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
process.env.POWERTOOLS_METRICS_DISABLED = "true";
process.env.POWERTOOLS_SERVICE_NAME = "cci-lite-test";
process.env.POWERTOOLS_METRICS_NAMESPACE = "CCI-Lite";
process.env.AWS_REGION = "eu-central-1";

import type { SQSEvent } from "aws-lambda";

export const ENV: Record<string, string> = {
  ENVIRONMENT: "test",
  NAME_PREFIX: "cci-lite",
  INPUT_BUCKET: "cci-lite-test-input",
  RESULTS_BUCKET: "cci-lite-test-results",
  KMS_KEY_ARN: "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  JOB_NAME_PREFIX: "cci-lite-test-",
  CONFIG_PATH: "/cci-lite/test/config",
  TRANSCRIBE_ROLE_ARN: "arn:aws:iam::111122223333:role/cci-lite-test-transcribe",
  BEDROCK_MODEL_ID: "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
  BEDROCK_REGION: "eu-central-1",
  BEDROCK_MAX_TOKENS: "1024",
  DELETE_INPUT_ON_SUCCESS: "false",
  STUCK_JOB_HOURS: "6",
  RECONCILE_LOOKBACK_HOURS: "48",
  ANALYZE_FUNCTION_NAME: "cci-lite-test-analyze",
};
Object.assign(process.env, ENV);

export const EVENT_TIME = "2026-03-14T09:26:53.000Z";

export interface S3RecordOpts {
  key: string;
  size?: number;
  versionId?: string;
  eTag?: string;
  bucket?: string;
  eventName?: string;
  eventTime?: string;
}

export function s3Record(o: S3RecordOpts) {
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: "eu-central-1",
    eventTime: o.eventTime ?? EVENT_TIME,
    eventName: o.eventName ?? "ObjectCreated:Put",
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "upload",
      bucket: { name: o.bucket ?? ENV.INPUT_BUCKET, arn: `arn:aws:s3:::${o.bucket ?? ENV.INPUT_BUCKET}` },
      object: {
        key: o.key,
        size: o.size ?? 123456,
        eTag: o.eTag ?? "0123456789abcdef0123456789abcdef",
        ...(o.versionId ? { versionId: o.versionId } : {}),
        sequencer: "0055AED6DCD90281E5",
      },
    },
  };
}

let msgSeq = 0;
export function sqsEvent(...bodies: unknown[]): SQSEvent {
  return {
    Records: bodies.map((b) => ({
      messageId: `msg-${++msgSeq}`,
      receiptHandle: "rh",
      body: typeof b === "string" ? b : JSON.stringify(b),
      attributes: { ApproximateReceiveCount: "1", SentTimestamp: "0", SenderId: "s3", ApproximateFirstReceiveTimestamp: "0" },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:eu-central-1:111122223333:uploads",
      awsRegion: "eu-central-1",
    })),
  };
}

export function uploadEvent(...records: S3RecordOpts[]): SQSEvent {
  return sqsEvent(...records.map((r) => ({ Records: [s3Record(r)] })));
}

/** A fake SDK stream body. */
export function body(content: string | Uint8Array): any {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  return {
    transformToByteArray: async () => bytes,
    transformToString: async () => new TextDecoder().decode(bytes),
  };
}

/** Minimal RIFF/WAVE header; `extensible` writes WAVE_FORMAT_EXTENSIBLE with a 40-byte fmt chunk. */
export function wavHeader(channels: number, opts: { extensible?: boolean; sampleRate?: number; leadingChunk?: boolean } = {}): Uint8Array {
  const sampleRate = opts.sampleRate ?? 8000;
  const fmtSize = opts.extensible ? 40 : 16;
  const lead = opts.leadingChunk ? 8 + 5 + 1 : 0; // "LIST" chunk with odd size 5 + pad byte
  const buf = Buffer.alloc(12 + lead + 8 + fmtSize + 8 + 4);
  buf.write("RIFF", 0, "ascii");
  buf.writeUInt32LE(buf.length - 8, 4);
  buf.write("WAVE", 8, "ascii");
  let o = 12;
  if (opts.leadingChunk) {
    buf.write("LIST", o, "ascii");
    buf.writeUInt32LE(5, o + 4);
    o += 8 + 5 + 1;
  }
  buf.write("fmt ", o, "ascii");
  buf.writeUInt32LE(fmtSize, o + 4);
  buf.writeUInt16LE(opts.extensible ? 0xfffe : 1, o + 8);
  buf.writeUInt16LE(channels, o + 10);
  buf.writeUInt32LE(sampleRate, o + 12);
  buf.writeUInt32LE(sampleRate * channels * 2, o + 16);
  buf.writeUInt16LE(channels * 2, o + 20);
  buf.writeUInt16LE(16, o + 22);
  o += 8 + fmtSize;
  buf.write("data", o, "ascii");
  buf.writeUInt32LE(4, o + 4);
  return new Uint8Array(buf);
}

export function flacHeader(channels: number, sampleRate = 16000): Uint8Array {
  const buf = Buffer.alloc(4 + 4 + 34);
  buf.write("fLaC", 0, "ascii");
  buf[4] = 0x80; // last block, type 0 STREAMINFO
  buf[5] = 0;
  buf[6] = 0;
  buf[7] = 34;
  const s = 8;
  buf.writeUInt16BE(4096, s);
  buf.writeUInt16BE(4096, s + 2);
  // 20 bits sample rate, 3 bits channels-1, 5 bits bps-1 (16 -> 15)
  buf[s + 10] = (sampleRate >> 12) & 0xff;
  buf[s + 11] = (sampleRate >> 4) & 0xff;
  buf[s + 12] = ((sampleRate & 0x0f) << 4) | (((channels - 1) & 0x07) << 1) | ((15 >> 4) & 0x01);
  buf[s + 13] = (15 & 0x0f) << 4;
  return new Uint8Array(buf);
}

/** MPEG-1 Layer III 128 kbit/s 44.1 kHz frame header, optionally behind an ID3v2 tag. */
export function mp3Header(mono: boolean, id3Bytes = 0): Uint8Array {
  const id3 = id3Bytes > 0 ? 10 + id3Bytes : 0;
  const buf = Buffer.alloc(id3 + 4 + 16);
  if (id3) {
    buf.write("ID3", 0, "ascii");
    buf[3] = 4;
    buf[4] = 0;
    buf[5] = 0;
    buf[6] = (id3Bytes >> 21) & 0x7f;
    buf[7] = (id3Bytes >> 14) & 0x7f;
    buf[8] = (id3Bytes >> 7) & 0x7f;
    buf[9] = id3Bytes & 0x7f;
    buf.fill(0xff, 10, 10 + Math.min(id3Bytes, 3)); // sync-looking bytes inside the tag must be skipped
  }
  buf[id3] = 0xff;
  buf[id3 + 1] = 0xfb; // MPEG-1, Layer III, no CRC
  buf[id3 + 2] = 0x90; // 128 kbit/s, 44.1 kHz
  buf[id3 + 3] = mono ? 0xc4 : 0x44; // channel mode 11 (mono) or 01 (joint stereo)
  return new Uint8Array(buf);
}

type Word = [label: string, start: number, end: number, word: string, punct?: string];

/** A Transcribe output document with speaker labels (items carry speaker_label, plus segments). */
export function speakerTranscript(words: Word[], language = "en-US") {
  const items: any[] = [];
  for (const [label, s, e, w, p] of words) {
    items.push({
      start_time: s.toFixed(2),
      end_time: e.toFixed(2),
      type: "pronunciation",
      speaker_label: label,
      alternatives: [{ confidence: "0.99", content: w }],
    });
    if (p) items.push({ type: "punctuation", alternatives: [{ confidence: "0.0", content: p }] });
  }
  const segments: any[] = [];
  for (const [label, s, e] of words) {
    const last = segments[segments.length - 1];
    if (last && last.speaker_label === label) last.end_time = e.toFixed(2);
    else segments.push({ speaker_label: label, start_time: s.toFixed(2), end_time: e.toFixed(2), items: [] });
  }
  const text = words.map(([, , , w, p]) => `${w}${p ?? ""}`).join(" ");
  return {
    jobName: "x",
    accountId: "111122223333",
    status: "COMPLETED",
    results: {
      language_code: language,
      transcripts: [{ transcript: text }],
      speaker_labels: { speakers: new Set(words.map((w) => w[0])).size, segments },
      items,
    },
  };
}

/** A Transcribe output document with channel identification. */
export function channelTranscript(ch0: Array<[number, number, string]>, ch1: Array<[number, number, string]>) {
  const mk = (ws: Array<[number, number, string]>, label: string) =>
    ws.map(([s, e, w]) => ({
      start_time: s.toFixed(2),
      end_time: e.toFixed(2),
      type: "pronunciation",
      channel_label: label,
      alternatives: [{ confidence: "0.9", content: w }],
    }));
  const all = [...mk(ch0, "ch_0"), ...mk(ch1, "ch_1")].sort((a, b) => Number(a.start_time) - Number(b.start_time));
  return {
    results: {
      transcripts: [{ transcript: all.map((i) => i.alternatives[0].content).join(" ") }],
      channel_labels: {
        number_of_channels: 2,
        channels: [
          { channel_label: "ch_0", items: mk(ch0, "ch_0") },
          { channel_label: "ch_1", items: mk(ch1, "ch_1") },
        ],
      },
      items: all,
    },
  };
}

export const GOOD_ANSWER = JSON.stringify({
  summary: "The customer reported a billing error and the agent issued a refund.",
  action_items: ["Send refund confirmation"],
  risks: ["Customer threatened to cancel"],
  sentiment: "MIXED",
});

export function awsError(name: string, status = 400, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, $fault: status >= 500 ? "server" : "client" });
}

/**
 * An in-memory S3 bucket behind an aws-sdk-client-mock S3 mock: GetObject, PutObject (with `IfMatch` /
 * `IfNoneMatch` answered 412 like S3), DeleteObject and ListObjectsV2 (sorted keys, 1,000 per page).
 */
export class FakeBucket {
  readonly objects = new Map<string, { body: string; etag: string }>();
  private n = 0;

  put(key: string, bodyText: string): string {
    const etag = `"e${++this.n}"`;
    this.objects.set(key, { body: bodyText, etag });
    return etag;
  }

  get(input: { Key?: string }) {
    const o = this.objects.get(String(input.Key));
    if (!o) throw awsError("NoSuchKey", 404);
    return { ETag: o.etag, Body: body(o.body) };
  }

  conditionalPut(input: { Key?: string; Body?: unknown; IfMatch?: string; IfNoneMatch?: string }) {
    const key = String(input.Key);
    const cur = this.objects.get(key);
    if (input.IfNoneMatch === "*" && cur) throw awsError("PreconditionFailed", 412);
    if (input.IfMatch !== undefined && cur?.etag !== input.IfMatch) throw awsError("PreconditionFailed", 412);
    return { ETag: this.put(key, String(input.Body ?? "")) };
  }

  list(input: { Prefix?: string; ContinuationToken?: string; MaxKeys?: number }) {
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(input.Prefix ?? "")).sort();
    const start = Number(input.ContinuationToken ?? 0);
    const size = input.MaxKeys ?? 1000;
    const page = keys.slice(start, start + size);
    const more = start + size < keys.length;
    return { Contents: page.map((Key) => ({ Key })), IsTruncated: more, NextContinuationToken: more ? String(start + size) : undefined };
  }

  record(key: string): any {
    const o = this.objects.get(key);
    return o ? JSON.parse(o.body) : undefined;
  }
}
