/**
 * The emulated tier's rewrite of a synthesized stack (always of a temporary copy; the synth output is never changed):
 * the AWS provider and the S3 backend are pointed at moto on 127.0.0.1, and the resource types moto cannot create
 * are removed together with everything that refers to them. The provider keeps `allowed_account_ids`, so the account
 * pin is really checked (moto answers STS GetCallerIdentity with MOTO_ACCOUNT_ID).
 *
 * Endpoints: one per service the stack uses, derived from its resource and data-source types through
 * {@link ENDPOINT_OF} (a type no prefix matches is an error naming it), plus STS. A test asserts every endpoint is
 * 127.0.0.1 (__tests__/emulated/overrides.test.ts), and so does the tier before its first apply.
 */

/** Provider endpoint key (AWS provider 5.x `endpoints` block) per resource or data-source type prefix; longest prefix wins. */
export const ENDPOINT_OF: Readonly<Record<string, string | null>> = {
  aws_athena_: "athena",
  aws_budgets_: "budgets",
  aws_cloudtrail: "cloudtrail",
  aws_cloudwatch_dashboard: "cloudwatch",
  aws_cloudwatch_event_: "events",
  aws_cloudwatch_log_: "logs",
  aws_cloudwatch_metric_alarm: "cloudwatch",
  aws_default_security_group: "ec2",
  aws_eip: "ec2",
  aws_glue_: "glue",
  aws_guardduty_: "guardduty",
  aws_iam_: "iam",
  aws_internet_gateway: "ec2",
  aws_kms_: "kms",
  aws_lambda_: "lambda",
  aws_nat_gateway: "ec2",
  aws_quicksight_: "quicksight",
  aws_route: "ec2",
  aws_s3_: "s3",
  // The provider's access point resources use the S3 Control API (an account-prefixed host: loopback-proxy.ts).
  aws_s3_access_point: "s3control",
  aws_s3control_: "s3control",
  aws_scheduler_: "scheduler",
  aws_security_group: "ec2",
  aws_sns_: "sns",
  aws_sqs_: "sqs",
  aws_ssm_: "ssm",
  aws_subnet: "ec2",
  aws_vpc: "ec2",
  // Terraform's own (the dashboard definition's revision): kept in state, no API call.
  terraform_data: null,
  // Computed locally by the provider: no API call.
  aws_caller_identity: "sts",
  aws_iam_policy_document: null,
  aws_partition: null,
  aws_region: null,
};

/** The endpoint key of a type, `null` for types the provider computes without a call. Throws for an unknown type. */
export function endpointOf(type: string): string | null {
  const prefix = Object.keys(ENDPOINT_OF)
    .filter((p) => type.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix === undefined) throw new Error(`emulated tier: no endpoint for ${type}: add its service to ENDPOINT_OF in scripts/emulated/overrides.ts`);
  return ENDPOINT_OF[prefix];
}

/**
 * Resource types moto 5.2.1 cannot create or read back, removed from the emulated copy (with every resource and
 * output that refers to one), each with the reason (/work/shared/notes/emulator-facts.md).
 */
export const EXCLUDED_TYPES: Readonly<Record<string, string>> = {
  aws_budgets_budget: "moto's Budgets has no DescribeSubscribersForNotification, which the provider calls after CreateBudget",
  aws_quicksight_data_source: "moto returns the data source's CreatedTime as a string the provider cannot read",
  aws_quicksight_data_set: "moto's QuickSight has no data set calls",
  aws_quicksight_refresh_schedule: "moto's QuickSight has no refresh schedule calls",
  aws_quicksight_dashboard: "moto's QuickSight has no dashboard or permission calls",
};

/**
 * Bucket policies in the emulated copy lose their conditional Deny statements: moto evaluates a bucket policy for
 * object requests but ignores every condition, so `DenyInsecureTransport` (`aws:SecureTransport = false`) would deny
 * every request, the backend's included. The rest of the policy is applied as synthesized. The policy proofs
 * (__tests__/security) cover what moto cannot.
 */
export const CONDITIONAL_DENY_REASON = "moto ignores policy conditions: a conditional Deny in a bucket policy denies every object request";

interface PolicyStatement {
  readonly Effect?: string;
  readonly Condition?: unknown;
  readonly Sid?: string;
}

/** Removes the conditional Deny statements of every `aws_s3_bucket_policy`; returns `address: Sid` of each removed. */
function dropConditionalDenies(json: StackJson): string[] {
  const dropped: string[] = [];
  for (const [name, block] of Object.entries(json.resource?.aws_s3_bucket_policy ?? {})) {
    const b = block as { policy?: unknown };
    if (typeof b.policy !== "string") continue;
    let doc: { Statement?: PolicyStatement[] };
    try {
      doc = JSON.parse(b.policy);
    } catch {
      continue; // an expression, not a literal document: left as synthesized
    }
    const keep = (doc.Statement ?? []).filter((st) => !(st.Effect === "Deny" && st.Condition !== undefined));
    for (const st of doc.Statement ?? []) if (!keep.includes(st)) dropped.push(`aws_s3_bucket_policy.${name}: ${st.Sid ?? "(no Sid)"}`);
    b.policy = JSON.stringify({ ...doc, Statement: keep });
  }
  return dropped;
}

/** Fake keys for moto (it accepts any). */
export const EMULATOR_KEYS = { accessKey: "AKIAEMULATEDTIER0000", secretKey: "emulated-tier-fake-secret-key" } as const;

/** Provider retries: small, or a call moto lacks is retried for minutes (25 by default: a 12-minute hang). */
export const EMULATOR_MAX_RETRIES = 2;

export interface EmulatedStack {
  /** The rewritten `cdk.tf.json`. */
  readonly json: StackJson;
  /** Addresses removed because their type is in {@link EXCLUDED_TYPES}. */
  readonly excluded: readonly string[];
  /** Addresses (and `output.<name>`) removed because they refer to a removed resource. */
  readonly dependents: readonly string[];
  /** Bucket-policy statements removed ({@link CONDITIONAL_DENY_REASON}): `address: Sid`. */
  readonly droppedStatements: readonly string[];
  /** Provider endpoint key -> URL. */
  readonly endpoints: Readonly<Record<string, string>>;
}

/** The parts of a synthesized stack this module reads or rewrites. */
export interface StackJson {
  [key: string]: unknown;
  terraform?: { backend?: Record<string, Record<string, unknown>>; [k: string]: unknown };
  provider?: { aws?: Record<string, unknown>[] };
  resource?: Record<string, Record<string, unknown>>;
  data?: Record<string, Record<string, unknown>>;
  output?: Record<string, unknown>;
}

const refersTo = (block: unknown, address: string): boolean =>
  new RegExp(`(^|[^\\w.-])${address.replace(/[.]/g, "\\.")}(?![\\w-])`).test(JSON.stringify(block));

/** Removes the excluded types and, to a fixed point, every resource, data source and output referring to a removed one. */
function removeExcluded(json: StackJson): { excluded: string[]; dependents: string[] } {
  const excluded: string[] = [];
  const dependents: string[] = [];
  for (const type of Object.keys(json.resource ?? {})) {
    if (!(type in EXCLUDED_TYPES)) continue;
    for (const name of Object.keys(json.resource?.[type] ?? {})) excluded.push(`${type}.${name}`);
    delete json.resource?.[type];
  }
  let removed = [...excluded];
  while (removed.length > 0) {
    const next: string[] = [];
    for (const [kind, prefix] of [
      ["resource", ""],
      ["data", "data."],
    ] as const) {
      for (const [type, blocks] of Object.entries(json[kind] ?? {})) {
        for (const [name, block] of Object.entries(blocks)) {
          if (!removed.some((a) => refersTo(block, a))) continue;
          delete blocks[name];
          next.push(`${prefix}${type}.${name}`);
        }
        if (Object.keys(blocks).length === 0) delete json[kind]?.[type];
      }
    }
    for (const [name, block] of Object.entries(json.output ?? {})) {
      if (!removed.some((a) => refersTo(block, a))) continue;
      delete json.output?.[name];
      dependents.push(`output.${name}`);
    }
    dependents.push(...next);
    removed = next;
  }
  return { excluded, dependents };
}

/** The endpoint keys a stack needs: one per service of its resource and data-source types, plus STS. */
export function endpointKeys(json: StackJson): string[] {
  const types = [...Object.keys(json.resource ?? {}), ...Object.keys(json.data ?? {})];
  const keys = new Set<string>(["sts"]);
  for (const t of types) {
    const k = endpointOf(t);
    if (k) keys.add(k);
  }
  return [...keys].sort();
}

/**
 * The emulated copy of a synthesized stack: excluded types removed, the provider pointed at `endpoint` (moto) for
 * every service it uses, and an S3 backend pointed there too (bucket, key, KMS key and lockfile kept as synthesized).
 */
export function emulatedStackJson(stackJson: StackJson, endpoint: string): EmulatedStack {
  const json: StackJson = JSON.parse(JSON.stringify(stackJson));
  const { excluded, dependents } = removeExcluded(json);
  const droppedStatements = dropConditionalDenies(json);
  const endpoints = Object.fromEntries(endpointKeys(json).map((k) => [k, endpoint]));
  const providers = json.provider?.aws ?? [];
  if (providers.length === 0) throw new Error("emulated tier: the stack has no aws provider block");
  for (const p of providers) {
    Object.assign(p, {
      access_key: EMULATOR_KEYS.accessKey,
      secret_key: EMULATOR_KEYS.secretKey,
      skip_credentials_validation: true,
      skip_metadata_api_check: "true",
      s3_use_path_style: true,
      max_retries: EMULATOR_MAX_RETRIES,
      endpoints: [endpoints],
    });
  }
  const s3 = json.terraform?.backend?.s3;
  if (s3) {
    Object.assign(s3, {
      endpoints: { s3: endpoint, sts: endpoint },
      use_path_style: true,
      access_key: EMULATOR_KEYS.accessKey,
      secret_key: EMULATOR_KEYS.secretKey,
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      max_retries: EMULATOR_MAX_RETRIES,
    });
  }
  return { json, excluded, dependents, droppedStatements, endpoints };
}

/** Every endpoint URL a rewritten stack sends requests to (provider and backend), for the loopback assertion. */
export function endpointUrls(json: StackJson): string[] {
  const urls: string[] = [];
  for (const p of json.provider?.aws ?? []) for (const e of (p.endpoints as Record<string, string>[] | undefined) ?? []) urls.push(...Object.values(e));
  const backendEndpoints = json.terraform?.backend?.s3?.endpoints as Record<string, string> | undefined;
  urls.push(...Object.values(backendEndpoints ?? {}));
  return urls;
}

/** Throws naming the first endpoint whose host is not 127.0.0.1 (or that is not a URL). */
export function assertLoopbackEndpoints(stack: string, json: StackJson): void {
  const urls = endpointUrls(json);
  if (urls.length === 0) throw new Error(`emulated tier: ${stack} has no endpoints: it would call AWS`);
  for (const u of urls) {
    const host = URL.canParse(u) ? new URL(u).hostname : undefined;
    if (host !== "127.0.0.1") throw new Error(`emulated tier: ${stack} sends requests to ${u}, not 127.0.0.1`);
  }
}
