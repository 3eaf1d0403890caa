/**
 * The reviewed exceptions to the rule pack. Each names the rule, the construct (by the end of its construct
 * path) and why the exception is safe; docs/security.md lists every entry (a test keeps the two in step).
 */
export interface Suppression {
  readonly rule: string;
  /** Matches a construct whose path ends with this (e.g. `bootstrap/delivery/apply-admin`) or any construct below it. */
  readonly path: string;
  readonly reason: string;
}

export const SUPPRESSIONS: readonly Suppression[] = [
  {
    rule: "CCI-IAM-1",
    path: "delivery/apply-admin",
    reason:
      "The GitHub apply role applies arbitrary reviewed plans, so it needs AdministratorAccess; its trust admits only the configured repository's protected deployment environment (CCI-IAM-4, proved by __tests__/security/simulation.test.ts).",
  },
];
