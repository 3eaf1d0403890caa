import { TerraformResource } from "cdktf";
import type { Rule } from "../../rule";

/** CCI-KMS-1: every customer-managed symmetric key rotates. */
export const kmsRotation: Rule = {
  id: "CCI-KMS-1",
  rationale: "Key material is rotated yearly without any change to the pipeline",
  reference: "Guide §2/§12; AWS FSBP KMS.4",
  check(node, ctx) {
    if (!(node instanceof TerraformResource) || node.terraformResourceType !== "aws_kms_key") return [];
    const a = ctx.attrs(node);
    if (a.customer_master_key_spec && a.customer_master_key_spec !== "SYMMETRIC_DEFAULT") return [];
    return a.enable_key_rotation === true ? [] : ["KMS key does not enable key rotation"];
  },
};
