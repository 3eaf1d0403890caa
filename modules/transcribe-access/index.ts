/**
 * Guide §4.2: the role Amazon Transcribe assumes to read input audio and write its temporary transcript under
 * `tmp/` of the results bucket, encrypted with the customer key. Nothing else.
 */
import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { keyByAlias, policy, render, serviceTrust } from "../iam/policy";

export interface TranscribeAccessProps {
  readonly accountId: string;
  readonly region: string;
  /** Role name; its ARN is derived from it. */
  readonly roleName: string;
  readonly inputBucketArn: string;
  readonly resultsBucketArn: string;
  /** Prefix of the results bucket Transcribe may write (e.g. `tmp/`). */
  readonly outputPrefix: string;
  /** Alias of the customer key. */
  readonly keyAlias: string;
}

export class TranscribeAccess extends Construct {
  readonly role: IamRole;
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: TranscribeAccessProps) {
    super(scope, id);
    if (!props.outputPrefix.endsWith("/")) throw new Error(`TranscribeAccess ${id}: outputPrefix must end with "/", got "${props.outputPrefix}"`);
    this.roleArn = `arn:aws:iam::${props.accountId}:role/${props.roleName}`;
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: "Assumed by Amazon Transcribe: reads CCI Lite input audio, writes transcripts under tmp/",
      assumeRolePolicy: render(serviceTrust("transcribe.amazonaws.com", props.accountId, `arn:aws:transcribe:${props.region}:${props.accountId}:*`)),
      maxSessionDuration: 3600,
    });
    new IamRolePolicy(this, "policy", {
      role: this.role.name,
      name: "transcribe-data-access",
      policy: render(
        policy(
          { Sid: "ReadInputAudio", Effect: "Allow", Action: "s3:GetObject", Resource: `${props.inputBucketArn}/*/calls/*` },
          { Sid: "WriteTranscriptsUnderTmp", Effect: "Allow", Action: "s3:PutObject", Resource: `${props.resultsBucketArn}/${props.outputPrefix}*` },
          {
            Sid: "UseCustomerKey",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
            ...keyByAlias(props.accountId, props.region, props.keyAlias),
          },
        ),
      ),
    });
  }
}
