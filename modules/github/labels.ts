/**
 * The labels the delivery workflows read or set: one home for the `github` stack, which declares them, and
 * scripts/delivery (issues.ts, guards.ts), which uses them and creates any that are missing. Imports nothing: it is
 * bundled into the workflows' `dist/delivery/*.cjs`.
 */

export interface DeliveryLabel {
  readonly name: string;
  /** Six hex digits, no `#`. */
  readonly color: string;
  readonly description: string;
}

export const DRIFT_LABEL = "drift";
export const APPLY_FAILED_LABEL = "apply-failed";
/** The opt-in of the destroy guard (scripts/delivery/guards.ts). */
export const ALLOW_DESTROY_LABEL = "allow-destroy";

/** Every label the workflows read or set, created up front, never left to "the first issue". */
export const DELIVERY_LABELS: readonly DeliveryLabel[] = [
  { name: DRIFT_LABEL, color: "fbca04", description: "Drift, merged-but-not-applied or failed drift check of a stack (drift workflow)" },
  { name: APPLY_FAILED_LABEL, color: "d73a4a", description: "The apply of a stack on main failed (apply workflow)" },
  { name: ALLOW_DESTROY_LABEL, color: "b60205", description: "Allows the apply on main to delete or replace stateful resources" },
];
