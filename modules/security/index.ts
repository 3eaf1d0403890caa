/**
 * The CCI Lite security rule pack (guide §12, §16): one rule per file under rules/, applied to every construct of
 * a stack by a cdktf Aspect. A violation is an error annotation naming the rule id and the construct path, which
 * fails `cdktf synth` (and `App.synth()`); a suppression (suppressions.ts) names the rule and the reason.
 */
import { Annotations, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { RuleContext, type Rule } from "./rule";
import { cloudtrail } from "./rules/cloudtrail";
import { iamNoUserPolicies } from "./rules/iam-no-user-policies";
import { iamNoWildcard } from "./rules/iam-no-wildcard";
import { iamOidcTrust } from "./rules/iam-oidc-trust";
import { iamServiceTrust } from "./rules/iam-service-trust";
import { kmsRotation } from "./rules/kms-rotation";
import { lambdaConcurrency } from "./rules/lambda-concurrency";
import { lambdaEnvSecrets } from "./rules/lambda-env-secrets";
import { lambdaErrorAlarm } from "./rules/lambda-error-alarm";
import { lambdaFailurePath } from "./rules/lambda-failure-path";
import { lambdaLogGroup } from "./rules/lambda-log-group";
import { logGroup } from "./rules/log-group";
import { resourcePolicyDeputy } from "./rules/resource-policy-deputy";
import { s3Encryption } from "./rules/s3-encryption";
import { s3EncryptionRequired } from "./rules/s3-encryption-required";
import { s3Lifecycle } from "./rules/s3-lifecycle";
import { s3Ownership } from "./rules/s3-ownership";
import { s3PublicAccess } from "./rules/s3-public-access";
import { s3TlsOnly } from "./rules/s3-tls-only";
import { snsEncryption } from "./rules/sns-encryption";
import { sqsEncryption } from "./rules/sqs-encryption";
import { tags } from "./rules/tags";
import { SUPPRESSIONS, type Suppression } from "./suppressions";

export type { Rule } from "./rule";
export { SUPPRESSIONS, type Suppression } from "./suppressions";

/** Every rule, in id order. */
export const RULES: readonly Rule[] = [
  s3Encryption, s3PublicAccess, s3TlsOnly, s3EncryptionRequired, s3Ownership, s3Lifecycle,
  kmsRotation, logGroup, lambdaErrorAlarm, snsEncryption, sqsEncryption,
  lambdaFailurePath, lambdaConcurrency, lambdaEnvSecrets, lambdaLogGroup,
  iamNoWildcard, iamServiceTrust, iamNoUserPolicies, iamOidcTrust, resourcePolicyDeputy,
  tags, cloudtrail,
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
      const suppression = this.suppressions.find((s) => s.rule === rule.id && node.node.scopes.some((c) => c.node.path === s.path || c.node.path.endsWith(`/${s.path}`)));
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
  return scope.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/error").map((m) => String(m.data)));
}
