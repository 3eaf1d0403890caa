/**
 * The CCI Lite configuration: one JSON file per environment under `config/`, validated here before any
 * construct is created. Every field is documented in docs/configuration.md (kept in step by a test).
 */
import { z } from "zod";
import { tenantDocument } from "../../lambda-src/contracts/tenant-settings";
import { transcriptReaderIssues } from "./access-rules";
import { AWS_REGIONS, INFERENCE_PROFILE_DESTINATIONS, LOG_RETENTION_DAYS } from "./aws-facts";
import { BUCKET_NAME, days, EMAIL, exercisedBy, INPUT_DAYS_MAX } from "./fields";
import { networkIssues } from "./network";
import { accessSection, githubSection, networkSection, processingSection, quicksightSection } from "./sections";
import { tenantSchema } from "./tenant-schema";

/**
 * `retention.inputDays` required while `processing.paused` is true: the longest audio retention, so a pause of up
 * to a week keeps every waiting upload's audio (the intake queue's age alarm warns before that, even while paused).
 */
export const PAUSED_MIN_INPUT_DAYS = INPUT_DAYS_MAX;

export const configSchema = z
  .object({
    /** Environment name: 2-16 lower-case letters and digits, starting with a letter. */
    environment: z.string().regex(/^[a-z][a-z0-9]{1,15}$/, "must be 2-16 characters of a-z and 0-9, starting with a letter"),
    /** The AWS account id (12 digits). Used in ARNs and as the provider's only allowed account. */
    accountId: z.string({ error: "is required (the 12-digit AWS account id)" }).regex(/^\d{12}$/, "must be 12 digits"),
    /** Deployment region. */
    region: exercisedBy(z.enum(AWS_REGIONS).default("eu-central-1"), "dev-tuned"),
    /** Prefix of every resource name. */
    namePrefix: exercisedBy(
      z
        .string()
        .regex(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/, "must be 2-16 characters of a-z, 0-9 and inner '-'")
        .default("cci-lite"),
      "dev-tuned",
    ),
    /** Value of the `Owner` tag. */
    owner: z.string().min(1).max(128).default("Conversant"),
    /** Bucket names; derived from prefix, environment, account and region when omitted. */
    buckets: z
      .object({
        input: exercisedBy(z.string().regex(BUCKET_NAME, "is not a valid S3 bucket name").optional(), "dev-tuned"),
        results: exercisedBy(z.string().regex(BUCKET_NAME, "is not a valid S3 bucket name").optional(), "dev-tuned"),
      })
      .strict()
      .default({}),
    /** Tenants; each one is an S3 prefix, an Athena partition and an SSM parameter. */
    tenants: exercisedBy(
      z
        .array(tenantSchema)
        .min(1)
        // Parsed like a written one, so every field takes its default.
        .prefault([{ id: "demo-tenant" }]),
      "prod-people",
      "dev-tuned",
    ),
    bedrock: z
      .object({
        /** Model id or inference profile id for summaries. */
        modelId: z
          .string()
          .regex(/^[a-z0-9.:-]{3,128}$/, "is not a Bedrock model or inference profile id")
          .default("eu.anthropic.claude-haiku-4-5-20251001-v1:0"),
        /** Region the runtime is called in; defaults to the deployment region. */
        region: exercisedBy(z.enum(AWS_REGIONS).optional(), "prod-reserved"),
        /** Regions where IAM allows the profile's foundation model (always only through the profile); default any region. */
        destinationRegions: exercisedBy(z.array(z.enum(AWS_REGIONS)).min(1).optional(), "dev-tuned"),
        /** Maximum tokens of the summary answer. */
        maxTokens: z.number().int().min(256).max(8192).default(1024),
      })
      .strict()
      .default({ modelId: "eu.anthropic.claude-haiku-4-5-20251001-v1:0", maxTokens: 1024 }),
    retention: z
      .object({
        /** Days audio stays in the input bucket. */
        inputDays: days(1, INPUT_DAYS_MAX).default(1),
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
    quicksight: quicksightSection,
    glueCrawler: z
      .object({
        /** The guide's Glue crawler; off because partition projection makes results queryable at once. */
        enabled: exercisedBy(z.boolean().default(false), "prod-reserved"),
      })
      .strict()
      .default({ enabled: false }),
    cloudtrail: z
      .object({ /** Account trail (guide §12). */ enabled: exercisedBy(z.boolean().default(false), "prod-new-vpc-hardened", "prod-existing-detector") })
      .strict()
      .default({ enabled: false }),
    guardduty: z
      .object({
        /** GuardDuty (guide §12): S3 protection and high-severity findings to the alarm topic. */
        enabled: exercisedBy(z.boolean().default(false), "prod-new-vpc-hardened", "prod-existing-detector"),
        /** Create the region's detector; false when the account already has one (one per region): only findings are forwarded. */
        createDetector: exercisedBy(z.boolean().default(true), "prod-existing-detector"),
      })
      .strict()
      .default({ enabled: false, createDetector: true }),
    github: githubSection,
    access: accessSection,
    processing: processingSection,
    network: networkSection,
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
    const shortest = Math.min(c.retention.resultsDays, ...c.tenants.map((t) => tenantDocument(t, c).results_retention_days));
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
    c.tenants.forEach((t, i) => {
      const j = t.quicksightGroups.indexOf(c.quicksight.operatorsGroup ?? "");
      if (j >= 0) {
        ctx.addIssue({
          code: "custom",
          path: ["tenants", i, "quicksightGroups", j],
          message: `"${t.quicksightGroups[j]}" is quicksight.operatorsGroup, which sees every tenant's rows: a tenant's viewers need a group of their own`,
        });
      }
    });
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
    // Audio that outlives the queue (docs/pipeline.md, "Waiting uploads and their audio"): while paused, uploads
    // wait in the intake queue for as long as the pause lasts; their audio must be kept for the longest pause the
    // configuration allows, or it expires under the waiting message.
    if (c.processing.paused && c.retention.inputDays < PAUSED_MIN_INPUT_DAYS) {
      ctx.addIssue({
        code: "custom",
        path: ["retention", "inputDays"],
        message: `must be ${PAUSED_MIN_INPUT_DAYS} while processing.paused is true: uploads wait in the intake queue during the pause and their audio must not expire under them (lower it again after the backlog has drained)`,
      });
    }
    if ((c.github.ownerId === undefined) !== (c.github.repositoryId === undefined)) {
      ctx.addIssue({ code: "custom", path: ["github", "repositoryId"], message: "ownerId and repositoryId go together" });
    }
    for (const issue of networkIssues(c)) ctx.addIssue({ code: "custom", ...issue });
    for (const issue of transcriptReaderIssues(c)) ctx.addIssue({ code: "custom", path: [...issue.path], message: issue.message });
  });

/** The configuration file as written (defaults optional). */
export type CciLiteConfigInput = z.input<typeof configSchema>;
/** The validated configuration with every default filled in. */
export type CciLiteConfig = z.output<typeof configSchema>;
export type TenantConfig = CciLiteConfig["tenants"][number];
