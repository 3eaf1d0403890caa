/**
 * Guide §3.3 and §13: the per-tenant S3 access points and the bucket statements that delegate to them. Each access
 * point's policy confines every request to the tenant's prefix, whatever IAM grants, and requires TLS.
 */
import type { Construct } from "constructs";
import { S3AccessPoint } from "@cdktf/provider-aws/lib/s3-access-point";
import type { CustomerKey } from "../constructs/customer-key";
import type { Role } from "../constructs/role";
import { type SecureBucket, uploadEncryptionDenies } from "../constructs/secure-bucket";
import { StackContext } from "../constructs/stack-context";
import { denyInsecureTransport, policy, render, type Statement } from "../iam/policy";
import type { TenantNames } from "./tenant-names";

const OBJECT_ACTIONS = [
  "s3:GetObject",
  "s3:GetObjectVersion",
  "s3:GetObjectAttributes",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:RestoreObject",
];

const BLOCK_PUBLIC = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };

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
 * Guide §13: lets the stack's own access points (the per-tenant ones, whose own policies confine each to its
 * tenant's prefix) decide access for the named actions: exactly those ARNs (`s3:DataAccessPointArn`), never another
 * access point of the account (issue 20). Both keys are fixed-value conditions, so the statement is not public and
 * Block Public Access accepts it.
 */
export function delegateToAccessPoints(bucket: SecureBucket, actions: string[], accessPointArns: readonly string[]): void {
  const { accountId } = StackContext.of(bucket);
  bucket.addToResourcePolicy({
    Sid: "DelegateToThisAccountsAccessPoints",
    Effect: "Allow",
    Principal: { AWS: "*" },
    Action: actions,
    Resource: [bucket.bucketArn, bucket.objectsArn()],
    Condition: { StringEquals: { "s3:DataAccessPointAccount": accountId, "s3:DataAccessPointArn": [...accessPointArns] } },
  });
}

/** The tenant's input access point: account principals upload under `<tenant>/calls/` with this key (or none). */
export function inputAccessPoint(scope: Construct, tn: TenantNames, input: SecureBucket, key: CustomerKey): S3AccessPoint {
  const ctx = StackContext.of(scope);
  return new S3AccessPoint(scope, "input-access-point", {
    name: tn.inputAccessPoint,
    bucket: input.bucket.id,
    accountId: ctx.accountId,
    publicAccessBlockConfiguration: BLOCK_PUBLIC,
    policy: render(
      policy(
        // Delegates to this account's identity policies, confined below to the tenant's upload prefix.
        {
          Sid: "AllowAccountUploadsToTenantPrefix",
          Effect: "Allow",
          Principal: { AWS: ctx.iamArn("root") },
          Action: "s3:PutObject",
          Resource: `${tn.inputAccessPointArn}/object/${tn.uploadPrefix}*`,
        },
        // The bucket's upload encryption denies, repeated here: no encryption header but this key's, or none.
        ...uploadEncryptionDenies(key, { Resource: `${tn.inputAccessPointArn}/object/*` }),
        ...confinement(tn.inputAccessPointArn, tn.uploadPrefix),
      ),
    ),
    dependsOn: [input.policy],
  });
}

/** The tenant's results access point: only its reader role lists and reads, under `<tenant>/` only. */
export function resultsAccessPoint(scope: Construct, tn: TenantNames, results: SecureBucket, reader: Role): S3AccessPoint {
  return new S3AccessPoint(scope, "results-access-point", {
    name: tn.resultsAccessPoint,
    bucket: results.bucket.id,
    accountId: StackContext.of(scope).accountId,
    publicAccessBlockConfiguration: BLOCK_PUBLIC,
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
    dependsOn: [reader.role, results.policy],
  });
}
