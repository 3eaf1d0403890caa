/**
 * The CCI Lite security rule pack (guide §12, §16): one rule per file, `rules/<service>/<RULE-ID>.ts`, checks shared
 * within a service in `rules/<service>/helpers.ts` (services: cloudtrail, iam, kms, lambda, logs, s3, sns, sqs, tags),
 * applied to every construct of a stack by a cdktf Aspect. A violation is an error annotation naming the rule id and
 * the construct path, which fails `cdktf synth` (and `App.synth()`); a suppression (suppressions.ts) names the rule
 * and the reason.
 */
import { Annotations, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { RuleContext, type Rule } from "./rule";
import { cloudtrail } from "./rules/cloudtrail/CCI-CT-1";
import { iamNoUserPolicies } from "./rules/iam/CCI-IAM-3";
import { iamNoWildcard } from "./rules/iam/CCI-IAM-1";
import { iamOidcTrust } from "./rules/iam/CCI-IAM-4";
import { iamServiceTrust } from "./rules/iam/CCI-IAM-2";
import { kmsRotation } from "./rules/kms/CCI-KMS-1";
import { lambdaConcurrency } from "./rules/lambda/CCI-LAMBDA-2";
import { lambdaEnvSecrets } from "./rules/lambda/CCI-LAMBDA-3";
import { lambdaErrorAlarm } from "./rules/logs/CCI-LOG-2";
import { lambdaFailurePath } from "./rules/lambda/CCI-LAMBDA-1";
import { lambdaLogGroup } from "./rules/lambda/CCI-LAMBDA-4";
import { lambdaNoInternetRoute } from "./rules/lambda/CCI-LAMBDA-5";
import { logGroup } from "./rules/logs/CCI-LOG-1";
import { resourcePolicyDeputy } from "./rules/iam/CCI-IAM-5";
import { s3Encryption } from "./rules/s3/CCI-S3-1";
import { s3EncryptionRequired } from "./rules/s3/CCI-S3-4";
import { s3Lifecycle } from "./rules/s3/CCI-S3-6";
import { s3Ownership } from "./rules/s3/CCI-S3-5";
import { s3PublicAccess } from "./rules/s3/CCI-S3-2";
import { s3TlsOnly } from "./rules/s3/CCI-S3-3";
import { snsEncryption } from "./rules/sns/CCI-SNS-1";
import { sqsEncryption } from "./rules/sqs/CCI-SQS-1";
import { tags } from "./rules/tags/CCI-TAG-1";
import { SUPPRESSIONS, type Suppression } from "./suppressions";

export type { Rule } from "./rule";
export { SUPPRESSIONS, type Suppression } from "./suppressions";

/** Every rule, in id order. */
export const RULES: readonly Rule[] = [
  s3Encryption,
  s3PublicAccess,
  s3TlsOnly,
  s3EncryptionRequired,
  s3Ownership,
  s3Lifecycle,
  kmsRotation,
  logGroup,
  lambdaErrorAlarm,
  snsEncryption,
  sqsEncryption,
  lambdaFailurePath,
  lambdaConcurrency,
  lambdaEnvSecrets,
  lambdaLogGroup,
  lambdaNoInternetRoute,
  iamNoWildcard,
  iamServiceTrust,
  iamNoUserPolicies,
  iamOidcTrust,
  resourcePolicyDeputy,
  tags,
  cloudtrail,
];

/** Prefix of every violation message: `[CCI-S3-1] <construct path>: <finding>`. */
export const violationMessage = (rule: Rule, path: string, finding: string): string => `[${rule.id}] ${path}: ${finding} (${rule.reference})`;

export interface SecurityRulesOptions {
  /** @default RULES */
  readonly rules?: readonly Rule[];
  /** @default SUPPRESSIONS */
  readonly suppressions?: readonly Suppression[];
}

/** The Aspect: add it to a stack (`Aspects.of(stack).add(new SecurityRules())`). */
export class SecurityRules implements IAspect {
  private readonly rules: readonly Rule[];
  private readonly suppressions: readonly Suppression[];
  private readonly contexts = new WeakMap<TerraformStack, RuleContext>();
  /** Suppressed findings seen so far (for tests and reports). */
  readonly suppressed: Array<{ rule: string; path: string; reason: string }> = [];

  constructor(options: SecurityRulesOptions = {}) {
    this.rules = options.rules ?? RULES;
    this.suppressions = options.suppressions ?? SUPPRESSIONS;
  }

  visit(node: IConstruct): void {
    const stack = TerraformStack.of(node);
    let ctx = this.contexts.get(stack);
    if (!ctx) {
      ctx = new RuleContext(stack);
      this.contexts.set(stack, ctx);
    }
    const path = node.node.path;
    for (const rule of this.rules) {
      const findings = rule.check(node, ctx);
      if (findings.length === 0) continue;
      const suppression = this.suppressions.find(
        (s) => s.rule === rule.id && node.node.scopes.some((c) => c.node.path === s.path || c.node.path.endsWith(`/${s.path}`)),
      );
      if (suppression) {
        if (!this.suppressed.some((s) => s.rule === rule.id && s.path === path)) this.suppressed.push({ rule: rule.id, path, reason: suppression.reason });
        continue;
      }
      for (const f of findings) Annotations.of(node).addError(violationMessage(rule, path, f));
    }
  }
}

/** Error annotations (rule violations and others) below a construct, e.g. after `Testing.synth`. */
export function errorsOf(scope: IConstruct): string[] {
  return scope.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/error").map((m) => String(m.data)));
}
