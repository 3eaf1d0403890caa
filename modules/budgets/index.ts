/**
 * Guide §14: a monthly cost budget with notifications at 50, 80 and 100 % of actual spend (and 100 % of the
 * forecast), to the alarm topic and the configured e-mail addresses.
 */
import { Construct } from "constructs";
import { BudgetsBudget } from "@cdktf/provider-aws/lib/budgets-budget";
import { ValidationError } from "../config/errors";
import type { AlarmTopic } from "../constructs/alarm-topic";
import { StackContext } from "../constructs/stack-context";

/** The budget covers the {@link StackContext}'s account. */
export interface CostBudgetProps {
  readonly name: string;
  /** Monthly limit in `currency`. Must be positive. */
  readonly monthlyLimit: number;
  /** @default "USD" */
  readonly currency?: string;
  /** Cost Explorer service names; empty means the whole account. @default [] */
  readonly services?: readonly string[];
  /** Receives every notification; its policy lets Budgets publish (created first). */
  readonly topic: AlarmTopic;
  /** @default none */
  readonly emails?: readonly string[];
  /** Percentages of actual spend that notify. @default [50, 80, 100] */
  readonly actualThresholds?: readonly number[];
}

export class CostBudget extends Construct {
  readonly budget: BudgetsBudget;

  constructor(scope: Construct, id: string, props: CostBudgetProps) {
    super(scope, id);
    if (!(props.monthlyLimit > 0)) throw new ValidationError(this.node.path, "monthlyLimit", `must be positive, got ${props.monthlyLimit}`);
    const thresholds = props.actualThresholds ?? [50, 80, 100];
    const subscribers = {
      subscriberSnsTopicArns: [props.topic.topic.arn],
      ...(props.emails?.length ? { subscriberEmailAddresses: [...props.emails] } : {}),
    };
    this.budget = new BudgetsBudget(this, "budget", {
      name: props.name,
      accountId: StackContext.of(this).accountId,
      budgetType: "COST",
      limitAmount: props.monthlyLimit.toFixed(2),
      limitUnit: props.currency ?? "USD",
      timeUnit: "MONTHLY",
      costFilter: props.services?.length ? [{ name: "Service", values: [...props.services] }] : undefined,
      notification: [
        ...thresholds.map((t) => ({
          comparisonOperator: "GREATER_THAN",
          threshold: t,
          thresholdType: "PERCENTAGE",
          notificationType: "ACTUAL",
          ...subscribers,
        })),
        { comparisonOperator: "GREATER_THAN", threshold: 100, thresholdType: "PERCENTAGE", notificationType: "FORECASTED", ...subscribers },
      ],
      // Budgets must be allowed to publish before the notification names the topic.
      dependsOn: [props.topic.policy],
    });
  }
}
