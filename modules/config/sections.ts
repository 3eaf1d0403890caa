/** Sections of the configuration schema: `github`, `access`, `processing`, `quicksight` and `network`. */
import { z } from "zod";
import { exercisedBy, principals, QUICKSIGHT_NAME } from "./fields";

export const githubSection = z
  .object({
    /** `owner/name` of the repository whose workflows may plan and apply. */
    repository: z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, "must be owner/name"),
    /** Numeric owner and repository ids; when set, the id-bearing `sub` claim is matched exactly. */
    ownerId: exercisedBy(z.number().int().positive().optional(), "dev-tuned"),
    repositoryId: exercisedBy(z.number().int().positive().optional(), "dev-tuned"),
    /** Branch whose pushes may plan (and, through the protected environment, apply). */
    mainBranch: z.string().min(1).default("main"),
    /** GitHub environment whose jobs may assume the apply role. */
    deployEnvironment: exercisedBy(z.string().min(1).default("prod"), "dev"),
    /**
     * The account already has the GitHub OIDC provider (`token.actions.githubusercontent.com`; one per account):
     * the bootstrap stack trusts it instead of creating it (creating a second fails with EntityAlreadyExists).
     */
    useExistingOidcProvider: exercisedBy(z.boolean().default(false), "prod-existing-detector"),
    /**
     * Required reviewers of `deployEnvironment` (the `github` stack), by numeric GitHub id (`gh api users/<login> --jq .id`,
     * `gh api orgs/<org>/teams/<slug> --jq .id`): ids survive renames. At most 6 in all (GitHub's limit). Empty: the
     * environment has no reviewers, and `npm run doctor -- --github` and the apply workflow's guard refuse it.
     */
    reviewers: z
      .object({
        users: z.array(z.number().int().positive()).default([]),
        teams: z.array(z.number().int().positive()).default([]),
      })
      .strict()
      .refine((r) => r.users.length + r.teams.length <= 6, "at most 6 reviewers (users and teams together), GitHub's limit")
      .default({ users: [], teams: [] }),
    /**
     * Owners of the delivery paths in `.github/CODEOWNERS` (`@user` or `@org/team`), whose review the `main` ruleset
     * requires for `.github/`, `scripts/delivery/`, `modules/bootstrap/` and `config/`. Repository-wide: every
     * `config/<env>.json` naming the repository must agree.
     */
    codeOwners: z.array(z.string().regex(/^@[A-Za-z0-9-]{1,39}(?:\/[A-Za-z0-9._-]{1,100})?$/, "must be @user or @org/team")).default([]),
    /** Approvals a pull request into `mainBranch` needs (the `main` ruleset). Repository-wide. */
    requiredApprovals: exercisedBy(z.number().int().min(1).max(10).default(1), "prod-people"),
    /**
     * Days the apply workflow keeps its artifacts (saved plans): the repository variable `ARTIFACT_RETENTION_DAYS`
     * the `github` stack sets. It must cover the approval window. Repository-wide.
     */
    artifactRetentionDays: exercisedBy(z.number().int().min(1).max(400).default(7), "prod-people"),
  })
  .strict();

export const accessSection = z
  .object({
    /** Roles or users that upload audio for every tenant (e.g. the contact centre's recording export). */
    uploaders: exercisedBy(principals(), "prod-people"),
    /** Roles or users that operate the pipeline: redrive dead-letter queues, reprocess calls, read results and logs. */
    operators: exercisedBy(principals(), "prod-people"),
    /** Roles or users that query every tenant's results through the environment's Athena workgroup. */
    analysts: exercisedBy(principals(), "prod-people"),
    /** Roles or users that deploy by hand or break glass: use of the Terraform state key (bootstrap stack). */
    administrators: exercisedBy(principals(), "prod-people"),
    /**
     * Opt-in: roles that may read the transcripts of their tenants (Transcribe's output under `tmp/<tenant>/`) and
     * those tenants' records, e.g. for `npm run report -- --transcripts`. Analysts and operators never read
     * transcripts, so a role here must be in neither group (modules/config/access-rules.ts). @default [] (nobody)
     */
    transcriptReaders: exercisedBy(
      z
        .array(
          z
            .object({
              /** The roles of this group. */
              principals: principals(),
              /** The configured tenants whose transcripts they read. */
              tenants: z.array(z.string()).min(1),
            })
            .strict(),
        )
        .default([]),
      "prod-people",
    ),
  })
  .strict()
  .default({ uploaders: [], operators: [], analysts: [], administrators: [], transcriptReaders: [] });

export const processingSection = z
  .object({
    /** Stop starting transcriptions; uploads wait in the intake queue (up to 14 days). */
    paused: exercisedBy(z.boolean().default(false), "prod-reserved"),
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
    reservedConcurrency: exercisedBy(
      z
        .object({
          start: z.number().int().min(1).max(1000).optional(),
          analyze: z.number().int().min(1).max(1000).optional(),
          reconcile: z.number().int().min(1).max(10).optional(),
        })
        .strict()
        .optional(),
      "prod-reserved",
    ),
    /** Delete the audio as soon as its result is written (the lifecycle deletes it after inputDays anyway). */
    deleteInputOnSuccess: exercisedBy(z.boolean().default(false), "prod-reserved"),
    /** Receives before an intake message goes to the dead-letter queue. */
    maxReceiveCount: z.number().int().min(2).max(50).default(5),
    /** Hours after which an unfinished job becomes an error record. */
    stuckJobHours: z.number().int().min(5).max(72).default(6),
    /** Minutes between reconcile runs. */
    reconcileEveryMinutes: z.number().int().min(10).max(15).default(15),
    /**
     * The account's quotas the pipeline paces itself by (Service Quotas): reconcile hands out per run at most half of
     * what they allow per period (lambda-src/contracts/pacing.ts), and `npm run capacity` models them.
     */
    quotas: z
      .object({
        /** The summary model's requests per minute (Bedrock, for the model or its inference profile). No published default: set yours. */
        modelRequestsPerMinute: z.number().int().min(1).max(1_000_000).default(250),
        /** Comprehend DetectSentiment requests per second. */
        comprehendRequestsPerSecond: z.number().int().min(1).max(10_000).default(20),
      })
      .strict()
      .default({ modelRequestsPerMinute: 250, comprehendRequestsPerSecond: 20 }),
  })
  .strict()
  .default({
    paused: false,
    intakeMaxConcurrency: 5,
    deleteInputOnSuccess: false,
    maxReceiveCount: 5,
    stuckJobHours: 6,
    reconcileEveryMinutes: 15,
    quotas: { modelRequestsPerMinute: 250, comprehendRequestsPerSecond: 20 },
  });

/** Time zones a QuickSight refresh schedule accepts (IANA names, plus UTC). */
const TIME_ZONES: ReadonlySet<string> = new Set(["UTC", ...Intl.supportedValuesOf("timeZone")]);

export const quicksightSection = z
  .object({
    /**
     * Deploy the QuickSight data source, the insight data sets, their row-level security and the dashboard
     * (guide §11, docs/insights.md). Off by default: creating them fails in an account without a QuickSight
     * subscription (`npm run doctor` checks it). The Athena views are created either way.
     */
    enabled: exercisedBy(z.boolean().default(false), "prod"),
    /** QuickSight user or group ARN that owns the data source, data sets and dashboard (and sees every tenant's rows). */
    principalArn: exercisedBy(
      z
        .string()
        .regex(/^arn:aws:quicksight:[a-z0-9-]+:\d{12}:(user|group)\/[A-Za-z0-9_./@+=-]+$/, "is not a QuickSight user or group ARN")
        .optional(),
      "prod",
    ),
    /** IAM role QuickSight uses to read Athena and S3; granted use of the key. */
    serviceRoleName: exercisedBy(z.string().default("service-role/aws-quicksight-service-role-v0"), "prod-people"),
    /** QuickSight namespace of the groups named here and in `tenants[].quicksightGroups`. */
    namespace: exercisedBy(z.string().regex(QUICKSIGHT_NAME, "is not a QuickSight namespace name").default("default"), "prod-people"),
    /** QuickSight group whose members may view the dashboard and see every tenant's rows (row-level security). */
    operatorsGroup: exercisedBy(z.string().regex(QUICKSIGHT_NAME, "is not a QuickSight group name").optional(), "prod-people"),
    refresh: z
      .object({
        /** `spice`: data sets imported into SPICE and refreshed daily; `direct`: every visual queries Athena. */
        mode: exercisedBy(z.enum(["spice", "direct"]).default("spice"), "prod-people"),
        /** Time of the daily SPICE refresh, `HH:MM` (24 h). */
        dailyAt: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM (24 h)")
          .default("04:00"),
        /** Time zone of `dailyAt` (an IANA name such as `Europe/Berlin`, or `UTC`). */
        timezone: z
          .string()
          .refine((v) => TIME_ZONES.has(v), { message: "is not an IANA time zone name (e.g. Europe/Berlin) or UTC" })
          .default("UTC"),
      })
      .strict()
      .default({ mode: "spice", dailyAt: "04:00", timezone: "UTC" }),
  })
  .strict()
  .default({
    enabled: false,
    serviceRoleName: "service-role/aws-quicksight-service-role-v0",
    namespace: "default",
    refresh: { mode: "spice", dailyAt: "04:00", timezone: "UTC" },
  });

/** A VPC id, `vpc-` and 8 or 17 hex digits. */
export const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** A subnet id. */
export const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** A route table id. */
export const ROUTE_TABLE_ID = /^rtb-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** An Availability Zone id, e.g. `euc1-az1`. */
export const AZ_ID = /^[a-z]{2,5}[0-9]-az[0-9]{1,2}$/;
/** IPv4 CIDR block with a prefix of /16 to /24 (four subnets of prefix + 2 fit in it). */
export const VPC_CIDR = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\/(?:1[6-9]|2[0-4])$/;
/** The VPC range `create` uses when `network.cidr` is absent. */
export const DEFAULT_VPC_CIDR = "10.42.0.0/16";

/**
 * Private networking (guide §12, docs/network.md): `off` (the default, nothing created, nothing billed), `create`
 * (a VPC with private subnets only, endpoints, no internet gateway, no NAT) or `existing` (the user's VPC and
 * private subnets; endpoints and security groups are created in it). Cross-field rules: schema.ts (`networkIssues`).
 */
export const networkSection = z
  .object({
    /** `off`, `create` or `existing`. */
    mode: exercisedBy(z.enum(["off", "create", "existing"]).default("off"), "dev-existing-vpc", "dev-new-vpc", "prod-new-vpc-hardened", "dev-tuned"),
    /** `create`: the VPC's IPv4 range (/16 to /24); each subnet gets a quarter of it. Default 10.42.0.0/16. */
    cidr: exercisedBy(z.string().regex(VPC_CIDR, "must be an IPv4 CIDR block with a /16 to /24 prefix, e.g. 10.42.0.0/16").optional(), "dev-new-vpc"),
    /** `create`: Availability Zone ids for the subnets (2-4, in the region); default the region's first `availabilityZoneCount`. */
    availabilityZoneIds: exercisedBy(z.array(z.string().regex(AZ_ID, "is not an Availability Zone id (e.g. euc1-az1)")).min(2).max(4).optional(), "dev-tuned"),
    /** `create`: how many of the region's default zones, when `availabilityZoneIds` is absent. */
    availabilityZoneCount: exercisedBy(z.number().int().min(2).max(3).optional(), "dev-new-vpc"),
    /** `existing`: the VPC id. */
    vpcId: exercisedBy(z.string().regex(VPC_ID, "is not a VPC id (vpc- and 8 or 17 hex digits)").optional(), "dev-existing-vpc"),
    /** `existing`: private subnet ids in at least two Availability Zones. */
    subnetIds: exercisedBy(z.array(z.string().regex(SUBNET_ID, "is not a subnet id (subnet- and 8 or 17 hex digits)")).min(2).optional(), "dev-existing-vpc"),
    /** `existing`: the route tables of those subnets (the S3 gateway endpoint is added to them). */
    routeTableIds: exercisedBy(
      z.array(z.string().regex(ROUTE_TABLE_ID, "is not a route table id (rtb- and 8 or 17 hex digits)")).min(1).optional(),
      "dev-existing-vpc",
    ),
  })
  .strict()
  .default({ mode: "off" });
