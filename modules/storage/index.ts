/**
 * Guide §3: the input bucket (audio, one day) and the results bucket (result JSON per tenant, thirty days;
 * Transcribe's temporary output under `tmp/`; Athena query results under `athena-results/`). Both are
 * {@link SecureBucket}s (guide §3.3: TLS only, nothing stored unencrypted or under another key). Per-tenant
 * prefixes (guide §13) are per-tenant lifecycle rules; S3 has no folders to create. Other components add their own
 * bucket policy statements (tenants: access point delegation; Transcribe access: its confinement to `tmp/`).
 */
import { Construct } from "constructs";
import { ATHENA_RESULTS_PREFIX, DONE_MARKER_PREFIX, JOB_CLAIM_PREFIX, TMP_PREFIX, UNASSIGNED_TENANT } from "../../lambda-src/contracts/storage-layout";
import type { CustomerKey } from "../constructs/customer-key";
import { type ExpirationRule, SecureBucket } from "../constructs/secure-bucket";

export interface StorageProps {
  readonly inputBucketName: string;
  readonly resultsBucketName: string;
  readonly key: CustomerKey;
  /** Days audio stays. */
  readonly inputDays: number;
  /** Days results stay when a tenant sets nothing (and for `unassigned/`). */
  readonly resultsDays: number;
  /** Results retention per tenant id. */
  readonly tenantResultsDays: ReadonlyMap<string, number>;
  /** Days Transcribe's transcripts under `tmp/` stay. */
  readonly transcriptsDays: number;
  /** Days Athena query results stay. */
  readonly athenaResultsDays: number;
}

/**
 * Days an overwritten or expired object of the results bucket stays as a noncurrent version: long enough to undo a
 * bad write noticed after a weekend, short enough that a call's data outlives its retention by at most this.
 */
export const RESULTS_NONCURRENT_VERSION_DAYS = 3;

/** Days the "job settled" markers live (longer than reconcile's 48 h lookback). */
export const RECONCILE_MARKER_DAYS = 7;

export class Storage extends Construct {
  readonly input: SecureBucket;
  readonly results: SecureBucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.input = new SecureBucket(this, "input", {
      bucketName: props.inputBucketName,
      key: props.key,
      expirations: [{ id: `input-retention-${props.inputDays}d`, prefix: "", days: props.inputDays }],
    });

    const longest = Math.max(props.resultsDays, ...props.tenantResultsDays.values());
    const resultRules: ExpirationRule[] = [
      // Catch-all for anything outside a tenant prefix (e.g. unassigned/): S3 applies the shortest matching rule,
      // so this longest value never shortens a tenant's own retention.
      { id: "results-default", prefix: "", days: longest },
      { id: "results-unassigned", prefix: `${UNASSIGNED_TENANT}/`, days: props.resultsDays },
      ...[...props.tenantResultsDays].map(([tenant, days]) => ({ id: `results-tenant-${tenant}`, prefix: `${tenant}/`, days })),
      { id: "tmp-transcripts", prefix: TMP_PREFIX, days: props.transcriptsDays },
      { id: "athena-query-results", prefix: ATHENA_RESULTS_PREFIX, days: props.athenaResultsDays },
      // reconcile's "job settled" markers: needed for its window (at most the 48 h lookback), then clutter.
      { id: "reconcile-markers", prefix: DONE_MARKER_PREFIX, days: RECONCILE_MARKER_DAYS },
      // analyze's job claims and saved sentiment: needed while a job can still be analysed (the 6 h model window,
      // reconcile's hand-outs), then clutter.
      { id: "job-claims", prefix: JOB_CLAIM_PREFIX, days: RECONCILE_MARKER_DAYS },
    ];
    // Versioned: no write, even a buggy one, destroys a call's record for good (docs/pipeline.md "Result identity").
    this.results = new SecureBucket(this, "results", {
      bucketName: props.resultsBucketName,
      key: props.key,
      expirations: resultRules,
      versioned: true,
      noncurrentVersionExpirationDays: RESULTS_NONCURRENT_VERSION_DAYS,
    });
  }

  /**
   * Private networking (guide §12, docs/network.md): the pipeline's function roles reach both buckets only through
   * the VPC's S3 gateway endpoint. Scoped to those roles (`aws:PrincipalArn`), so nothing else changes: Transcribe's
   * data-access role (its requests come from Transcribe's network), Athena and Glue, QuickSight's role, CloudTrail,
   * access points, uploaders, operators and analysts keep their access from wherever they are. Requests an AWS
   * service makes with a function role's credentials (forward access sessions, `aws:ViaAWSService`) are not denied.
   * Forward access sessions: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html
   */
  denyFunctionsOutsideEndpoint(functionRoleArns: readonly string[], s3EndpointId: string): void {
    for (const bucket of [this.input, this.results]) {
      bucket.addToResourcePolicy({
        Sid: "DenyPipelineFunctionsOutsideVpcEndpoint",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucket.bucketArn, bucket.objectsArn()],
        // aws:ViaAWSService: a service acting with the role's own credentials (forward access sessions) calls from
        // AWS's network, not the VPC; the IAM User Guide pairs network conditions with this key for that reason.
        Condition: {
          ArnEquals: { "aws:PrincipalArn": [...functionRoleArns] },
          StringNotEquals: { "aws:SourceVpce": s3EndpointId },
          Bool: { "aws:ViaAWSService": "false" },
        },
      });
    }
  }
}
