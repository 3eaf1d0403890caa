/**
 * `npm run report`: the insight figures without QuickSight, as one self-contained HTML file (docs/insights.md).
 *
 *   npm run report -- --sample                                   the generated sample (sample.ts)
 *   npm run report -- --from ./results                           result JSON files under a local folder
 *   npm run report -- --env prod --tenant acme --since 2026-11-01 --until 2026-11-14
 *                                                                one tenant's results in the environment's results
 *                                                                bucket (name from config/<env>.json), with the
 *                                                                caller's AWS credentials
 *   options: --out <file> (default report.html), --bucket <name> (instead of the configured name),
 *            --sample-out <dir> (write the sample's JSON files there too), --transcripts (read transcripts)
 *
 * Next to the aggregate page it writes the call browser, `<out name>-calls.html` (calls-html.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { S3Client } from "@aws-sdk/client-s3";
import { type Clock, systemClock } from "../../lambda-src/core/clock";
import { isUserError } from "../../modules/config/errors";
import { loadEnvironments } from "../../modules/config/load";
import { naming } from "../../modules/config/naming";
import { UNASSIGNED_TENANT } from "../../lambda-src/contracts/storage-layout";
import type { DatedResult } from "../../modules/insights/semantics";
import { renderCallsHtml } from "./calls-html";
import { buildCallsModel, type TranscriptLookup } from "./calls-model";
import { renderHtml } from "./html";
import { datedResult, loadBucket, loadFolder } from "./load";
import { buildModel } from "./model";
import { generateSample } from "./sample";
import { sampleTranscripts } from "./sample-transcripts";
import { bucketTranscripts, folderTranscripts } from "./transcripts";

export class UsageError extends Error {}

/** What `npm run report -- --help` prints. */
export const USAGE = `usage: npm run report -- (--sample | --from <folder> | --env <environment> --tenant <id> --since <yyyy-mm-dd> --until <yyyy-mm-dd>) [options]

  --sample               the generated sample (3 tenants, 3 languages, failures, rejections)
  --from <folder>        result JSON files under a local folder (any depth)
  --env <environment>    one tenant's results in the environment's results bucket (config/<env>.json), read with
                         your AWS credentials; needs --tenant, --since and --until (UTC days, inclusive)
  --out <file>           where to write the HTML (default report.html)
  --bucket <name>        read this bucket instead of the configured one (with --env)
  --sample-out <dir>     with --sample, also write the sample's JSON files there (and its transcripts under tmp/)
  --transcripts          show the calls' transcript turns: read tmp/<tenant>/<job>.json from the bucket (your
                         credentials must be in access.transcriptReaders for the tenant), from <folder>/tmp/ with
                         --from, or the sample's; without it, no transcript is read and the call pages say so
  --transcripts-days <n> how long transcripts are kept (default: retention.transcriptsDays of config/<env>.json with
                         --env, else 7): older ones are reported expired and not read
  --help                 this text

Writes two files: the aggregate page (--out) and the call browser next to it (<out name>-calls.html).

examples:
  npm run report -- --sample --out report.html
  npm run report -- --env prod --tenant acme --since 2026-11-01 --until 2026-11-14 --out acme.html`;

/** The call browser's file, next to the aggregate page: `report.html` -> `report-calls.html`. */
export function callsPath(out: string): string {
  const ext = path.extname(out);
  return path.join(path.dirname(out), `${path.basename(out, ext)}-calls${ext || ".html"}`);
}

/** retention.transcriptsDays' default (modules/config/schema.ts), for sources without a configuration. */
const DEFAULT_TRANSCRIPTS_DAYS = 7;

export interface ReportArgs {
  readonly out: string;
  readonly html: string;
  /** The call browser's file and page. */
  readonly callsOut: string;
  readonly callsHtml: string;
  /** Calls in the report (records of audio uploads). */
  readonly calls: number;
  /** Rejected non-audio or oversize files, counted apart from the calls (modules/insights/semantics.ts isFileRecord). */
  readonly files: number;
  /** Set (and nothing written) for --help. */
  readonly help?: string;
}

/** Writes every sample record under a folder in the bucket's layout, and its transcripts under `tmp/`. */
export function writeSample(dir: string): number {
  const sample = generateSample();
  const write = (key: string, value: unknown) => {
    const file = path.join(dir, ...key.split("/"));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(value)}\n`);
  };
  for (const r of sample) write(r.key, r.result);
  for (const t of sampleTranscripts(sample.map((r) => r.result))) write(t.key, t.doc);
  return sample.length;
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      help: { type: "boolean", default: false },
      sample: { type: "boolean", default: false },
      "sample-out": { type: "string" },
      from: { type: "string" },
      env: { type: "string" },
      tenant: { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      bucket: { type: "string" },
      out: { type: "string", default: "report.html" },
      transcripts: { type: "boolean", default: false },
      "transcripts-days": { type: "string" },
    },
    strict: true,
  });
}

export interface ReportDeps {
  readonly s3?: (region: string) => S3Client;
  readonly configDir?: string;
  /** The time the report says it was generated at; the entry point below passes the system clock. */
  readonly clock: Clock;
}

export async function runReport(argv: readonly string[], deps: ReportDeps): Promise<ReportArgs> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (see --help)`);
  }
  const { values } = parsed;
  if (values.help) return { out: "", html: "", callsOut: "", callsHtml: "", calls: 0, files: 0, help: USAGE };
  const modes = [values.sample, values.from !== undefined, values.env !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UsageError("give exactly one of --sample, --from <folder>, --env <environment> (with --tenant, --since, --until)");
  let days: number | undefined;
  if (values["transcripts-days"] !== undefined) {
    days = Number(values["transcripts-days"]);
    if (!Number.isInteger(days) || days < 1) throw new UsageError(`--transcripts-days must be a whole number of days, got "${values["transcripts-days"]}"`);
  }
  const generatedAt = deps.clock.now().toISOString();
  let rows: DatedResult[];
  let source: string;
  /** The transcripts read (only with --transcripts). */
  let transcripts: (() => Promise<Map<string, TranscriptLookup>>) | undefined;
  if (values.sample) {
    const sample = generateSample();
    rows = sample.map((r) => datedResult(r.key, JSON.stringify(r.result)));
    source = "generated sample";
    if (values["sample-out"]) writeSample(values["sample-out"]);
    const docs = new Map(sampleTranscripts(sample.map((r) => r.result)).map((t) => [t.key.replace(/^tmp\/|\.json$/g, ""), t.doc]));
    transcripts = async () => new Map([...docs].map(([id, doc]) => [id, { doc }]));
  } else if (values.from !== undefined) {
    const from = values.from;
    rows = loadFolder(from);
    source = path.resolve(from);
    transcripts = async () => folderTranscripts(from, rows, generatedAt, days ?? DEFAULT_TRANSCRIPTS_DAYS);
  } else {
    if (!values.tenant || !values.since || !values.until) throw new UsageError("--env needs --tenant, --since yyyy-mm-dd and --until yyyy-mm-dd");
    const [cfg] = loadEnvironments(deps.configDir ?? path.join(__dirname, "..", "..", "config"), values.env);
    const tenants = [...cfg.tenants.map((t) => t.id), UNASSIGNED_TENANT];
    if (!tenants.includes(values.tenant))
      throw new UsageError(`tenant "${values.tenant}" is not in config/${cfg.environment}.json (have: ${tenants.join(", ")})`);
    const bucket = values.bucket ?? naming(cfg).resultsBucket;
    const s3 = deps.s3?.(cfg.region) ?? new S3Client({ region: cfg.region });
    rows = await loadBucket(s3, bucket, values.tenant, values.since, values.until);
    source = `s3://${bucket}/${values.tenant}/ ${values.since}..${values.until}`;
    days ??= cfg.retention.transcriptsDays;
    const loaded = rows;
    const keep = days;
    transcripts = () => bucketTranscripts(s3, bucket, loaded, generatedAt, keep);
  }
  const transcriptsDays = days ?? DEFAULT_TRANSCRIPTS_DAYS;
  const model = buildModel(rows, { source, generatedAt });
  const callsOut = callsPath(values.out);
  const html = renderHtml(model, undefined, path.basename(callsOut));
  const calls = buildCallsModel(rows, { source, generatedAt, transcriptsDays, transcripts: values.transcripts ? await transcripts() : undefined });
  const callsHtml = renderCallsHtml(calls, path.basename(values.out));
  fs.mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
  fs.writeFileSync(values.out, html);
  fs.writeFileSync(callsOut, callsHtml);
  return { out: values.out, html, callsOut, callsHtml, calls: model.totals.calls, files: model.totals.files };
}

if (require.main === module) {
  runReport(process.argv.slice(2), { clock: systemClock }).then(
    (r) =>
      console.log(
        r.help ??
          `wrote ${r.out}: ${r.calls} calls, ${r.files} rejected files, ${Math.round(r.html.length / 1024)} KB, self-contained\n` +
            `wrote ${r.callsOut}: the call browser, ${Math.round(Buffer.byteLength(r.callsHtml) / 1024)} KB, self-contained`,
      ),
    (e) => {
      console.error(e instanceof UsageError || isUserError(e) ? `report: ${e.message}` : e);
      process.exit(1);
    },
  );
}
