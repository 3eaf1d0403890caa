/**
 * The configuration matrix (issue 20): named modes, each the committed `config/dev.json` or `config/prod.json` with a
 * partial override deep-merged over it. Every proof runs every mode (synth, the rule pack, the hidden-dependency
 * check, the boundary derivation, the creatability simulation, the functions' calls and the requests AWS services
 * and people make: __tests__/infra/modes.test.ts, __tests__/security/creatable.test.ts, mode-calls.test.ts and
 * mode-service-requests.test.ts); the offline plan and the emulated round trip take their modes from here.
 *
 * A field whose value changes which resources exist or what they may do names, in its declaration, the mode that
 * exercises it (`exercisedBy`, modules/config/fields.ts); a test fails when a field of the schema is set by no mode.
 * docs/configuration.md ("Modes") lists them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseConfig } from "./load";
import type { CciLiteConfig, CciLiteConfigInput } from "./schema";

/** A partial configuration: objects merge field by field, arrays and scalars replace. */
export type ConfigOverride = { readonly [K in keyof CciLiteConfigInput]?: DeepPartial<CciLiteConfigInput[K]> };
type DeepPartial<T> = T extends readonly (infer E)[] ? readonly E[] : T extends object ? { readonly [K in keyof T]?: DeepPartial<T[K]> } : T;

export interface ConfigMode {
  /** The committed file the mode starts from. */
  readonly base: "dev" | "prod";
  /** What the mode changes in it. @default nothing (the file as committed) */
  readonly override: ConfigOverride;
  /** One line: what the mode exercises (docs/configuration.md, "Modes"). */
  readonly purpose: string;
}

const ACCOUNT = "111122223333";
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

/** The existing VPC of the `existing` network modes (placeholders of the right shapes). */
export const EXISTING_NETWORK = {
  mode: "existing",
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"],
  routeTableIds: ["rtb-0ccccccccccccccc3"],
} as const;

/** Account hardening on: CloudTrail and GuardDuty (guide §12), the region's detector created by the stack. */
export const HARDENING_ON = { cloudtrail: { enabled: true }, guardduty: { enabled: true } } as const;

export const CONFIG_MODES = {
  dev: { base: "dev", override: {}, purpose: "config/dev.json as committed: no network, QuickSight off, no people, no reservations" },
  prod: { base: "prod", override: {}, purpose: "config/prod.json as committed: QuickSight on (SPICE refresh, one tenant group)" },
  "dev-existing-vpc": {
    base: "dev",
    override: { network: EXISTING_NETWORK },
    purpose: "dev in an existing VPC: endpoints and security groups in the user's subnets, functions in the VPC",
  },
  "dev-new-vpc": {
    base: "dev",
    override: { network: { mode: "create", cidr: "10.60.0.0/20", availabilityZoneCount: 3 } },
    purpose: "dev in a new VPC of its own range across three zones",
  },
  "prod-new-vpc-hardened": {
    base: "prod",
    override: { network: { mode: "create" }, ...HARDENING_ON },
    purpose: "prod in a new VPC with CloudTrail and a new GuardDuty detector",
  },
  "prod-people": {
    base: "prod",
    override: {
      access: {
        uploaders: [role("cci-recording-export")],
        operators: [role("cci-operators")],
        analysts: [role("team/cci-analysts")],
        administrators: [role("cci-admins")],
        transcriptReaders: [{ principals: [role("acme-transcripts")], tenants: ["acme"] }],
      },
      github: { reviewers: { users: [2222222], teams: [1111111] }, requiredApprovals: 2, artifactRetentionDays: 14 },
      tenants: [
        {
          id: "demo-tenant",
          quicksightGroups: ["demo-tenant-viewers"],
          uploaderPrincipals: [role("demo-uploader")],
          categories: [
            { name: "Escalation risk", match: "all", conditions: [{ present: "risks" }, { sentiment: "negative", atLeast: 0.6, speaker: "customer" }] },
          ],
        },
        {
          id: "acme",
          readerPrincipals: ["arn:aws:iam::444455556666:root", role("acme-reader")],
          quicksightGroups: ["acme-viewers"],
          categories: [
            { name: "Cancellation", conditions: [{ transcript: ["cancel*", "close my account"], speaker: "customer" }] },
            { name: "Refund", conditions: [{ summary: ["refund*"] }] },
          ],
        },
      ],
      quicksight: {
        namespace: "cci",
        operatorsGroup: "cci-operators",
        serviceRoleName: "service-role/aws-quicksight-s3-consumers-role-v0",
        refresh: { mode: "direct" },
      },
    },
    purpose:
      "prod with every people group, transcript readers, a tenant's own uploader, tenant readers and QuickSight groups, direct query, call categories in two tenants; stricter GitHub review",
  },
  "prod-existing-detector": {
    base: "prod",
    override: { cloudtrail: { enabled: true }, guardduty: { enabled: true, createDetector: false }, github: { useExistingOidcProvider: true } },
    purpose: "prod in an account that already has a GuardDuty detector and the GitHub OIDC provider; CloudTrail on",
  },
  "prod-reserved": {
    base: "prod",
    override: {
      processing: { reservedConcurrency: { start: 5, analyze: 10, reconcile: 1 }, paused: true, deleteInputOnSuccess: true },
      retention: { inputDays: 7 },
      glueCrawler: { enabled: true },
      bedrock: { region: "eu-west-1" },
    },
    purpose: "prod with reserved concurrency, paused, deleting audio on success, the Glue crawler and Bedrock in another region",
  },
  "dev-tuned": {
    base: "dev",
    override: {
      namePrefix: "acme-cci",
      region: "eu-west-1",
      owner: "Acme",
      buckets: { input: "acme-cci-dev-audio", results: "acme-cci-dev-results" },
      network: { mode: "create", availabilityZoneIds: ["euw1-az1", "euw1-az2"], privateDns: false },
      tenants: [
        { id: "demo-tenant", languages: ["en-GB", "de-DE"], maxSpeakers: 4, resultsRetentionDays: 14 },
        { id: "redacted", languages: ["en-US"], redactPii: true },
      ],
      bedrock: { destinationRegions: ["eu-west-1", "eu-central-1"], maxTokens: 2048 },
      retention: { athenaResultsDays: 3, resultsDays: 60 },
      budget: { services: ["Amazon Transcribe", "Amazon Bedrock"] },
      athena: { bytesScannedCutoffPerQuery: 1_073_741_824 },
      github: { ownerId: 1234, repositoryId: 5678, mainBranch: "trunk" },
      processing: {
        intakeMaxConcurrency: 8,
        maxReceiveCount: 3,
        stuckJobHours: 12,
        reconcileEveryMinutes: 10,
        quotas: { modelRequestsPerMinute: 100, comprehendRequestsPerSecond: 10 },
      },
    },
    purpose: "dev renamed (prefix, region, bucket names) in a new VPC on named zones without private DNS, two tenants, every tuning field",
  },
} as const satisfies Record<string, ConfigMode>;

export type ModeName = keyof typeof CONFIG_MODES;
export const MODE_NAMES = Object.keys(CONFIG_MODES) as ModeName[];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `base` with `override` merged in: objects field by field, anything else replaced. */
export function deepMerge<T>(base: T, override: unknown): T {
  if (!isObject(base) || !isObject(override)) return (override === undefined ? base : override) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = deepMerge(out[k], v);
  return out as T;
}

/** The committed configuration file of an environment, as written. */
export function readConfigFile(env: "dev" | "prod", configDir = path.join(__dirname, "..", "..", "config")): CciLiteConfigInput {
  return JSON.parse(fs.readFileSync(path.join(configDir, `${env}.json`), "utf8"));
}

/** A mode's configuration as written (its base file with the override merged in). */
export function modeInput(name: ModeName, configDir?: string): CciLiteConfigInput {
  const mode: ConfigMode = CONFIG_MODES[name];
  return deepMerge(readConfigFile(mode.base, configDir), mode.override);
}

/**
 * The mode's change as top-level fields of the base file replaced (the plan fixture's and the emulator's form):
 * each top-level field the override names, merged with the file's.
 */
export function modeTopLevel(name: ModeName, configDir?: string): Partial<CciLiteConfigInput> {
  const input = modeInput(name, configDir) as Record<string, unknown>;
  return Object.fromEntries(Object.keys(CONFIG_MODES[name].override).map((k) => [k, input[k]])) as Partial<CciLiteConfigInput>;
}

/** A mode's validated configuration. */
export function modeConfig(name: ModeName, configDir?: string): CciLiteConfig {
  return parseConfig(modeInput(name, configDir), `mode ${name}`);
}
