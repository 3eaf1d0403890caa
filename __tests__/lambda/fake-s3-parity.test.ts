/**
 * The fake S3 (bench/fake-s3.ts) is checked against moto: one script of S3 operations, through the real AWS SDK,
 * runs against the fake and against a moto server this test starts on 127.0.0.1, and each step's outcome (HTTP
 * status, error name, whether an ETag / version id / delete marker came back, the body read) must be the same.
 * Where moto is known to differ from real S3, the step is named in {@link MOTO_DIFFERENCES}: the fake must give real
 * S3's outcome and moto its own (so a moto that is fixed makes the entry fail, and it is removed).
 *
 * Prerequisite: moto with its server (`python3 -m moto.server`; `pip install 'moto[server]==5.2.1'`,
 * /work/shared/notes/emulator-facts.md). Without it the test fails and says so; it is never skipped.
 * Nothing leaves 127.0.0.1: both endpoints are loopback, and moto runs with proxies pointing at a closed local port.
 */
import { createHash } from "node:crypto";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { type FakeAws, startFakeAws } from "../../bench/fake-aws";
import { manualClock } from "../../lambda-src/core/clock";
import { type MotoServer, startMoto, stopMoto } from "../helpers/moto";

/** One step's observable result. */
type Outcome =
  | {
      readonly ok: true;
      readonly status: number | undefined;
      readonly etag?: boolean;
      readonly md5?: boolean;
      readonly version?: boolean;
      readonly marker?: boolean;
      readonly body?: string;
      readonly keys?: readonly string[];
      readonly truncated?: boolean;
    }
  | { readonly ok: false; readonly status: number | undefined; readonly name: string };

/** A step where moto's answer is not real S3's: the fake answers as S3 does. */
interface MotoDifference {
  readonly step: string;
  /** Real S3's outcome (AWS documentation), which the fake gives. */
  readonly s3: Outcome;
  /** moto 5.2.1's outcome. */
  readonly moto: Outcome;
  /** Where real S3's behaviour is documented. */
  readonly source: string;
}

/** Known differences between moto 5.2.1 and real S3 in this script. */
const MOTO_DIFFERENCES: readonly MotoDifference[] = [
  {
    // Every record, claim and lease is written with SSE-KMS (lambda-src/aws/records.ts): code must compare ETags,
    // never recompute them from the body. moto returns the MD5 anyway; the fake, like S3, does not.
    step: "put with SSE-KMS: the ETag is not the MD5 of the body",
    s3: { ok: true, status: 200, md5: false },
    moto: { ok: true, status: 200, md5: true },
    source:
      "https://docs.aws.amazon.com/AmazonS3/latest/API/API_Object.html (ETag: objects encrypted by SSE-C or SSE-KMS have ETags that are not an MD5 digest of their object data)",
  },
  {
    // Reading a delete marker by its version id: S3 answers 405 (with x-amz-delete-marker), moto 404 NoSuchVersion.
    // The runtime reads uploads by the version id of an ObjectCreated event (start's header read), never a delete
    // marker's; a test that plants one must expect S3's 405, not a "not found".
    step: "get the delete marker by its version id: 405 MethodNotAllowed",
    s3: { ok: false, status: 405, name: "MethodNotAllowed" },
    moto: { ok: false, status: 404, name: "NoSuchVersion" },
    source:
      "https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (LastModified: if the specified version in the request is a delete marker, the response returns a 405 Method Not Allowed error)",
  },
];

/** What the script remembers between steps (ETags and version ids it was given). */
interface Memo {
  etags: Record<string, string | undefined>;
  versions: Record<string, string | undefined>;
}

const PLAIN = "parity-plain";
const VERSIONED = "parity-versioned";
const REGION = "eu-central-1";
const KEY_ARN = "arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

async function outcome(f: () => Promise<Omit<Extract<Outcome, { ok: true }>, "ok" | "status"> & { $metadata: { httpStatusCode?: number } }>): Promise<Outcome> {
  try {
    const { $metadata, ...rest } = await f();
    return { ok: true, status: $metadata.httpStatusCode, ...rest };
  } catch (e) {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
    return { ok: false, status: err.$metadata?.httpStatusCode, name: String(err.name) };
  }
}

type Step = readonly [name: string, run: (s3: S3Client, m: Memo) => Promise<Outcome>];

const put = (s3: S3Client, m: Memo, bucket: string, key: string, body: string, cond: { IfMatch?: string; IfNoneMatch?: string } = {}, remember?: string) =>
  outcome(async () => {
    const out = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: Buffer.byteLength(body), ContentType: "application/json", ...cond }),
    );
    if (remember) {
      m.etags[remember] = out.ETag;
      m.versions[remember] = out.VersionId;
    }
    return { $metadata: out.$metadata, etag: Boolean(out.ETag), version: Boolean(out.VersionId) };
  });

const get = (s3: S3Client, m: Memo, bucket: string, key: string, versionId?: string, expectEtagOf?: string) =>
  outcome(async () => {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
    const body = out.Body ? await out.Body.transformToString("utf-8") : "";
    // The ETag a read returns is the one the write returned (compared, not printed: its value may differ between emulators).
    const etag = expectEtagOf ? out.ETag === m.etags[expectEtagOf] : Boolean(out.ETag);
    return { $metadata: out.$metadata, body, etag, version: Boolean(out.VersionId) };
  });

/** services/source-check.ts: one byte of the key, If-Match the ETag (or not: then the size from Content-Range). */
const oneByte = (s3: S3Client, key: string, etag: string | undefined) =>
  outcome(async () => {
    const out = await s3.send(new GetObjectCommand({ Bucket: PLAIN, Key: key, ...(etag ? { IfMatch: etag } : {}), Range: "bytes=0-0" }));
    return { $metadata: out.$metadata, body: out.Body ? await out.Body.transformToString("utf-8") : "", range: out.ContentRange ?? null };
  });

const del = (s3: S3Client, bucket: string, key: string, opts: { IfMatch?: string; VersionId?: string } = {}, m?: Memo, remember?: string) =>
  outcome(async () => {
    const out = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, ...opts }));
    if (m && remember) m.versions[remember] = out.VersionId;
    return { $metadata: out.$metadata, marker: Boolean(out.DeleteMarker), version: Boolean(out.VersionId) };
  });

const list = (s3: S3Client, prefix: string, maxKeys: number) =>
  outcome(async () => {
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    let status: number | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: PLAIN, Prefix: prefix, MaxKeys: maxKeys, ContinuationToken: token }));
      status = page.$metadata.httpStatusCode;
      pages++;
      for (const o of page.Contents ?? []) keys.push(`${o.Key}:${o.Size}:${Boolean(o.ETag)}`);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && pages < 10);
    return { $metadata: { httpStatusCode: status }, keys, truncated: pages > 1 };
  });

/** The script: the operations the write protocol relies on (lambda-src/aws/records.ts, services/process-job.ts). */
const SCRIPT: readonly Step[] = [
  [
    "create the plain bucket",
    (s3) =>
      outcome(async () => ({
        $metadata: (await s3.send(new CreateBucketCommand({ Bucket: PLAIN, CreateBucketConfiguration: { LocationConstraint: REGION } }))).$metadata,
      })),
  ],
  [
    "create the versioned bucket",
    (s3) =>
      outcome(async () => ({
        $metadata: (await s3.send(new CreateBucketCommand({ Bucket: VERSIONED, CreateBucketConfiguration: { LocationConstraint: REGION } }))).$metadata,
      })),
  ],
  [
    "enable versioning",
    (s3) =>
      outcome(async () => ({
        $metadata: (await s3.send(new PutBucketVersioningCommand({ Bucket: VERSIONED, VersioningConfiguration: { Status: "Enabled" } }))).$metadata,
      })),
  ],
  ["put: a new key, no version id in a plain bucket", (s3, m) => put(s3, m, PLAIN, "r/a.json", '{"v":1}', {}, "a1")],
  ["put If-None-Match * on an existing key: 412", (s3, m) => put(s3, m, PLAIN, "r/a.json", '{"v":"x"}', { IfNoneMatch: "*" })],
  ["put If-None-Match * on an absent key", (s3, m) => put(s3, m, PLAIN, "r/b.json", '{"b":1}', { IfNoneMatch: "*" }, "b1")],
  ["put If-Match the current ETag", (s3, m) => put(s3, m, PLAIN, "r/a.json", '{"v":2}', { IfMatch: m.etags.a1 }, "a2")],
  ["put If-Match a stale ETag: 412", (s3, m) => put(s3, m, PLAIN, "r/a.json", '{"v":"stale"}', { IfMatch: m.etags.a1 })],
  ["put If-Match on an absent key: 404 NoSuchKey", (s3, m) => put(s3, m, PLAIN, "r/absent.json", "{}", { IfMatch: m.etags.a2 })],
  [
    "put with SSE-KMS: the ETag is not the MD5 of the body",
    (s3) =>
      outcome(async () => {
        const body = '{"kms":1}';
        const out = await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: "kms.json", Body: body, ServerSideEncryption: "aws:kms", SSEKMSKeyId: KEY_ARN }));
        return { $metadata: out.$metadata, md5: out.ETag === `"${createHash("md5").update(body).digest("hex")}"` };
      }),
  ],
  ["get: the last write, with the ETag the write returned", (s3, m) => get(s3, m, PLAIN, "r/a.json", undefined, "a2")],
  ["get an absent key: 404 NoSuchKey", (s3, m) => get(s3, m, PLAIN, "r/absent.json")],
  ["get one byte If-Match the current ETag (analyze's exact-upload check)", (s3, m) => oneByte(s3, "r/a.json", m.etags.a2)],
  ["get one byte If-Match a stale ETag: 412", (s3, m) => oneByte(s3, "r/a.json", m.etags.a1)],
  ["put an empty object", (s3, m) => put(s3, m, PLAIN, "r/empty.wav", "", {})],
  ["get one byte of an empty object: 416 InvalidRange (analyze's newer-upload size check)", (s3) => oneByte(s3, "r/empty.wav", undefined)],
  ["delete If-Match a stale ETag: 412", (s3, m) => del(s3, PLAIN, "r/a.json", { IfMatch: m.etags.a1 })],
  ["delete If-Match the current ETag", (s3, m) => del(s3, PLAIN, "r/a.json", { IfMatch: m.etags.a2 })],
  ["get a deleted key: 404 NoSuchKey", (s3, m) => get(s3, m, PLAIN, "r/a.json")],
  ["delete If-Match on an absent key: 404 NoSuchKey", (s3, m) => del(s3, PLAIN, "r/a.json", { IfMatch: m.etags.a2 })],
  ["delete an absent key unconditionally: 204", (s3) => del(s3, PLAIN, "r/never.json")],
  ["put If-None-Match * where a deleted key was", (s3, m) => put(s3, m, PLAIN, "r/a.json", '{"v":3}', { IfNoneMatch: "*" })],
  [
    "put three keys under p/ and one under q/",
    async (s3, m) => {
      for (const k of ["p/2.json", "p/1.json", "q/1.json", "p/3.json"]) await put(s3, m, PLAIN, k, k);
      return put(s3, m, PLAIN, "p/0.json", "p/0.json");
    },
  ],
  ["list prefix p/ two keys a page, with continuation", (s3) => list(s3, "p/", 2)],
  ["list prefix r/", (s3) => list(s3, "r/", 1000)],
  ["versioned put: a version id", (s3, m) => put(s3, m, VERSIONED, "v.json", '{"v":1}', {}, "v1")],
  ["versioned put If-Match the current ETag: a new version", (s3, m) => put(s3, m, VERSIONED, "v.json", '{"v":2}', { IfMatch: m.etags.v1 }, "v2")],
  ["versioned put If-Match a stale ETag: 412", (s3, m) => put(s3, m, VERSIONED, "v.json", '{"v":"stale"}', { IfMatch: m.etags.v1 })],
  ["get the older version by id", (s3, m) => get(s3, m, VERSIONED, "v.json", m.versions.v1, "v1")],
  ["get the current version", (s3, m) => get(s3, m, VERSIONED, "v.json", undefined, "v2")],
  ["delete without a version: a delete marker", (s3, m) => del(s3, VERSIONED, "v.json", {}, m, "marker")],
  ["get the delete marker by its version id: 405 MethodNotAllowed", (s3, m) => get(s3, m, VERSIONED, "v.json", m.versions.marker)],
  [
    "head behind a delete marker: 404",
    (s3) =>
      outcome(async () => {
        const out = await s3.send(new HeadObjectCommand({ Bucket: VERSIONED, Key: "v.json" }));
        return { $metadata: out.$metadata, etag: Boolean(out.ETag) };
      }),
  ],
  ["get behind a delete marker: 404 NoSuchKey", (s3, m) => get(s3, m, VERSIONED, "v.json")],
  ["put If-Match behind a delete marker: 404 NoSuchKey", (s3, m) => put(s3, m, VERSIONED, "v.json", "{}", { IfMatch: m.etags.v2 })],
  ["get a version behind the delete marker", (s3, m) => get(s3, m, VERSIONED, "v.json", m.versions.v2, "v2")],
  ["put If-None-Match * behind a delete marker", (s3, m) => put(s3, m, VERSIONED, "v.json", '{"v":3}', { IfNoneMatch: "*" }, "v3")],
  ["delete one version by id", (s3, m) => del(s3, VERSIONED, "v.json", { VersionId: m.versions.v1 })],
  ["get the deleted version: 404 NoSuchVersion", (s3, m) => get(s3, m, VERSIONED, "v.json", m.versions.v1)],
  ["get the current version after it", (s3, m) => get(s3, m, VERSIONED, "v.json", undefined, "v3")],
];

const CREDENTIALS = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", sessionToken: "fake-session-token" };
const client = (endpoint: string) => new S3Client({ region: REGION, endpoint, forcePathStyle: true, credentials: CREDENTIALS, maxAttempts: 1 });

async function run(s3: S3Client): Promise<Map<string, Outcome>> {
  const memo: Memo = { etags: {}, versions: {} };
  const out = new Map<string, Outcome>();
  for (const [name, step] of SCRIPT) out.set(name, await step(s3, memo));
  return out;
}

let moto: MotoServer | undefined;
let fake: FakeAws;
let motoOut: Map<string, Outcome>;
let fakeOut: Map<string, Outcome>;

beforeAll(async () => {
  fake = await startFakeAws({ clock: manualClock("2026-03-14T09:00:00Z") });
  fakeOut = await run(client(fake.url));
  moto = await startMoto();
  motoOut = await run(client(moto.url));
}, 25_000);

afterAll(async () => {
  await fake?.close();
  if (moto) await stopMoto(moto);
});

it("the fake served every step as a known S3 operation", () => {
  expect(fake.takeCalls().filter((c) => c.startsWith("UNHANDLED") || c.startsWith("ERROR"))).toEqual([]);
});

it.each(SCRIPT.map(([name]) => [name]))("%s: the fake answers as S3 (checked against moto)", (name) => {
  const known = MOTO_DIFFERENCES.find((d) => d.step === name);
  if (known) {
    expect(fakeOut.get(name)).toEqual(known.s3);
    expect(motoOut.get(name)).toEqual(known.moto);
  } else {
    expect(fakeOut.get(name)).toEqual(motoOut.get(name));
  }
});

it("the script's outcomes are S3's, not only moto's and the fake's (spot checks)", () => {
  expect(fakeOut.get("put If-None-Match * on an existing key: 412")).toEqual({ ok: false, status: 412, name: "PreconditionFailed" });
  expect(fakeOut.get("put If-Match on an absent key: 404 NoSuchKey")).toEqual({ ok: false, status: 404, name: "NoSuchKey" });
  expect(fakeOut.get("get one byte of an empty object: 416 InvalidRange (analyze's newer-upload size check)")).toMatchObject({
    ok: false,
    status: 416,
    name: "InvalidRange",
  });
  expect(fakeOut.get("delete without a version: a delete marker")).toEqual({ ok: true, status: 204, marker: true, version: true });
  expect(fakeOut.get("list prefix p/ two keys a page, with continuation")).toMatchObject({
    keys: ["p/0.json:8:true", "p/1.json:8:true", "p/2.json:8:true", "p/3.json:8:true"],
    truncated: true,
  });
});
