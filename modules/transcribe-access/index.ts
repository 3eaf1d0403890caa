/**
 * Guide §4.2: the role Amazon Transcribe assumes to read input audio and write its temporary transcript under
 * `tmp/` of the results bucket, encrypted with the customer key. Nothing else: the results bucket policy denies
 * it every write outside `tmp/`.
 */
import { Construct } from "constructs";
import { ALL_UPLOADS_GLOB } from "../../lambda-src/contracts/storage-layout";
import { ValidationError } from "../config/errors";
import type { CustomerKey } from "../constructs/customer-key";
import { Role } from "../constructs/role";
import type { SecureBucket } from "../constructs/secure-bucket";
import { StackContext } from "../constructs/stack-context";
import { serviceTrust } from "../iam/policy";

export interface TranscribeAccessProps {
  /** Role name; its ARN is derived from it. */
  readonly roleName: string;
  readonly input: SecureBucket;
  readonly results: SecureBucket;
  /** Prefix of the results bucket Transcribe may write (e.g. `tmp/`). */
  readonly outputPrefix: string;
  readonly key: CustomerKey;
}

export class TranscribeAccess extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: TranscribeAccessProps) {
    super(scope, id);
    if (!props.outputPrefix.endsWith("/")) throw new ValidationError(this.node.path, "outputPrefix", `must end with "/", got "${props.outputPrefix}"`);
    const ctx = StackContext.of(this);
    const role = new Role(this, "role", {
      roleName: props.roleName,
      description: "Assumed by Amazon Transcribe: reads CCI Lite input audio, writes transcripts under tmp/",
      assumeRolePolicy: serviceTrust("transcribe.amazonaws.com", ctx.accountId, ctx.arn("transcribe", "*")),
      policyName: "transcribe-data-access",
    });
    this.role = role;
    props.input.grantRead(role, "ReadInputAudio", ALL_UPLOADS_GLOB);
    props.results.grantPut(role, "WriteTranscriptsUnderTmp", `${props.outputPrefix}*`);
    props.key.grant(role, ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"]);
    props.results.addToResourcePolicy({
      Sid: "DenyTranscribeAccessRoleOutsideTmp",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      NotResource: props.results.objectsArn(`${props.outputPrefix}*`),
      Condition: { ArnEquals: { "aws:PrincipalArn": role.principalArn } },
    });
  }
}
