/**
 * Guide §7-§8 (replaced): Transcribe's completion event (EventBridge) invokes `analyze`; a schedule invokes
 * `reconcile`, which picks up missed events and stuck jobs. Failed deliveries and failed asynchronous invocations
 * go to the events dead-letter queue.
 */
import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { AlarmTopic } from "../constructs/alarm-topic";
import type { CustomerKey } from "../constructs/customer-key";
import { EncryptedQueue } from "../constructs/encrypted-queue";
import type { PipelineFunction } from "../constructs/pipeline-function";
import { StackContext } from "../constructs/stack-context";

/** Rules are `<stem>-transcribe-job-state` and `<stem>-reconcile-schedule` (the stem from the {@link StackContext}). */
export interface JobEventsProps {
  readonly key: CustomerKey;
  /** Only jobs whose name starts with this prefix are this deployment's. */
  readonly jobNamePrefix: string;
  readonly analyze: PipelineFunction;
  readonly reconcile: PipelineFunction;
  readonly reconcileEveryMinutes: number;
  readonly alarms: AlarmTopic;
}

export class JobEvents extends Construct {
  readonly deadLetterQueue: EncryptedQueue;

  constructor(scope: Construct, id: string, props: JobEventsProps) {
    super(scope, id);
    const ctx = StackContext.of(this);
    const { stem } = ctx;
    const ruleArn = (name: string) => ctx.arn("events", `rule/${name}`);
    this.deadLetterQueue = new EncryptedQueue(this, "dlq", { key: props.key, queueName: `${stem}-events-dlq` });

    const analyzeRuleName = `${stem}-transcribe-job-state`;
    const reconcileRuleName = `${stem}-reconcile-schedule`;
    const analyzeRule = new CloudwatchEventRule(this, "job-state-rule", {
      name: analyzeRuleName,
      description: `Transcribe jobs of ${stem} finished`,
      eventPattern: JSON.stringify({
        source: ["aws.transcribe"],
        "detail-type": ["Transcribe Job State Change"],
        detail: { TranscriptionJobName: [{ prefix: props.jobNamePrefix }], TranscriptionJobStatus: ["COMPLETED", "FAILED"] },
      }),
    });
    const reconcileRule = new CloudwatchEventRule(this, "reconcile-rule", {
      name: reconcileRuleName,
      description: `Reconcile ${stem} jobs and results`,
      scheduleExpression: `rate(${props.reconcileEveryMinutes} minutes)`,
    });
    this.deadLetterQueue.allowServiceSend("AllowEventBridgeDeadLetters", "events.amazonaws.com", [ruleArn(analyzeRuleName), ruleArn(reconcileRuleName)]);

    for (const [h, fn, rule] of [
      ["analyze", props.analyze, analyzeRule],
      ["reconcile", props.reconcile, reconcileRule],
    ] as const) {
      const permission = new LambdaPermission(this, `${h}-invoke-permission`, {
        statementId: "AllowEventBridge",
        action: "lambda:InvokeFunction",
        functionName: fn.fn.functionName,
        principal: "events.amazonaws.com",
        // Source ARN only (it names this account): EventBridge's troubleshooting guide warns that a SourceAccount
        // condition on the permission keeps rules from invoking the function.
        sourceArn: rule.arn,
      });
      new CloudwatchEventTarget(this, `${h}-target`, {
        rule: rule.name,
        arn: fn.fn.arn,
        retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 20 },
        deadLetterConfig: { arn: this.deadLetterQueue.queue.arn },
        // The first events need the invoke permission and the dead-letter queue's policy in place.
        dependsOn: [permission, this.deadLetterQueue.policy],
      });
      // Failed asynchronous invocations: Lambda sends them with the function's own role.
      this.deadLetterQueue.grantSend(fn, "SendFailedEventsToDeadLetterQueue");
      new LambdaFunctionEventInvokeConfig(this, `${h}-async`, {
        functionName: fn.fn.functionName,
        // reconcile: no retries. A failed run goes to the dead-letter queue (alarm) and the next scheduled run,
        // minutes later, does its work; a retry would only overlap a run in progress (its lease turns it away).
        maximumRetryAttempts: h === "reconcile" ? 0 : 2,
        maximumEventAgeInSeconds: 6 * 3600,
        destinationConfig: { onFailure: { destination: this.deadLetterQueue.queue.arn } },
        dependsOn: [fn.role.policy],
      });
    }

    props.alarms.addAlarm({
      name: "events-dlq-not-empty",
      description: "Job events analyze/reconcile could not process.",
      runbook: "eventsDlqNotEmpty",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: this.deadLetterQueue.queueName },
      statistic: "Maximum",
      threshold: 0,
    });
  }
}
