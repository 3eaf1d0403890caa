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
 *            --sample-out <dir> (write the sample's JSON files there too)
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
import { renderHtml } from "./html";
import { datedResult, loadBucket, loadFolder } from "./load";
import { buildModel } from "./model";
import { generateSample } from "./sample";

export class UsageError extends Error {}

/** What `npm run report -- --help` prints. */
export const USAGE = `usage: npm run report -- (--sample | --from <folder> | --env <environment> --tenant <id> --since <yyyy-mm-dd> --until <yyyy-mm-dd>) [options]

  --sample               the generated sample (3 tenants, 3 languages, failures, rejections)
  --from <folder>        result JSON files under a local folder (any depth)
  --env <environment>    one tenant's results in the environment's results bucket (config/<env>.json), read with
                         your AWS credentials; needs --tenant, --since and --until (UTC days, inclusive)
  --out <file>           where to write the HTML (default report.html)
  --bucket <name>        read this bucket instead of the configured one (with --env)
  --sample-out <dir>     with --sample, also write the sample's JSON files there
  --help                 this text

examples:
  npm run report -- --sample --out report.html
  npm run report -- --env prod --tenant acme --since 2026-11-01 --until 2026-11-14 --out acme.html`;

export interface ReportArgs {
  readonly out: string;
  readonly html: string;
  /** Calls in the report (records of audio uploads). */
  readonly calls: number;
  /** Rejected non-audio or oversize files, counted apart from the calls (modules/insights/semantics.ts isFileRecord). */
  readonly files: number;
  /** Set (and nothing written) for --help. */
  readonly help?: string;
}

/** Writes every sample record under a folder in the bucket's layout. */
export function writeSample(dir: string): number {
  const sample = generateSample();
  for (const r of sample) {
    const file = path.join(dir, r.key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(r.result)}\n`);
  }
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
  if (values.help) return { out: "", html: "", calls: 0, files: 0, help: USAGE };
  const modes = [values.sample, values.from !== undefined, values.env !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UsageError("give exactly one of --sample, --from <folder>, --env <environment> (with --tenant, --since, --until)");
  let rows: DatedResult[];
  let source: string;
  if (values.sample) {
    rows = generateSample().map((r) => datedResult(r.key, JSON.stringify(r.result)));
    source = "generated sample";
    if (values["sample-out"]) writeSample(values["sample-out"]);
  } else if (values.from !== undefined) {
    rows = loadFolder(values.from);
    source = path.resolve(values.from);
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
  }
  const model = buildModel(rows, { source, generatedAt: deps.clock.now().toISOString() });
  const html = renderHtml(model);
  fs.mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
  fs.writeFileSync(values.out, html);
  return { out: values.out, html, calls: model.totals.calls, files: model.totals.files };
}

if (require.main === module) {
  runReport(process.argv.slice(2), { clock: systemClock }).then(
    (r) => console.log(r.help ?? `wrote ${r.out}: ${r.calls} calls, ${r.files} rejected files, ${Math.round(r.html.length / 1024)} KB, self-contained`),
    (e) => {
      console.error(e instanceof UsageError || isUserError(e) ? `report: ${e.message}` : e);
      process.exit(1);
    },
  );
}
