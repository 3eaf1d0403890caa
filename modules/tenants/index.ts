/**
 * Guide §13, tenant isolation for external consumers: per tenant, an S3 access point on each bucket whose policy
 * confines every request to the tenant's prefixes (input `<tenant>/calls/`, results `<tenant>/`), a read-only
 * role (trusted by the account, or the tenant's configured principals) that reads its results only through its
 * access point and queries them through its own Athena workgroup (results encrypted with the customer key under
 * `athena-results/<tenant>/`). Onboarding a tenant is one configuration entry; docs/security.md lists what a plan
 * adds per tenant.
 */
import { createHash } from "node:crypto";
import { Construct } from "constructs";
import { AthenaWorkgroup } from "@cdktf/provider-aws/lib/athena-workgroup";
import { S3AccessPoint } from "@cdktf/provider-aws/lib/s3-access-point";
import { resultsPrefix, tenantQueryResultsPrefix, uploadPrefix } from "../../lambda-src/contracts/storage-layout";
import type { Naming } from "../config/naming";
import type { CciLiteConfig } from "../config/schema";
import type { CustomerKey } from "../constructs/customer-key";
import { Role } from "../constructs/role";
import { type SecureBucket, uploadEncryptionDenies } from "../constructs/secure-bucket";
import { denyInsecureTransport, keyByAlias, policy, render, type Statement } from "../iam/policy";

/** A name of at most `max` characters: `<stem>-<part>-<suffix>`, the part replaced by a hash when too long. */
export function fitName(stem: string, part: string, suffix: string, max: number): string {
  const full = `${stem}-${part}-${suffix}`;
  if (full.length <= max) return full;
  return `${stem}-${createHash("sha256").update(part).digest("hex").slice(0, 8)}-${suffix}`;
}

export interface TenantNames {
  readonly tenant: string;
  readonly inputAccessPoint: string;
  readonly resultsAccessPoint: string;
  readonly inputAccessPointArn: string;
  readonly resultsAccessPointArn: string;
  readonly roleName: string;
  readonly roleArn: string;
  readonly workgroup: string;
  /** `<tenant>/calls/` of the input bucket. */
  readonly uploadPrefix: string;
  /** `<tenant>/` of the results bucket. */
  readonly resultsPrefix: string;
  /** `athena-results/<tenant>/` of the results bucket. */
  readonly queryResultsPrefix: string;
}

/** Every per-tenant name and ARN, built from the configuration so policies are known at plan. */
export function tenantNames(cfg: CciLiteConfig, n: Naming, tenant: string): TenantNames {
  const ap = (kind: string) => fitName(n.stem, tenant, kind, 50);
  const apArn = (name: string) => `arn:aws:s3:${cfg.region}:${cfg.accountId}:accesspoint/${name}`;
  const roleName = fitName(n.stem, tenant, "reader", 64);
  return {
    tenant,
    inputAccessPoint: ap("input"),
    resultsAccessPoint: ap("results"),
    inputAccessPointArn: apArn(ap("input")),
    resultsAccessPointArn: apArn(ap("results")),
    roleName,
    roleArn: `arn:aws:iam::${cfg.accountId}:role/${roleName}`,
    workgroup: `${n.workgroup}-${tenant}`,
    uploadPrefix: uploadPrefix(tenant),
    resultsPrefix: resultsPrefix(tenant),
    queryResultsPrefix: tenantQueryResultsPrefix(tenant),
  };
}

export interface TenantAccessProps {
  readonly config: CciLiteConfig;
  readonly naming: Naming;
  readonly key: CustomerKey;
  readonly input: SecureBucket;
  readonly results: SecureBucket;
}

const OBJECT_ACTIONS = [
  "s3:GetObject",
  "s3:GetObjectVersion",
  "s3:GetObjectAttributes",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:RestoreObject",
];

/** Statements every tenant access point carries: confinement to `prefix`, and TLS only. */
function confinement(apArn: string, prefix: string): Statement[] {
  return [
    { Sid: "DenyObjectsOutsideTenantPrefix", Effect: "Deny", Principal: "*", Action: OBJECT_ACTIONS, NotResource: `${apArn}/object/${prefix}*` },
    {
      Sid: "DenyListingOutsideTenantPrefix",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:ListBucket",
      Resource: apArn,
      Condition: { StringNotLike: { "s3:prefix": `${prefix}*` } },
    },
    denyInsecureTransport("s3:*", [apArn, `${apArn}/object/*`]),
  ];
}

/**
 * Guide §13: lets this account's access points (the per-tenant ones below, whose own policies confine each to its
 * tenant's prefix) decide access for the named actions. `s3:DataAccessPointAccount` is a fixed-value condition,
 * so the statement is not public and Block Public Access accepts it.
 */
function delegateToAccessPoints(bucket: SecureBucket, accountId: string, actions: string[]): Statement {
  return {
    Sid: "DelegateToThisAccountsAccessPoints",
    Effect: "Allow",
    Principal: { AWS: "*" },
    Action: actions,
    Resource: [bucket.bucketArn, bucket.objectsArn()],
    Condition: { StringEquals: { "s3:DataAccessPointAccount": accountId } },
  };
}

export class TenantAccess extends Construct {
  readonly tenants: ReadonlyMap<string, TenantNames>;

  constructor(scope: Construct, id: string, props: TenantAccessProps) {
    super(scope, id);
    const { config: cfg, naming: n, key } = props;
    const account = cfg.accountId;
    const region = cfg.region;
    const root = `arn:aws:iam::${account}:root`;
    const tenants = new Map<string, TenantNames>();
    props.input.addToResourcePolicy(delegateToAccessPoints(props.input, account, ["s3:PutObject", "s3:ListBucket"]));
    props.results.addToResourcePolicy(delegateToAccessPoints(props.results, account, ["s3:GetObject", "s3:ListBucket"]));

    for (const t of cfg.tenants) {
      const tn = tenantNames(cfg, n, t.id);
      tenants.set(t.id, tn);
      const scopeT = new Construct(this, t.id);

      const role = new Role(scopeT, "reader", {
        accountId: account,
        roleName: tn.roleName,
        description: `CCI Lite tenant ${t.id}: read-only access to its results (access point and Athena workgroup)`,
        assumeRolePolicy: policy({ Sid: "AllowTenantConsumers", Effect: "Allow", Principal: { AWS: t.readerPrincipals ?? [root] }, Action: "sts:AssumeRole" }),
        policyName: "tenant-read-only",
      });
      key.grantUse(tn.roleArn);

      const calledViaAthena = { "ForAnyValue:StringEquals": { "aws:CalledVia": ["athena.amazonaws.com"] } };
      const kb = keyByAlias(account, region, n.keyAlias);
      const statements: Statement[] = [
        { Sid: "ReadOwnResultsViaAccessPoint", Effect: "Allow", Action: "s3:GetObject", Resource: `${tn.resultsAccessPointArn}/object/${tn.resultsPrefix}*` },
        {
          Sid: "ListOwnResultsViaAccessPoint",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: tn.resultsAccessPointArn,
          Condition: { StringLike: { "s3:prefix": `${tn.resultsPrefix}*` } },
        },
        {
          Sid: "QueryOwnWorkgroup",
          Effect: "Allow",
          Action: [
            "athena:StartQueryExecution",
            "athena:StopQueryExecution",
            "athena:GetQueryExecution",
            "athena:GetQueryResults",
            "athena:GetWorkGroup",
            "athena:ListQueryExecutions",
          ],
          Resource: `arn:aws:athena:${region}:${account}:workgroup/${tn.workgroup}`,
        },
        {
          Sid: "ReadResultsTableDefinition",
          Effect: "Allow",
          Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions"],
          Resource: [
            `arn:aws:glue:${region}:${account}:catalog`,
            `arn:aws:glue:${region}:${account}:database/${n.glueDatabase}`,
            `arn:aws:glue:${region}:${account}:table/${n.glueDatabase}/${n.resultsTable}`,
          ],
        },
        {
          Sid: "AthenaReadsOwnResults",
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: `${n.resultsBucketArn}/${tn.resultsPrefix}*`,
          Condition: calledViaAthena,
        },
        {
          Sid: "AthenaListsOwnPrefixes",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: n.resultsBucketArn,
          Condition: { ...calledViaAthena, StringLike: { "s3:prefix": [`${tn.resultsPrefix}*`, `${tn.queryResultsPrefix}*`] } },
        },
        { Sid: "AthenaLocatesBucket", Effect: "Allow", Action: "s3:GetBucketLocation", Resource: n.resultsBucketArn, Condition: calledViaAthena },
        {
          Sid: "AthenaWritesOwnQueryResults",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
          Resource: `${n.resultsBucketArn}/${tn.queryResultsPrefix}*`,
          Condition: calledViaAthena,
        },
        {
          Sid: "UseCustomerKeyThroughS3",
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
          Resource: kb.Resource,
          Condition: { ...kb.Condition, StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
        },
      ];
      for (const st of statements) role.addToPrincipalPolicy(st);

      new S3AccessPoint(scopeT, "input-access-point", {
        name: tn.inputAccessPoint,
        bucket: props.input.bucket.id,
        accountId: account,
        publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        policy: render(
          policy(
            // Delegates to this account's identity policies, confined below to the tenant's upload prefix.
            {
              Sid: "AllowAccountUploadsToTenantPrefix",
              Effect: "Allow",
              Principal: { AWS: root },
              Action: "s3:PutObject",
              Resource: `${tn.inputAccessPointArn}/object/${tn.uploadPrefix}*`,
            },
            // The bucket's upload encryption denies, repeated here: no encryption header but this key's, or none.
            ...uploadEncryptionDenies(key, { Resource: `${tn.inputAccessPointArn}/object/*` }),
            ...confinement(tn.inputAccessPointArn, tn.uploadPrefix),
          ),
        ),
        dependsOn: [props.input.policy],
      });

      new S3AccessPoint(scopeT, "results-access-point", {
        name: tn.resultsAccessPoint,
        bucket: props.results.bucket.id,
        accountId: account,
        publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        policy: render(
          policy(
            {
              Sid: "AllowTenantReaderList",
              Effect: "Allow",
              Principal: { AWS: tn.roleArn },
              Action: "s3:ListBucket",
              Resource: tn.resultsAccessPointArn,
              Condition: { StringLike: { "s3:prefix": `${tn.resultsPrefix}*` } },
            },
            {
              Sid: "AllowTenantReaderGet",
              Effect: "Allow",
              Principal: { AWS: tn.roleArn },
              Action: "s3:GetObject",
              Resource: `${tn.resultsAccessPointArn}/object/${tn.resultsPrefix}*`,
            },
            ...confinement(tn.resultsAccessPointArn, tn.resultsPrefix),
          ),
        ),
        // The policy names the role: IAM rejects a principal that does not exist yet.
        dependsOn: [role.role, props.results.policy],
      });

      new AthenaWorkgroup(scopeT, "workgroup", {
        name: tn.workgroup,
        description: `CCI Lite tenant ${t.id}: enforced settings, KMS-encrypted results under ${tn.queryResultsPrefix}`,
        state: "ENABLED",
        forceDestroy: false,
        dependsOn: [props.results.bucket],
        configuration: {
          enforceWorkgroupConfiguration: true,
          publishCloudwatchMetricsEnabled: true,
          bytesScannedCutoffPerQuery: cfg.athena.bytesScannedCutoffPerQuery,
          engineVersion: { selectedEngineVersion: "AUTO" },
          resultConfiguration: {
            outputLocation: `s3://${n.resultsBucket}/${tn.queryResultsPrefix}`,
            expectedBucketOwner: account,
            encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: key.key.arn },
          },
        },
      });
    }
    this.tenants = tenants;
  }
}
