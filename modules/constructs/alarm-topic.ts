/**
 * Guide §9 and §12: one SNS topic for every alarm and budget notification, encrypted with the customer key,
 * with e-mail subscriptions from the configuration; helpers to add metric alarms and `ERROR` log alarms.
 */
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { ValidationError } from "../config/errors";
import { denyInsecureTransport, policy, render, type Statement } from "../iam/policy";
import type { CustomerKey } from "./customer-key";
import { type RunbookKey, runbookRef } from "./runbooks";
import { StackContext } from "./stack-context";

/** The topic and its alarms belong to the {@link StackContext}'s account and region; alarm names start with its stem. */
export interface AlarmTopicProps {
  /** SNS topic name, e.g. `<stem>-alarms`; its ARN is built from it. */
  readonly topicName: string;
  /** Customer key that encrypts the topic; the services that publish get its use for this topic only. */
  readonly key: CustomerKey;
  /** E-mail subscribers. @default none */
  readonly emails?: readonly string[];
}

export interface MetricAlarmProps {
  /** Alarm name suffix; the full name is `<stem>-<name>` (the stem from the {@link StackContext}). */
  readonly name: string;
  /** What fired, in one sentence; the runbook link is appended. */
  readonly description: string;
  /** The docs/runbooks.md section that says what to do (a key of the RUNBOOK table, modules/constructs/runbooks.ts). */
  readonly runbook: RunbookKey;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions?: Record<string, string>;
  /** @default "Sum" */
  readonly statistic?: "Sum" | "Average" | "Maximum" | "Minimum" | "SampleCount";
  /** Seconds. @default 300 */
  readonly period?: number;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  /** @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
  readonly threshold: number;
  /** @default "GreaterThanThreshold" */
  readonly comparison?: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
  /** Send notifications (false keeps the alarm visible but silent). @default true */
  readonly actionsEnabled?: boolean;
  /** @default "notBreaching" */
  readonly treatMissingData?: "notBreaching" | "breaching" | "ignore" | "missing";
}

/** Namespace of the `ERROR` log-line metrics. */
export const LOG_ERRORS_NAMESPACE = "CCI-Lite/Logs";

export class AlarmTopic extends Construct {
  readonly topic: SnsTopic;
  readonly policy: SnsTopicPolicy;
  /** Built from the name: known at plan time. */
  readonly topicArn: string;
  readonly alarms: CloudwatchMetricAlarm[] = [];
  private readonly eventRuleArns: string[] = [];
  private readonly key: CustomerKey;
  private readonly context: StackContext;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.context = StackContext.of(this);
    this.topicArn = this.context.arn("sns", props.topicName);
    this.key = props.key;
    this.topic = new SnsTopic(this, "topic", { name: props.topicName, kmsMasterKeyId: props.key.key.arn });
    // CloudWatch alarms and Budgets publish here (statements below) and must encrypt for this topic.
    for (const service of ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]) props.key.grantServiceForResources(service, { snsTopicArns: [this.topicArn] });
    this.policy = new SnsTopicPolicy(this, "policy", {
      arn: this.topic.arn,
      policy: Lazy.stringValue({ produce: () => render(policy(...this.statements())) }),
    });
    (props.emails ?? []).forEach((email, i) => {
      new SnsTopicSubscription(this, `email-${i}`, { topicArn: this.topic.arn, protocol: "email", endpoint: email });
    });
  }

  private statements(): Statement[] {
    const ctx = this.context;
    return [
      {
        Sid: "AllowAccountToManageTopic",
        Effect: "Allow",
        Principal: { AWS: ctx.iamArn("root") },
        Action: ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"],
        Resource: this.topicArn,
      },
      this.allowServicePublish("AllowCloudWatchAlarms", "cloudwatch.amazonaws.com", ctx.arn("cloudwatch", "alarm:*")),
      this.allowServicePublish("AllowBudgets", "budgets.amazonaws.com", ctx.arn("budgets", "*", { region: "" })),
      ...(this.eventRuleArns.length
        ? [
            {
              Sid: "AllowEventBridgeRules",
              Effect: "Allow" as const,
              Principal: { Service: "events.amazonaws.com" },
              Action: "sns:Publish",
              Resource: this.topicArn,
              Condition: { ArnEquals: { "aws:SourceArn": [...this.eventRuleArns] } },
            },
          ]
        : []),
      denyInsecureTransport("sns:Publish", this.topicArn),
    ];
  }

  /** A service may publish on behalf of this account's resources only (confused-deputy protection). */
  private allowServicePublish(sid: string, service: string, sourceArnLike: string): Statement {
    return {
      Sid: sid,
      Effect: "Allow",
      Principal: { Service: service },
      Action: "sns:Publish",
      Resource: this.topicArn,
      Condition: { StringEquals: { "aws:SourceAccount": this.context.accountId }, ArnLike: { "aws:SourceArn": sourceArnLike } },
    };
  }

  /** Lets one EventBridge rule (by ARN) publish to the topic, e.g. GuardDuty findings, with the key for it. */
  allowEventRule(ruleArn: string): void {
    this.eventRuleArns.push(ruleArn);
    this.key.grantServiceForResources("events.amazonaws.com", { snsTopicArns: [this.topicArn] });
  }

  /** Adds a metric alarm that notifies the topic when it fires and when it recovers. */
  addAlarm(props: MetricAlarmProps): CloudwatchMetricAlarm {
    if (!/^[a-z0-9-]+$/.test(props.name))
      throw new ValidationError(this.node.path, "addAlarm.name", `"${props.name}" must be lower-case letters, digits and '-'`);
    const evaluationPeriods = props.evaluationPeriods ?? 1;
    const alarm = new CloudwatchMetricAlarm(this, `alarm-${props.name}`, {
      alarmName: `${this.context.stem}-${props.name}`,
      alarmDescription: `${props.description}${runbookRef(props.runbook)}`,
      namespace: props.namespace,
      metricName: props.metricName,
      dimensions: props.dimensions,
      statistic: props.statistic ?? "Sum",
      period: props.period ?? 300,
      evaluationPeriods,
      datapointsToAlarm: props.datapointsToAlarm ?? evaluationPeriods,
      threshold: props.threshold,
      comparisonOperator: props.comparison ?? "GreaterThanThreshold",
      treatMissingData: props.treatMissingData ?? "notBreaching",
      actionsEnabled: props.actionsEnabled ?? true,
      alarmActions: [this.topicArn],
      okActions: [this.topicArn],
      // CloudWatch must be allowed to publish before the alarm can notify.
      dependsOn: [this.policy],
    });
    this.alarms.push(alarm);
    return alarm;
  }

  /**
   * Guide §12: a metric filter counting `ERROR` lines of a log group (Powertools' `"level":"ERROR"` and the
   * runtime's own `ERROR` lines) and an alarm on any such line in five minutes.
   */
  addErrorLogAlarm(name: string, logGroup: CloudwatchLogGroup, logGroupName: string): CloudwatchMetricAlarm {
    const metricName = `ErrorLines-${name}`;
    new CloudwatchLogMetricFilter(this, `error-filter-${name}`, {
      name: `${this.context.stem}-${name}-error-lines`,
      // A reference, not the name string: PutMetricFilter fails when the group does not exist yet.
      logGroupName: logGroup.name,
      pattern: "ERROR",
      metricTransformation: { name: metricName, namespace: LOG_ERRORS_NAMESPACE, value: "1", defaultValue: "0", unit: "Count" },
    });
    return this.addAlarm({
      name: `${name}-error-lines`,
      description: `ERROR lines in ${logGroupName} (guide §12).`,
      runbook: "functionErrors",
      namespace: LOG_ERRORS_NAMESPACE,
      metricName,
      threshold: 0,
    });
  }
}
