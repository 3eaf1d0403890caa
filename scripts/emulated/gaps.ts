/**
 * The second plan after an emulated apply must be empty, except for the known emulator gaps below: attributes moto
 * does not read back as AWS does, so the provider plans an update that real AWS would not need. Each entry names the
 * moto limitation; an entry may also check the values (e.g. that the difference is whitespace only). Anything else in
 * the second plan (another attribute, a replacement, a create or a delete) is a finding and fails the tier.
 */

export interface EmulatorGap {
  /** Resource type. */
  readonly type: string;
  /** Top-level attribute planned to change. */
  readonly attribute: string;
  /** What moto does differently (moto 5.2.1). */
  readonly limitation: string;
  /** Accepts the difference only when this holds for the attribute's before/after values. @default any difference */
  readonly accepts?: (before: unknown, after: unknown) => boolean;
}

const parsesEqual = (before: unknown, after: unknown): boolean => {
  try {
    return JSON.stringify(JSON.parse(String(before))) === JSON.stringify(JSON.parse(String(after)));
  } catch {
    return false;
  }
};

export const EMULATOR_GAPS: readonly EmulatorGap[] = [
  {
    type: "aws_kms_key",
    attribute: "rotation_period_in_days",
    limitation: "moto's GetKeyRotationStatus returns no RotationPeriodInDays, so the provider reads 0 where 365 was set",
  },
  {
    type: "aws_lambda_function",
    attribute: "logging_config",
    limitation: "moto's GetFunction returns no LoggingConfig (log format, group, levels), so the configured block reads back empty",
  },
  {
    type: "aws_sqs_queue",
    attribute: "redrive_policy",
    limitation: "moto returns the RedrivePolicy attribute re-serialized (other whitespace); the JSON is the same",
    accepts: parsesEqual,
  },
  {
    type: "aws_vpc_security_group_egress_rule",
    attribute: "description",
    limitation: "moto's DescribeSecurityGroupRules returns no Description for a rule",
  },
  {
    type: "aws_vpc_security_group_ingress_rule",
    attribute: "description",
    limitation: "moto's DescribeSecurityGroupRules returns no Description for a rule",
  },
];

/** The part of `terraform show -json` this module reads. */
export interface SecondPlan {
  resource_changes?: Array<{
    address: string;
    type: string;
    mode: string;
    change: { actions: string[]; before?: Record<string, unknown> | null; after?: Record<string, unknown> | null; after_unknown?: Record<string, unknown> };
  }>;
  output_changes?: Record<string, { actions: string[] }>;
}

const hasTrue = (v: unknown): boolean => v === true || (typeof v === "object" && v !== null && Object.values(v).some(hasTrue));

/** Top-level attributes that differ between before and after (or become unknown). */
export function changedAttributes(before: Record<string, unknown>, after: Record<string, unknown>, afterUnknown: Record<string, unknown> = {}): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => hasTrue(afterUnknown[k]) || JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null)).sort();
}

export interface PlanFinding {
  readonly address: string;
  readonly actions: readonly string[];
  /** Attributes not covered by a gap (empty for a create, delete or replace: the whole resource is the finding). */
  readonly attributes: readonly string[];
}

/** Splits a second plan into known gaps (address.attribute -> limitation) and findings. */
export function checkSecondPlan(plan: SecondPlan, gaps: readonly EmulatorGap[] = EMULATOR_GAPS): { gaps: Record<string, string>; findings: PlanFinding[] } {
  const known: Record<string, string> = {};
  const findings: PlanFinding[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const { actions } = rc.change;
    if (actions.every((a) => a === "no-op" || a === "read")) continue;
    if (rc.mode !== "managed" || actions.length !== 1 || actions[0] !== "update") {
      findings.push({ address: rc.address, actions, attributes: [] });
      continue;
    }
    const before = rc.change.before ?? {};
    const after = rc.change.after ?? {};
    const unexplained: string[] = [];
    for (const attr of changedAttributes(before, after, rc.change.after_unknown)) {
      const gap = gaps.find((g) => g.type === rc.type && g.attribute === attr && (g.accepts?.(before[attr], after[attr]) ?? true));
      if (gap) known[`${rc.address}.${attr}`] = gap.limitation;
      else unexplained.push(attr);
    }
    if (unexplained.length) findings.push({ address: rc.address, actions, attributes: unexplained });
  }
  for (const [name, oc] of Object.entries(plan.output_changes ?? {})) {
    if (!oc.actions.every((a) => a === "no-op")) findings.push({ address: `output.${name}`, actions: oc.actions, attributes: [] });
  }
  return { gaps: known, findings };
}
