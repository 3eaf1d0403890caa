/**
 * The CCI Lite configuration: one JSON file per environment under `config/`, validated here before any
 * construct is created. Every field is documented in docs/configuration.md (kept in step by a test).
 */
import { z } from "zod";
import type { TranscribeLanguage } from "../../lambda-src/core/languages";
import { RESERVED_PREFIXES } from "../../lambda-src/contracts/storage-layout";
import { SPEAKERS_MIN, tenantSettingsProblems } from "../../lambda-src/contracts/tenant-settings";

/** Commercial AWS regions where the stack may be deployed. */
export const AWS_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "sa-east-1",
  "eu-central-1",
  "eu-central-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-east-1",
  "me-central-1",
  "me-south-1",
  "il-central-1",
  "af-south-1",
] as const;

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * The destination regions of Bedrock's geographic cross-region inference profiles, by profile prefix.
 * IAM must allow the foundation model in every one of them.
 */
export const INFERENCE_PROFILE_DESTINATIONS: Record<string, readonly string[]> = {
  eu: ["eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-3"],
  us: ["us-east-1", "us-east-2", "us-west-2"],
  apac: ["ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-4"],
};

const TENANT_ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const BUCKET_NAME = /^(?!xn--)(?!sthree-)(?!.*-s3alias$)(?!.*--ol-s3$)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const days = (min: number, max: number) => z.number().int().min(min).max(max);
/** Role or user ARNs (never an account root: these principals get a policy attached and a place in the key policy). */
const principals = () =>
  z.array(z.string().regex(/^arn:aws:iam::\d{12}:(role|user)\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/, "is not an IAM role or user ARN")).default([]);

export const tenantSchema = z
  .object({
    /** Tenant id: lower-case letters, digits and inner hyphens, 1-32 characters; it is the tenant's S3 prefix. */
    id: z
      .string()
      .regex(TENANT_ID, "must be 1-32 characters of a-z, 0-9 and inner '-' (it becomes an S3 prefix and an Athena partition value)")
      .refine((v) => !(RESERVED_PREFIXES as readonly string[]).includes(v), {
        message: `is reserved (${RESERVED_PREFIXES.join(", ")})`,
      }),
    /** One language code (fixed language) or 2-5 (language identification over these options). */
    languages: z.array(z.custom<TranscribeLanguage>((v) => typeof v === "string", "must be a language code")).default(["en-US"]),
    /** Transcribe PII redaction. Requires exactly one redaction-capable language. */
    redactPii: z.boolean().default(false),
    /** Maximum speaker labels for mono recordings (2-30). */
    maxSpeakers: z.number().default(SPEAKERS_MIN),
    /** Overrides `retention.resultsDays` for this tenant's results. */
    resultsRetentionDays: days(1, 3650).optional(),
    /**
     * IAM principals (account root, role or user ARNs) that may assume the tenant's read-only role
     * (guide §13, docs/security.md); defaults to this account's root (i.e. its IAM policies decide).
     */
    readerPrincipals: z
      .array(z.string().regex(/^arn:aws:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/, "is not an IAM account root, role or user ARN"))
      .min(1)
      .optional(),
    /** Roles or users that upload this tenant's audio: `s3:PutObject` under `<tenant>/calls/` only, with the key. */
    uploaderPrincipals: principals(),
  })
  .strict()
  .superRefine((t, ctx) => {
    // The rules the runtime applies to the SSM document too (lambda-src/contracts/tenant-settings.ts): one home.
    for (const p of tenantSettingsProblems(t)) ctx.addIssue({ code: "custom", path: [p.field], message: p.message });
  });

export const configSchema = z
  .object({
    /** Environment name: 2-16 lower-case letters and digits, starting with a letter. */
    environment: z.string().regex(/^[a-z][a-z0-9]{1,15}$/, "must be 2-16 characters of a-z and 0-9, starting with a letter"),
    /** The AWS account id (12 digits). Used in ARNs and as the provider's only allowed account. */
    accountId: z.string({ error: "is required (the 12-digit AWS account id)" }).regex(/^\d{12}$/, "must be 12 digits"),
    /** Deployment region. */
    region: z.enum(AWS_REGIONS).default("eu-central-1"),
    /** Prefix of every resource name. */
    namePrefix: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/, "must be 2-16 characters of a-z, 0-9 and inner '-'")
      .default("cci-lite"),
    /** Value of the `Owner` tag. */
    owner: z.string().min(1).max(128).default("Conversant"),
    /** Bucket names; derived from prefix, environment, account and region when omitted. */
    buckets: z
      .object({
        input: z.string().regex(BUCKET_NAME, "is not a valid S3 bucket name").optional(),
        results: z.string().regex(BUCKET_NAME, "is not a valid S3 bucket name").optional(),
      })
      .strict()
      .default({}),
    /** Tenants; each one is an S3 prefix, an Athena partition and an SSM parameter. */
    tenants: z
      .array(tenantSchema)
      .min(1)
      .default([{ id: "demo-tenant", languages: ["en-US"], redactPii: false, maxSpeakers: 2, uploaderPrincipals: [] }]),
    bedrock: z
      .object({
        /** Model id or inference profile id for summaries. */
        modelId: z
          .string()
          .regex(/^[a-z0-9.:-]{3,128}$/, "is not a Bedrock model or inference profile id")
          .default("eu.anthropic.claude-haiku-4-5-20251001-v1:0"),
        /** Region the runtime is called in; defaults to the deployment region. */
        region: z.enum(AWS_REGIONS).optional(),
        /** Destination regions of a cross-region profile; defaults from the profile's prefix (eu, us, apac). */
        destinationRegions: z.array(z.enum(AWS_REGIONS)).min(1).optional(),
        /** Maximum tokens of the summary answer. */
        maxTokens: z.number().int().min(256).max(8192).default(1024),
      })
      .strict()
      .default({ modelId: "eu.anthropic.claude-haiku-4-5-20251001-v1:0", maxTokens: 1024 }),
    retention: z
      .object({
        /** Days audio stays in the input bucket. */
        inputDays: days(1, 7).default(1),
        /** Days result JSON stays in the results bucket (per-tenant override: tenants[].resultsRetentionDays). */
        resultsDays: days(1, 3650).default(30),
        /** Days Transcribe's temporary transcripts under tmp/ stay; at most the shortest results retention. */
        transcriptsDays: days(1, 3650).default(7),
        /** Days Athena query results stay under athena-results/. */
        athenaResultsDays: days(1, 3650).default(7),
        /** CloudWatch Logs retention. */
        logsDays: z
          .number()
          .int()
          .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), { message: `must be one of ${LOG_RETENTION_DAYS.join(", ")}` })
          .default(30),
      })
      .strict()
      .default({ inputDays: 1, resultsDays: 30, transcriptsDays: 7, athenaResultsDays: 7, logsDays: 30 }),
    alarms: z
      .object({
        /** E-mail addresses subscribed to the alarm topic (each must confirm the subscription). */
        emails: z.array(z.string().regex(EMAIL, "is not an e-mail address")).default([]),
      })
      .strict()
      .default({ emails: [] }),
    budget: z
      .object({
        /** Monthly cost budget. */
        monthlyLimit: z.number().positive().max(1_000_000).default(100),
        /** Budget currency (AWS Budgets accepts USD for cost budgets). */
        currency: z.enum(["USD"]).default("USD"),
        /** Cost Explorer service names to scope the budget to; empty = the whole account. */
        services: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({ monthlyLimit: 100, currency: "USD", services: [] }),
    athena: z
      .object({
        /** Per-query scan limit of the workgroup, bytes (minimum 10 MB). */
        bytesScannedCutoffPerQuery: z.number().int().min(10_485_760).default(10_737_418_240),
      })
      .strict()
      .default({ bytesScannedCutoffPerQuery: 10_737_418_240 }),
    quicksight: z
      .object({
        /**
         * Deploy the QuickSight data source and data set (guide §11). Off by default: creating them fails in an
         * account without a QuickSight subscription (`npm run doctor` checks it).
         */
        enabled: z.boolean().default(false),
        /** QuickSight user or group ARN that owns the data source and data set. */
        principalArn: z
          .string()
          .regex(/^arn:aws:quicksight:[a-z0-9-]+:\d{12}:(user|group)\/[A-Za-z0-9_./@+=-]+$/, "is not a QuickSight user or group ARN")
          .optional(),
        /** IAM role QuickSight uses to read Athena and S3; granted use of the key. */
        serviceRoleName: z.string().default("service-role/aws-quicksight-service-role-v0"),
      })
      .strict()
      .default({ enabled: false, serviceRoleName: "service-role/aws-quicksight-service-role-v0" }),
    glueCrawler: z
      .object({
        /** The guide's Glue crawler; off because partition projection makes results queryable at once. */
        enabled: z.boolean().default(false),
      })
      .strict()
      .default({ enabled: false }),
    cloudtrail: z
      .object({ /** Account trail (guide §12). */ enabled: z.boolean().default(false) })
      .strict()
      .default({ enabled: false }),
    guardduty: z
      .object({
        /** GuardDuty (guide §12): S3 protection and high-severity findings to the alarm topic. */
        enabled: z.boolean().default(false),
        /** Create the region's detector; false when the account already has one (one per region): only findings are forwarded. */
        createDetector: z.boolean().default(true),
      })
      .strict()
      .default({ enabled: false, createDetector: true }),
    github: z
      .object({
        /** `owner/name` of the repository whose workflows may plan and apply. */
        repository: z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, "must be owner/name"),
        /** Numeric owner and repository ids; when set, the id-bearing `sub` claim is matched exactly. */
        ownerId: z.number().int().positive().optional(),
        repositoryId: z.number().int().positive().optional(),
        /** Branch whose pushes may plan (and, through the protected environment, apply). */
        mainBranch: z.string().min(1).default("main"),
        /** GitHub environment whose jobs may assume the apply role. */
        deployEnvironment: z.string().min(1).default("prod"),
        /**
         * The account already has the GitHub OIDC provider (`token.actions.githubusercontent.com`; one per account):
         * the bootstrap stack trusts it instead of creating it (creating a second fails with EntityAlreadyExists).
         */
        useExistingOidcProvider: z.boolean().default(false),
      })
      .strict(),
    access: z
      .object({
        /** Roles or users that upload audio for every tenant (e.g. the contact centre's recording export). */
        uploaders: principals(),
        /** Roles or users that operate the pipeline: redrive dead-letter queues, reprocess calls, read results and logs. */
        operators: principals(),
        /** Roles or users that query every tenant's results through the environment's Athena workgroup. */
        analysts: principals(),
        /** Roles or users that deploy by hand or break glass: use of the Terraform state key (bootstrap stack). */
        administrators: principals(),
      })
      .strict()
      .default({ uploaders: [], operators: [], analysts: [], administrators: [] }),
    processing: z
      .object({
        /** Stop starting transcriptions; uploads wait in the intake queue (up to 14 days). */
        paused: z.boolean().default(false),
        /**
         * Most concurrent `start` invocations the intake queue drives (the event source mapping's maximum
         * concurrency): the cost cap of guide §14, since every other function follows from the jobs start starts.
         */
        intakeMaxConcurrency: z.number().int().min(2).max(1000).default(5),
        /**
         * Reserved concurrency per function. Optional: a reservation guarantees the pipeline its share of the account's
         * pool but fails the first apply where the account limit is low (AWS keeps 100 unreserved; new accounts may
         * have 10). Absent = no reservation. `npm run doctor` checks what the account can reserve.
         */
        reservedConcurrency: z
          .object({
            start: z.number().int().min(1).max(1000).optional(),
            analyze: z.number().int().min(1).max(1000).optional(),
            reconcile: z.number().int().min(1).max(10).optional(),
          })
          .strict()
          .optional(),
        /** Delete the audio as soon as its result is written (the lifecycle deletes it after inputDays anyway). */
        deleteInputOnSuccess: z.boolean().default(false),
        /** Receives before an intake message goes to the dead-letter queue. */
        maxReceiveCount: z.number().int().min(2).max(50).default(5),
        /** Hours after which an unfinished job becomes an error record. */
        stuckJobHours: z.number().int().min(5).max(72).default(6),
        /** Minutes between reconcile runs. */
        reconcileEveryMinutes: z.number().int().min(10).max(15).default(15),
      })
      .strict()
      .default({
        paused: false,
        intakeMaxConcurrency: 5,
        deleteInputOnSuccess: false,
        maxReceiveCount: 5,
        stuckJobHours: 6,
        reconcileEveryMinutes: 15,
      }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.tenants.forEach((t, i) => {
      if (seen.has(t.id)) {
        ctx.addIssue({ code: "custom", path: ["tenants", i, "id"], message: `duplicates tenants[${seen.get(t.id)}].id "${t.id}"` });
      }
      seen.set(t.id, i);
    });
    const shortest = Math.min(c.retention.resultsDays, ...c.tenants.map((t) => t.resultsRetentionDays ?? c.retention.resultsDays));
    if (c.retention.transcriptsDays > shortest) {
      ctx.addIssue({
        code: "custom",
        path: ["retention", "transcriptsDays"],
        message: `must not exceed the shortest results retention (${shortest} days): transcripts expire with or before results`,
      });
    }
    if (c.quicksight.enabled && !c.quicksight.principalArn) {
      ctx.addIssue({ code: "custom", path: ["quicksight", "principalArn"], message: "is required when quicksight.enabled is true" });
    }
    const model = c.bedrock.modelId;
    const geo = model.split(".")[0];
    if (!c.bedrock.destinationRegions && /^[a-z]+\.[a-z]+\./.test(model) && !INFERENCE_PROFILE_DESTINATIONS[geo] && geo !== "global") {
      ctx.addIssue({
        code: "custom",
        path: ["bedrock", "destinationRegions"],
        message: `is required for inference profile prefix "${geo}" (known: ${Object.keys(INFERENCE_PROFILE_DESTINATIONS).join(", ")})`,
      });
    }
    for (const kind of ["input", "results"] as const) {
      const derived = `${c.namePrefix}-${c.environment}-${kind}-${c.accountId}-${c.region}`;
      if (!c.buckets[kind] && derived.length > 63) {
        ctx.addIssue({
          code: "custom",
          path: ["buckets", kind],
          message: `the derived name ${derived} is longer than 63 characters: shorten namePrefix or environment, or set buckets.${kind}`,
        });
      }
    }
    if ((c.github.ownerId === undefined) !== (c.github.repositoryId === undefined)) {
      ctx.addIssue({ code: "custom", path: ["github", "repositoryId"], message: "ownerId and repositoryId go together" });
    }
  });

/** The configuration file as written (defaults optional). */
export type CciLiteConfigInput = z.input<typeof configSchema>;
/** The validated configuration with every default filled in. */
export type CciLiteConfig = z.output<typeof configSchema>;
export type TenantConfig = CciLiteConfig["tenants"][number];
