/**
 * Guide §3: the input bucket (audio, one day) and the results bucket (result JSON per tenant, thirty days;
 * Transcribe's temporary output under `tmp/`; Athena query results under `athena-results/`).
 * Per-tenant prefixes (guide §13) are expressed as per-tenant lifecycle rules; S3 has no folders to create,
 * and the guide's empty prefix objects would expire with the 1-day rule anyway.
 */
import { Construct } from "constructs";
import { UNASSIGNED_TENANT } from "../../lambda-src/contracts/storage-layout";
import type { CciLiteConfig } from "../config/schema";
import type { Naming } from "../config/naming";
import type { Statement } from "../iam/policy";
import { SecureBucket, type ExpirationRule } from "./secure-bucket";

export interface StorageProps {
  readonly config: CciLiteConfig;
  readonly naming: Naming;
  /** ARN of the customer key used for default encryption. */
  readonly kmsKeyArn: string;
}

/** Results retention per tenant, falling back to `retention.resultsDays`. */
export function resultsRetention(config: CciLiteConfig): Map<string, number> {
  return new Map(config.tenants.map((t) => [t.id, t.resultsRetentionDays ?? config.retention.resultsDays]));
}

/**
 * Guide §13: lets this account's access points (the per-tenant ones of modules/tenants, whose own policies confine
 * each to its tenant's prefix) decide access for the named actions. `s3:DataAccessPointAccount` is a fixed-value
 * condition, so the statement is not public and Block Public Access accepts it.
 */
function delegateToAccessPoints(bucketArn: string, accountId: string, actions: string[]): Statement {
  return {
    Sid: "DelegateToThisAccountsAccessPoints",
    Effect: "Allow",
    Principal: { AWS: "*" },
    Action: actions,
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { StringEquals: { "s3:DataAccessPointAccount": accountId } },
  };
}

export class Storage extends Construct {
  readonly input: SecureBucket;
  readonly results: SecureBucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const { config, naming } = props;
    const retention = resultsRetention(config);

    this.input = new SecureBucket(this, "input", {
      bucketName: naming.inputBucket,
      kmsKeyArn: props.kmsKeyArn,
      expirations: [{ id: `input-retention-${config.retention.inputDays}d`, prefix: "", days: config.retention.inputDays }],
      extraStatements: [delegateToAccessPoints(naming.inputBucketArn, config.accountId, ["s3:PutObject", "s3:ListBucket"])],
    });

    const longest = Math.max(config.retention.resultsDays, ...retention.values());
    const resultRules: ExpirationRule[] = [
      // Catch-all for anything outside a tenant prefix (e.g. unassigned/): S3 applies the shortest matching rule,
      // so this longest value never shortens a tenant's own retention.
      { id: "results-default", prefix: "", days: longest },
      { id: "results-unassigned", prefix: `${UNASSIGNED_TENANT}/`, days: config.retention.resultsDays },
      ...[...retention].map(([tenant, days]) => ({ id: `results-tenant-${tenant}`, prefix: `${tenant}/`, days })),
      { id: "tmp-transcripts", prefix: naming.tmpPrefix, days: config.retention.transcriptsDays },
      { id: "athena-query-results", prefix: naming.athenaPrefix, days: config.retention.athenaResultsDays },
    ];

    this.results = new SecureBucket(this, "results", {
      bucketName: naming.resultsBucket,
      kmsKeyArn: props.kmsKeyArn,
      expirations: resultRules,
      extraStatements: [
        delegateToAccessPoints(naming.resultsBucketArn, config.accountId, ["s3:GetObject", "s3:ListBucket"]),
        {
          Sid: "DenyTranscribeAccessRoleOutsideTmp",
          Effect: "Deny",
          Principal: "*",
          Action: ["s3:PutObject", "s3:DeleteObject"],
          NotResource: `arn:aws:s3:::${naming.resultsBucket}/${naming.tmpPrefix}*`,
          Condition: { ArnEquals: { "aws:PrincipalArn": naming.transcribeRoleArn } },
        },
      ],
    });
  }
}
