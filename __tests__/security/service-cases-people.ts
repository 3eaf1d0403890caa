/**
 * The requests people and the deployer make against our policies (Proof 2, docs/security.md), as cases of one mode
 * (./service-case.ts): the apply role creating the functions, an uploader's single and multipart uploads through the
 * bucket and each tenant's input access point, the configured uploaders, and the Terraform state backend's lock
 * writes. The same requests as service-requests.test.ts on the prod plan, built from the mode's names.
 */
import type { CciLiteConfig } from "../../modules/config/schema";
import type { Decision, Policy } from "./iam";
import type { Check, ServiceCase } from "./service-case";
import { ADMINISTRATOR_ACCESS, AES, allow, HTTP, SSE, s3Via, viaS3 } from "./service-case";
import { DOCS } from "./service-docs";
import type { ServiceWorld } from "./service-world";

/** Where an uploader puts an object: the input bucket, or a tenant's input access point (every tenant). */
interface Target {
  readonly via: string;
  readonly resource: string;
  readonly identity: Policy[];
  readonly policy: Policy;
}
/** An IAM principal of the account allowed to upload audio for one tenant, and S3's use of the key on its behalf. */
const uploaderRole = (w: ServiceWorld) => w.role(`${w.n.stem}-uploader`);
const uploaderIdentity = (w: ServiceWorld, objects: string): Policy[] => [
  allow("s3:PutObject", objects),
  allow(["kms:GenerateDataKey", "kms:Decrypt"], w.arn("kms", "key/*"), { StringEquals: { "kms:ViaService": s3Via(w) } }),
];
function targets(w: ServiceWorld): Target[] {
  const t0 = w.tenants[0];
  return [
    {
      via: `the input bucket (${t0.tenant})`,
      resource: `${w.n.inputBucketArn}/${t0.uploadPrefix}c1.wav`,
      identity: uploaderIdentity(w, `${w.n.inputBucketArn}/${t0.uploadPrefix}*`),
      policy: w.policy("app", "aws_s3_bucket_policy", "storage_input"),
    },
    ...w.tenants.map((t) => ({
      via: `${t.tenant}'s input access point`,
      resource: `${t.inputAccessPointArn}/object/${t.uploadPrefix}c1.wav`,
      identity: uploaderIdentity(w, `${t.inputAccessPointArn}/object/${t.uploadPrefix}*`),
      policy: w.policy("app", "aws_s3_access_point", `tenants_${t.tenant}_input-access-point`),
    })),
  ];
}
/** One request authorised as s3:PutObject (PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload). */
const put = (w: ServiceWorld, t: Target, context: Record<string, string>, expect: Decision): Check => ({
  request: { principal: uploaderRole(w), action: "s3:PutObject", resource: t.resource, identity: t.identity, resourcePolicy: t.policy, context },
  expect,
});
/** An uploader case over every target: `of` gives the checks of one target. */
const uploads = (name: string, cite: string, of: (w: ServiceWorld, t: Target) => Check[]): ServiceCase => ({
  name: `Uploader via the input bucket and every tenant's input access point: ${name}`,
  cite,
  checks: (w) => targets(w).flatMap((t) => of(w, t)),
});
/** A multipart upload: every step allowed. UploadPart/Complete carry no SSE headers (S3 rejects them there), or S3 presents the initiate's. */
const multipart = (w: ServiceWorld, t: Target, initiate: Record<string, string>, partsSeeInitiate = false): Check[] => [
  put(w, t, initiate, "Allowed"),
  put(w, t, partsSeeInitiate ? initiate : {}, "Allowed"),
  put(w, t, {}, "Allowed"),
];
const otherKey = (w: ServiceWorld) => w.arn("kms", "key/a1b2c3d4-aws3-4000-8000-000000000000");

/** Configured uploaders: `access.uploaders` (every tenant) and each tenant's `uploaderPrincipals`, with their managed policies. */
function configuredUploaders(w: ServiceWorld): { principal: string; policy: Policy; tenant?: string }[] {
  const managed = (part: string) => w.policy("app", "aws_iam_policy", part);
  return [
    ...w.cfg.access.uploaders.map((principal) => ({ principal, policy: managed("people_uploaders_policy") })),
    ...w.cfg.tenants.flatMap((t) => t.uploaderPrincipals.map((principal) => ({ principal, policy: managed(`people_uploaders-${t.id}_policy`), tenant: t.id }))),
  ];
}
const hasUploaders = (cfg: CciLiteConfig) => cfg.access.uploaders.length > 0 || cfg.tenants.some((t) => t.uploaderPrincipals.length > 0);
const stateCtx = (w: ServiceWorld) => ({ "kms:ResourceAliases": [w.state.alias] });

export const PEOPLE_CASES: readonly ServiceCase[] = [
  {
    name: "Deployer: the apply role (its policy and boundary) creates each function and passes its role; no function sets kms_key_arn, so Lambda needs no kms:CreateGrant",
    cite: DOCS.lambdaEnvKeys,
    checks: (w) => [
      { fact: `no function sets kms_key_arn (set by: ${w.functionsWithOwnKey.join(", ") || "none"})`, holds: w.functionsWithOwnKey.length === 0 },
      ...w.functionArns.map(
        (resource): Check => ({ request: { principal: w.applyRole, action: "lambda:CreateFunction", resource, ...w.asApply() }, expect: "Allowed" }),
      ),
      ...w.functionRoles.map(
        (resource): Check => ({
          request: { principal: w.applyRole, action: "iam:PassRole", resource, ...w.asApply(), context: { "iam:PassedToService": "lambda.amazonaws.com" } },
          expect: "Allowed",
        }),
      ),
    ],
  },
  {
    name: "Deployer (in a VPC): the apply role (its policy and boundary) describes the security groups, subnets and VPC Lambda places each function in",
    cite: DOCS.lambdaVpc,
    when: (cfg) => cfg.network.mode !== "off",
    checks: (w) =>
      ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"].map(
        (action): Check => ({ request: { principal: w.applyRole, action, resource: "*", ...w.asApply(), allowWildcard: true }, expect: "Allowed" }),
      ),
  },
  uploads("single PutObject naming the key ARN is allowed, and so is the key's alias ARN", DOCS.s3KmsKeyCondition, (w, t) => [
    put(w, t, SSE(w.key), "Allowed"),
    put(w, t, SSE(w.keyAliasArn), "Allowed"),
  ]),
  uploads("single PutObject without encryption headers is allowed (the bucket default is the key)", DOCS.s3Put, (w, t) => [put(w, t, {}, "Allowed")]),
  uploads("AES256, aws:kms without a key id (aws/s3), or aws/s3's key ARN are denied", DOCS.s3Put, (w, t) =>
    [AES, { "s3:x-amz-server-side-encryption": "aws:kms:dsse" }, SSE(), SSE(otherKey(w)), SSE(w.arn("kms", "alias/aws/s3"))].map((c) =>
      put(w, t, c, "ExplicitlyDenied"),
    ),
  ),
  uploads("plain HTTP is denied, with or without headers", DOCS.conditionOperators, (w, t) => [
    put(w, t, { ...SSE(w.key), ...HTTP }, "ExplicitlyDenied"),
    put(w, t, HTTP, "ExplicitlyDenied"),
  ]),
  uploads(
    "multipart (CreateMultipartUpload naming the key ARN, UploadPart and Complete without headers) is allowed, however S3 presents the parts",
    DOCS.s3Multipart,
    (w, t) => [...multipart(w, t, SSE(w.key)), ...multipart(w, t, SSE(w.key), true), ...multipart(w, t, {})],
  ),
  uploads("multipart initiated with AES256 or aws/s3 is denied at CreateMultipartUpload", DOCS.s3Multipart, (w, t) =>
    [AES, SSE(), SSE(otherKey(w))].map((c) => put(w, t, c, "ExplicitlyDenied")),
  ),
  {
    name: "Uploader (configured): S3 generates and decrypts the object's data key with each configured uploader's credentials",
    cite: DOCS.s3KmsKeyCondition,
    when: hasUploaders,
    checks: (w) => {
      const key = w.policy("app", "aws_kms_key", "key");
      const dataKey = (principal: string, policy: Policy, action: string, expect: Decision): Check => ({
        request: { principal, action, resource: w.key, identity: [policy], resourcePolicy: key, context: viaS3(w, w.n.inputBucketArn) },
        expect,
      });
      const all = configuredUploaders(w);
      return [
        ...all.flatMap((u) => ["kms:GenerateDataKey", "kms:Decrypt"].map((a) => dataKey(u.principal, u.policy, a, "Allowed"))),
        // Not configured: no place in the key policy.
        dataKey(w.role("stranger"), all[0].policy, "kms:GenerateDataKey", "ImplicitlyDenied"),
      ];
    },
  },
  {
    name: "Uploader (configured): a tenant's uploader writes only under its tenant's calls/ prefix, the others under any tenant's",
    cite: DOCS.s3Put,
    when: hasUploaders,
    checks: (w) => {
      const bucket = w.policy("app", "aws_s3_bucket_policy", "storage_input");
      const at = (principal: string, policy: Policy, key: string, expect: Decision): Check => ({
        request: {
          principal,
          action: "s3:PutObject",
          resource: `${w.n.inputBucketArn}/${key}`,
          identity: [policy],
          resourcePolicy: bucket,
          context: SSE(w.key),
        },
        expect,
      });
      return configuredUploaders(w).flatMap((u) => [
        at(u.principal, u.policy, `${u.tenant ?? "other"}/calls/c1.wav`, "Allowed"),
        at(u.principal, u.policy, u.tenant ? "other/calls/c1.wav" : "other/results.json", "ImplicitlyDenied"),
      ]);
    },
  },
  {
    name: "Apply role: writes the state lock object with SSE-KMS naming the state key's alias ARN (kms_key_id), and S3 gets a data key",
    cite: DOCS.terraformS3Backend,
    checks: (w) => [
      {
        request: {
          principal: w.applyRole,
          action: "s3:PutObject",
          resource: w.state.lock,
          ...w.asApply(),
          resourcePolicy: w.policy("bootstrap", "aws_s3_bucket_policy", "state"),
          context: SSE(w.state.aliasArn),
        },
        expect: "Allowed",
      },
      {
        request: {
          principal: w.applyRole,
          action: "kms:GenerateDataKey",
          resource: w.state.key,
          ...w.asApply(),
          resourcePolicy: w.policy("bootstrap", "aws_kms_key", "key"),
          context: viaS3(w, w.state.bucket, stateCtx(w)),
        },
        expect: "Allowed",
      },
    ],
  },
  {
    name: "Administrator (README hand deploy): the state bucket policy lets the lock write through",
    cite: DOCS.terraformS3Backend,
    checks: (w) =>
      [
        [SSE(w.state.aliasArn), "Allowed"],
        [SSE(), "ExplicitlyDenied"],
      ].map(([context, expect]) => ({
        request: {
          principal: w.role("Admin"),
          action: "s3:PutObject",
          resource: w.state.lock,
          identity: [ADMINISTRATOR_ACCESS],
          resourcePolicy: w.policy("bootstrap", "aws_s3_bucket_policy", "state"),
          context: context as Record<string, string>,
        },
        expect: expect as Decision,
      })),
  },
  {
    name: "Administrator (configured, README hand deploy): S3 generates the lock object's data key under the state key",
    cite: DOCS.terraformS3Backend,
    when: (cfg) => cfg.access.administrators.length > 0,
    checks: (w) =>
      [...w.cfg.access.administrators.map((a) => [a, "Allowed"] as const), [w.role("NotConfigured"), "ImplicitlyDenied"] as const].map(
        ([principal, expect]) => ({
          request: {
            principal,
            action: "kms:GenerateDataKey",
            resource: w.state.key,
            identity: [ADMINISTRATOR_ACCESS],
            resourcePolicy: w.policy("bootstrap", "aws_kms_key", "key"),
            context: viaS3(w, w.state.bucket, stateCtx(w)),
          },
          expect,
        }),
      ),
  },
];
