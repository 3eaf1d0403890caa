/**
 * A private, KMS-encrypted S3 bucket: SSE-KMS default with a bucket key, all four public access blocks,
 * object ownership enforced (no ACLs), lifecycle rules, and a policy that denies non-TLS access and every upload
 * that asks for an encryption other than this bucket's key (guide §3.3's validation; see
 * {@link uploadEncryptionDenies} and docs/security.md "Uploads and the customer key").
 */
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA as S3BucketServerSideEncryptionConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA as S3BucketVersioning } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { ValidationError } from "../config/errors";
import { denyInsecureTransport, type Grantee, policy, render, type Statement } from "../iam/policy";
import type { CustomerKey } from "./customer-key";
import { StackContext } from "./stack-context";

/** The SSE request headers as S3 condition keys. */
export const SSE_HEADER = "s3:x-amz-server-side-encryption";
export const SSE_KEY_ID_HEADER = "s3:x-amz-server-side-encryption-aws-kms-key-id";

/**
 * Guide §3.3, redesigned: the upload denies of a bucket (and of an access point in front of it) whose default
 * encryption is SSE-KMS with `key`. Each statement denies only a request that carries an encryption header asking
 * for something else, so it holds however S3 fills the condition keys of a request:
 *
 * - `DenyPutWithOtherEncryption`: an `x-amz-server-side-encryption` other than `aws:kms` (AES256, aws:kms:dsse).
 *   `Null: false` is in the same statement because IAM's negated operators are true when the key is missing:
 *   without it, a request without the header would be denied.
 * - `DenyKmsWithoutKeyId`: `aws:kms` without `x-amz-server-side-encryption-aws-kms-key-id` (S3 would use the
 *   AWS managed key `aws/s3`, not ours).
 * - `DenyPutWithOtherKey`: a key-id header naming anything but this key, by its ARN (the only form S3 documents
 *   for the condition) or by its alias ARN (what Terraform's S3 backend sends: `kms_key_id` is the alias ARN,
 *   because the key ARN is unknown before the bootstrap apply). Whether S3 resolves the alias before comparing is
 *   not documented; accepting both values is right either way.
 *
 * A request without encryption headers is not denied: it gets the bucket's default, this key. That covers
 * `UploadPart` and `CompleteMultipartUpload` (authorised as `s3:PutObject`, never carrying the header) whether
 * S3 presents them without the header keys or with the values of their `CreateMultipartUpload`.
 */
export function uploadEncryptionDenies(key: CustomerKey, targets: Pick<Statement, "Resource" | "NotResource">): Statement[] {
  const ours = [key.key.arn, key.aliasArn];
  const deny = (Sid: string, Condition: Statement["Condition"]): Statement => ({
    Sid,
    Effect: "Deny",
    Principal: "*",
    Action: "s3:PutObject",
    ...targets,
    Condition,
  });
  return [
    deny("DenyPutWithOtherEncryption", { StringNotEquals: { [SSE_HEADER]: "aws:kms" }, Null: { [SSE_HEADER]: "false" } }),
    deny("DenyKmsWithoutKeyId", { StringEquals: { [SSE_HEADER]: "aws:kms" }, Null: { [SSE_KEY_ID_HEADER]: "true" } }),
    deny("DenyPutWithOtherKey", { StringNotEquals: { [SSE_KEY_ID_HEADER]: ours }, Null: { [SSE_KEY_ID_HEADER]: "false" } }),
  ];
}

export interface ExpirationRule {
  /** Rule id (unique within the bucket). */
  readonly id: string;
  /** Key prefix; `""` for the whole bucket. */
  readonly prefix: string;
  /** Days after creation when objects expire. */
  readonly days: number;
}

export interface SecureBucketProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  /** The key for default encryption; grants on the bucket grant its use too. */
  readonly key: CustomerKey;
  /** Expiration rules; S3 applies the shortest of overlapping rules. */
  readonly expirations: readonly ExpirationRule[];
  /** Days before incomplete multipart uploads are aborted. @default 1 */
  readonly abortIncompleteMultipartDays?: number;
  /**
   * Key prefixes exempt from the encryption-header denies, for AWS services that write with another algorithm by
   * design (CloudTrail's digest files are SSE-S3). Default encryption still applies to them. @default none
   */
  readonly encryptionHeaderExemptPrefixes?: readonly string[];
  /** Days before noncurrent versions expire (versioned buckets). @default no such rule */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Turn S3 Versioning on: an overwritten or expired object stays as a noncurrent version for
   * `noncurrentVersionExpirationDays` (required then), so a bad write can be undone. An expiration rule then adds a
   * delete marker, and S3 removes the marker once it is the only version left. @default false
   */
  readonly versioned?: boolean;
  /** Allow `terraform destroy` to delete a non-empty bucket. @default false */
  readonly forceDestroy?: boolean;
}

export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly bucketName: string;
  /** Built from the name, so it is known at plan time. */
  readonly bucketArn: string;
  readonly policy: S3BucketPolicy;
  private readonly key: CustomerKey;
  private readonly extra: Statement[] = [];

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    if (props.expirations.length === 0 && props.noncurrentVersionExpirationDays === undefined) {
      throw new ValidationError(
        this.node.path,
        "expirations",
        "must not be empty unless noncurrentVersionExpirationDays is set (every bucket has a lifecycle)",
      );
    }
    if (props.versioned && props.noncurrentVersionExpirationDays === undefined) {
      throw new ValidationError(
        this.node.path,
        "noncurrentVersionExpirationDays",
        "must be set on a versioned bucket (noncurrent versions would be kept forever)",
      );
    }
    if (
      props.noncurrentVersionExpirationDays !== undefined &&
      (!Number.isInteger(props.noncurrentVersionExpirationDays) || props.noncurrentVersionExpirationDays < 1)
    ) {
      throw new ValidationError(this.node.path, "noncurrentVersionExpirationDays", `must be a whole number >= 1, got ${props.noncurrentVersionExpirationDays}`);
    }
    const ids = new Set<string>();
    for (const r of props.expirations) {
      if (ids.has(r.id)) throw new ValidationError(this.node.path, "expirations", `has the rule id "${r.id}" twice`);
      ids.add(r.id);
      if (!Number.isInteger(r.days) || r.days < 1)
        throw new ValidationError(this.node.path, `expirations["${r.id}"].days`, `must be a whole number >= 1, got ${r.days}`);
    }
    if (props.expirations.length > 999)
      throw new ValidationError(this.node.path, "expirations", `has ${props.expirations.length} rules; S3 allows 1000 per bucket`);
    this.bucketName = props.bucketName;
    this.bucketArn = StackContext.of(this).bucketArn(props.bucketName);
    this.key = props.key;

    this.bucket = new S3Bucket(this, "bucket", { bucket: props.bucketName, forceDestroy: props.forceDestroy ?? false });
    const bucketRef = this.bucket.id;

    new S3BucketServerSideEncryptionConfiguration(this, "encryption", {
      bucket: bucketRef,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.key.key.arn }, bucketKeyEnabled: true }],
    });
    const pab = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: bucketRef,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", { bucket: bucketRef, rule: { objectOwnership: "BucketOwnerEnforced" } });
    // S3 applies a lifecycle with noncurrent-version rules only once versioning is on: create it first.
    const versioning = props.versioned
      ? new S3BucketVersioning(this, "versioning", { bucket: bucketRef, versioningConfiguration: { status: "Enabled" } })
      : undefined;
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: bucketRef,
      ...(versioning ? { dependsOn: [versioning] } : {}),
      rule: [
        ...props.expirations.map((r) => ({
          id: r.id,
          status: "Enabled",
          filter: [{ prefix: r.prefix }],
          expiration: [{ days: r.days }],
        })),
        ...(props.noncurrentVersionExpirationDays !== undefined
          ? [
              {
                id: "noncurrent-versions",
                status: "Enabled",
                filter: [{ prefix: "" }],
                noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays }],
              },
            ]
          : []),
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: [{ prefix: "" }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: props.abortIncompleteMultipartDays ?? 1 }],
        },
      ],
    });

    const exempt = props.encryptionHeaderExemptPrefixes ?? [];
    const putTargets: Pick<Statement, "Resource" | "NotResource"> = exempt.length
      ? { NotResource: exempt.map((p) => `${this.bucketArn}/${p}*`) }
      : { Resource: `${this.bucketArn}/*` };
    this.policy = new S3BucketPolicy(this, "policy", {
      bucket: bucketRef,
      policy: Lazy.stringValue({
        produce: () =>
          render(
            policy(denyInsecureTransport("s3:*", [this.bucketArn, `${this.bucketArn}/*`]), ...uploadEncryptionDenies(props.key, putTargets), ...this.extra),
          ),
      }),
      // The public access block must exist first, or a policy could briefly be evaluated without it.
      dependsOn: [pab],
    });
  }

  /** Adds a statement to the bucket policy (after the TLS and encryption denies). */
  addToResourcePolicy(statement: Statement): void {
    this.extra.push(statement);
  }

  /** Objects under `pattern` (e.g. `* /calls/*` without the space, `tmp/*`), as an ARN. */
  objectsArn(pattern = "*"): string {
    return `${this.bucketArn}/${pattern}`;
  }

  /** Read objects under `pattern` (optionally their versions) and decrypt them. */
  grantRead(grantee: Grantee, sid: string, pattern = "*", options: { readonly versions?: boolean } = {}): void {
    const actions = options.versions ? ["s3:GetObject", "s3:GetObjectVersion"] : "s3:GetObject";
    grantee.addToPrincipalPolicy({ Sid: sid, Effect: "Allow", Action: actions, Resource: this.objectsArn(pattern) });
    this.key.grantDecrypt(grantee);
  }

  /** Write objects under `pattern`, encrypted with the bucket's key. */
  grantPut(grantee: Grantee, sid: string, pattern = "*"): void {
    grantee.addToPrincipalPolicy({ Sid: sid, Effect: "Allow", Action: "s3:PutObject", Resource: this.objectsArn(pattern) });
    this.key.grantEncrypt(grantee);
  }

  /** List the bucket (so that a missing object reads as 404, not 403). */
  grantList(grantee: Grantee, sid: string): void {
    grantee.addToPrincipalPolicy({ Sid: sid, Effect: "Allow", Action: "s3:ListBucket", Resource: this.bucketArn });
  }

  /** Delete objects (and their versions) under `pattern`. */
  grantDelete(grantee: Grantee, sid: string, pattern = "*"): void {
    grantee.addToPrincipalPolicy({ Sid: sid, Effect: "Allow", Action: ["s3:DeleteObject", "s3:DeleteObjectVersion"], Resource: this.objectsArn(pattern) });
  }
}
