/**
 * Reads the transcripts of the calls the browser shows (`npm run report -- --transcripts`): Transcribe's output at
 * `tmp/<tenant>/<job>.json` (lambda-src/contracts/storage-layout.ts), in the results bucket with the caller's
 * credentials, or under a local folder that mirrors the bucket. Only calls whose transcript has not expired are
 * looked up (calls-model.ts wantsTranscript). A refused read (AccessDenied: the caller is not in
 * `access.transcriptReaders` for the tenant) is `not-permitted` on the call's page, never a failed report.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { transcribeOutputKey } from "../../lambda-src/contracts/storage-layout";
import type { TranscribeOutput } from "../../lambda-src/core/transcript";
import type { DatedResult } from "../../modules/insights/semantics";
import { type TranscriptLookup, transcriptId, wantsTranscript } from "./calls-model";

/** The calls whose transcript the report may look up, with the key of each. */
function wanted(rows: readonly DatedResult[], generatedAt: string, transcriptsDays: number): Array<{ id: string; key: string }> {
  return rows
    .filter((r) => wantsTranscript(r.result, generatedAt, transcriptsDays))
    .map((r) => ({
      id: transcriptId(r.tenant, r.result.transcription_job_name as string),
      key: transcribeOutputKey(r.tenant, r.result.transcription_job_name as string),
    }));
}

function parse(where: string, text: string): TranscriptLookup {
  try {
    return { doc: JSON.parse(text) as TranscribeOutput };
  } catch (e) {
    throw new Error(`${where}: transcript is not JSON (${(e as Error).message})`);
  }
}

/** Transcripts under `<dir>/tmp/<tenant>/<job>.json` (a folder synced from the results bucket). */
export function folderTranscripts(dir: string, rows: readonly DatedResult[], generatedAt: string, transcriptsDays: number): Map<string, TranscriptLookup> {
  const out = new Map<string, TranscriptLookup>();
  for (const { id, key } of wanted(rows, generatedAt, transcriptsDays)) {
    const file = path.join(dir, ...key.split("/"));
    out.set(id, fs.existsSync(file) ? parse(file, fs.readFileSync(file, "utf8")) : { problem: "missing" });
  }
  return out;
}

/** How many transcripts the bucket loader reads at once. */
const PARALLEL = 8;

/** Transcripts from the results bucket, with the caller's credentials. */
export async function bucketTranscripts(
  s3: S3Client,
  bucket: string,
  rows: readonly DatedResult[],
  generatedAt: string,
  transcriptsDays: number,
): Promise<Map<string, TranscriptLookup>> {
  const out = new Map<string, TranscriptLookup>();
  const todo = wanted(rows, generatedAt, transcriptsDays);
  const read = async ({ id, key }: { id: string; key: string }) => {
    try {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!got.Body) throw new Error(`s3://${bucket}/${key} came back without a body`);
      out.set(id, parse(`s3://${bucket}/${key}`, await got.Body.transformToString("utf8")));
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === "NoSuchKey" || name === "NotFound") out.set(id, { problem: "missing" });
      else if (name === "AccessDenied" || name === "Forbidden") out.set(id, { problem: "not-permitted" });
      else throw e;
    }
  };
  for (let i = 0; i < todo.length; i += PARALLEL) await Promise.all(todo.slice(i, i + PARALLEL).map(read));
  return out;
}
