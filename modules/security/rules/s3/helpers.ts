/** Helpers shared by the S3 rules: a bucket's companion resources, found by reference or by bucket name. */
import type { TerraformResource } from "cdktf";
import type { Attrs, RuleContext } from "../../rule";

export const BUCKET = "aws_s3_bucket";

/** Companion resources of `type` (encryption, public access block, ...) attached to a bucket. */
export function companions(ctx: RuleContext, bucket: TerraformResource, type: string): Attrs[] {
  const name = ctx.attrs(bucket).bucket;
  return ctx.attachedTo(type, "bucket", bucket, [name]).map((r) => ctx.attrs(r));
}

export function isBucket(node: unknown): node is TerraformResource {
  return (node as TerraformResource)?.terraformResourceType === BUCKET;
}
