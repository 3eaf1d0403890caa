/**
 * Guide §13, tenant isolation for external consumers: per tenant, an S3 access point on each bucket whose policy
 * confines every request to the tenant's prefixes (input `<tenant>/calls/`, results `<tenant>/`), a read-only
 * role (trusted by the account, or the tenant's configured principals) that reads its results only through its
 * access point and queries them through its own Athena workgroup (results encrypted with the customer key under
 * `athena-results/<tenant>/`). Onboarding a tenant is one configuration entry; docs/security.md lists what a plan
 * adds per tenant.
 */
import { Construct } from "constructs";
import { AthenaWorkgroup } from "@cdktf/provider-aws/lib/athena-workgroup";
import type { CustomerKey } from "../constructs/customer-key";
import type { SecureBucket } from "../constructs/secure-bucket";
import { StackContext } from "../constructs/stack-context";
import { delegateToAccessPoints, inputAccessPoint, resultsAccessPoint } from "./access-points";
import { readerRole } from "./reader-role";
import { type TenantNames, tenantNames } from "./tenant-names";

export { fitName, type TenantNames, tenantNames } from "./tenant-names";

/** A tenant as tenant access needs it. */
export interface TenantReader {
  readonly id: string;
  /** Who may assume the tenant's reader role. @default this account's root */
  readonly readerPrincipals?: readonly string[];
}

/** Access points and roles are named `<stem>-<tenant>-<kind>` (the stem from the {@link StackContext}). */
export interface TenantAccessProps {
  /** The shared workgroup's name: each tenant's workgroup is `<workgroupStem>-<tenant>`. */
  readonly workgroupStem: string;
  readonly tenants: readonly TenantReader[];
  readonly key: CustomerKey;
  readonly input: SecureBucket;
  readonly results: SecureBucket;
  /** Scan cap of each tenant workgroup. */
  readonly bytesScannedCutoffPerQuery: number;
  /** The Glue database of the results tables. */
  readonly glueDatabase: string;
  /** The tenant's own Glue table (created by Analytics), the only table its reader may read. */
  readonly tenantTableName: (tenant: string) => string;
}

export class TenantAccess extends Construct {
  readonly tenants: ReadonlyMap<string, TenantNames>;

  constructor(scope: Construct, id: string, props: TenantAccessProps) {
    super(scope, id);
    const { key, input, results } = props;
    const ctx = StackContext.of(this);
    const tenants = new Map<string, TenantNames>();
    const names = props.tenants.map((t) => tenantNames(ctx, { stem: ctx.stem, workgroup: props.workgroupStem }, t.id));
    delegateToAccessPoints(
      input,
      ["s3:PutObject", "s3:ListBucket"],
      names.map((n) => n.inputAccessPointArn),
    );
    delegateToAccessPoints(
      results,
      ["s3:GetObject", "s3:ListBucket"],
      names.map((n) => n.resultsAccessPointArn),
    );

    for (const [i, t] of props.tenants.entries()) {
      const tn = names[i];
      tenants.set(t.id, tn);
      const scopeT = new Construct(this, t.id);

      const role = readerRole(scopeT, tn, {
        readerPrincipals: t.readerPrincipals,
        key,
        results,
        glueDatabase: props.glueDatabase,
        glueTable: props.tenantTableName(t.id),
      });
      inputAccessPoint(scopeT, tn, input, key);
      resultsAccessPoint(scopeT, tn, results, role);

      new AthenaWorkgroup(scopeT, "workgroup", {
        name: tn.workgroup,
        description: `CCI Lite tenant ${t.id}: enforced settings, KMS-encrypted results under ${tn.queryResultsPrefix}`,
        state: "ENABLED",
        forceDestroy: false,
        dependsOn: [results.bucket],
        configuration: {
          enforceWorkgroupConfiguration: true,
          publishCloudwatchMetricsEnabled: true,
          bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
          engineVersion: { selectedEngineVersion: "AUTO" },
          resultConfiguration: {
            outputLocation: `s3://${results.bucketName}/${tn.queryResultsPrefix}`,
            expectedBucketOwner: ctx.accountId,
            encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: key.key.arn },
          },
        },
      });
    }
    this.tenants = tenants;
  }
}
