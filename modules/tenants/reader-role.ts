/**
 * Guide §13: a tenant's read-only role. It reads its results through its access point and queries them in its own
 * Athena workgroup; S3 reads of the bucket path are allowed only when Athena makes them (`aws:CalledVia`) and only
 * under the tenant's prefixes; the customer key only through S3.
 */
import type { Construct } from "constructs";
import type { CustomerKey } from "../constructs/customer-key";
import { Role } from "../constructs/role";
import type { SecureBucket } from "../constructs/secure-bucket";
import { StackContext } from "../constructs/stack-context";
import { CALLED_VIA_ATHENA, queryWorkgroup, readTableDefinitions } from "../iam/athena";
import { keyByAlias, policy, type Statement } from "../iam/policy";
import type { TenantNames } from "./tenant-names";

export interface ReaderRoleProps {
  /** Who may assume the role. @default this account's root */
  readonly readerPrincipals?: readonly string[];
  readonly key: CustomerKey;
  readonly results: SecureBucket;
  /** The Glue database, and the table of it the reader may read. */
  readonly glueDatabase: string;
  readonly glueTable: string;
}

export function readerRole(scope: Construct, tn: TenantNames, props: ReaderRoleProps): Role {
  const { key, results } = props;
  const ctx = StackContext.of(scope);
  const role = new Role(scope, "reader", {
    roleName: tn.roleName,
    description: `CCI Lite tenant ${tn.tenant}: read-only access to its results (access point and Athena workgroup)`,
    assumeRolePolicy: policy({
      Sid: "AllowTenantConsumers",
      Effect: "Allow",
      Principal: { AWS: props.readerPrincipals ? [...props.readerPrincipals] : [ctx.iamArn("root")] },
      Action: "sts:AssumeRole",
    }),
    policyName: "tenant-read-only",
  });
  key.grantUse(tn.roleArn);

  const calledViaAthena = CALLED_VIA_ATHENA;
  const kb = keyByAlias(ctx, key.aliasName);
  const statements: Statement[] = [
    { Sid: "ReadOwnResultsViaAccessPoint", Effect: "Allow", Action: "s3:GetObject", Resource: `${tn.resultsAccessPointArn}/object/${tn.resultsPrefix}*` },
    {
      Sid: "ListOwnResultsViaAccessPoint",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: tn.resultsAccessPointArn,
      Condition: { StringLike: { "s3:prefix": `${tn.resultsPrefix}*` } },
    },
    queryWorkgroup("QueryOwnWorkgroup", ctx, tn.workgroup),
    readTableDefinitions("ReadResultsTableDefinition", ctx, props.glueDatabase, [props.glueTable]),
    {
      Sid: "AthenaReadsOwnResults",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: results.objectsArn(`${tn.resultsPrefix}*`),
      Condition: calledViaAthena,
    },
    {
      Sid: "AthenaListsOwnPrefixes",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: results.bucketArn,
      Condition: { ...calledViaAthena, StringLike: { "s3:prefix": [`${tn.resultsPrefix}*`, `${tn.queryResultsPrefix}*`] } },
    },
    { Sid: "AthenaLocatesBucket", Effect: "Allow", Action: "s3:GetBucketLocation", Resource: results.bucketArn, Condition: calledViaAthena },
    {
      Sid: "AthenaWritesOwnQueryResults",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      Resource: results.objectsArn(`${tn.queryResultsPrefix}*`),
      Condition: calledViaAthena,
    },
    {
      Sid: "UseCustomerKeyThroughS3",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
      Resource: kb.Resource,
      Condition: { ...kb.Condition, StringEquals: { "kms:ViaService": `s3.${ctx.region}.amazonaws.com` } },
    },
  ];
  for (const st of statements) role.addToPrincipalPolicy(st);
  return role;
}
