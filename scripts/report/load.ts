/**
 * Reads result records for the report: from a local folder (any depth; the results bucket's layout
 * `<tenant>/YYYY/MM/DD/<call_id>.json` gives tenant and day as Athena's partitions do), or from the results
 * bucket for one tenant and a date range, with the caller's credentials (the default AWS credential chain).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { CallResult } from "../../lambda-src/contracts/result-schema";
import { ATHENA_RESULTS_PREFIX, PIPELINE_PREFIX, TMP_PREFIX } from "../../lambda-src/contracts/storage-layout";
import type { DatedResult } from "../../modules/insights/semantics";

const KEY = /(?:^|\/)([a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?)\/(\d{4})\/(\d{2})\/(\d{2})\/[^/]+\.json$/;

/** A parsed record with its tenant and day: from the key when it follows the bucket's layout, else from the record. */
export function datedResult(key: string, text: string): DatedResult {
  let result: CallResult;
  try {
    result = JSON.parse(text) as CallResult;
  } catch (e) {
    throw new Error(`${key}: not JSON (${(e as Error).message})`);
  }
  if (!result || typeof result !== "object" || typeof result.status !== "string" || typeof result.call_id !== "string")
    throw new Error(`${key}: not a result record (no status or call_id)`);
  const m = KEY.exec(key.split(path.sep).join("/"));
  if (m) return { tenant: m[1], day: `${m[2]}-${m[3]}-${m[4]}`, result };
  if (typeof result.tenant !== "string" || typeof result.timestamp !== "string") throw new Error(`${key}: no tenant/date in its path or record`);
  return { tenant: result.tenant, day: result.timestamp.slice(0, 10), result };
}

/** Top-level folders of a synced results bucket that hold no call records: transcripts, query results, bookkeeping. */
const NOT_RECORDS = new Set([TMP_PREFIX, ATHENA_RESULTS_PREFIX, PIPELINE_PREFIX].map((p) => p.replace(/\/$/, "")));

/** Every `*.json` under a folder (but under its top-level `tmp/`, `athena-results/` and `cci-lite/`). */
export function loadFolder(dir: string): DatedResult[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder`);
  const out: DatedResult[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && d === dir && NOT_RECORDS.has(e.name)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".json")) out.push(datedResult(path.relative(dir, p), fs.readFileSync(p, "utf8")));
    }
  };
  walk(dir);
  return out;
}

/** The days from `from` to `to` inclusive (yyyy-mm-dd). */
export function daysBetween(from: string, to: string): string[] {
  const re = /^\d{4}-\d{2}-\d{2}$/;
  if (!re.test(from) || !re.test(to)) throw new Error(`dates must be yyyy-mm-dd, got ${from} and ${to}`);
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end) || end < start) throw new Error(`${from}..${to} is not a date range`);
  if ((end - start) / 86_400_000 > 366) throw new Error(`${from}..${to} is longer than a year`);
  const out: string[] = [];
  for (let t = start; t <= end; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** One tenant's records of a date range from the results bucket (one listing per day: `<tenant>/YYYY/MM/DD/`). */
export async function loadBucket(s3: S3Client, bucket: string, tenant: string, from: string, to: string): Promise<DatedResult[]> {
  const out: DatedResult[] = [];
  for (const day of daysBetween(from, to)) {
    const prefix = `${tenant}/${day.replace(/-/g, "/")}/`;
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        if (!o.Key?.endsWith(".json")) continue;
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
        if (!got.Body) throw new Error(`s3://${bucket}/${o.Key} came back without a body`);
        out.push(datedResult(o.Key, await got.Body.transformToString("utf8")));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
  return out;
}
