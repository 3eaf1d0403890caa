/**
 * The reviewed exceptions to the rule pack. Each names the rule, the construct (by the end of its construct
 * path) and why the exception is safe; docs/security.md lists every entry (a test keeps the two in step).
 */
export interface Suppression {
  readonly rule: string;
  /** Matches a construct whose path ends with this (e.g. `bootstrap/delivery/apply`) or any construct below it. */
  readonly path: string;
  readonly reason: string;
}

export const SUPPRESSIONS: readonly Suppression[] = [
  {
    rule: "CCI-IAM-1",
    path: "delivery/apply",
    reason:
      "The GitHub apply roles apply reviewed plans of the app stack, so they manage its services (athena, budgets, cloudtrail, cloudwatch, events, glue, guardduty, kms, lambda, logs, quicksight, s3, sns, sqs, ssm: the synthesized stack's resource types) on every resource; IAM only under their environment's `<prefix>-<env>-` names and new roles only with the delivery boundary, which denies changes to the delivery roles, the OIDC provider, the boundary, the state bucket's protections and the state key (modules/bootstrap/apply-access.ts, proved by __tests__/security/simulation.test.ts). Each trusts only its environment's GitHub deployment environment (CCI-IAM-4).",
  },
];
