/**
 * `cci redrive`: moves the intake dead-letter queue's messages back to the intake queue with SQS's own redrive
 * (StartMessageMoveTask), after the cause is fixed. Queue names from modules/config/naming.ts, ARNs from SQS.
 */
import { GetQueueAttributesCommand, GetQueueUrlCommand, ListMessageMoveTasksCommand, StartMessageMoveTaskCommand } from "@aws-sdk/client-sqs";
import { call } from "../aws";
import { checkAccount, type Environment } from "../environment";
import { CliError, EXIT, type ExitCode } from "../exit-codes";
import { type Io, json, table } from "../output";

export interface RedriveOptions {
  readonly dryRun: boolean;
  readonly wait: boolean;
  /** Messages per second (SQS's MaxNumberOfMessagesPerSecond; default: SQS decides). */
  readonly rate?: number;
  /** Seconds to wait for the move task. @default 600 */
  readonly timeout: number;
}

interface QueueFacts {
  readonly name: string;
  readonly arn: string;
  readonly visible: number;
  readonly inFlight: number;
}

async function queueFacts(env: Environment, name: string): Promise<QueueFacts> {
  const url = await call("sqs:GetQueueUrl", env.region, () => env.clients.sqs.send(new GetQueueUrlCommand({ QueueName: name })));
  const a = await call("sqs:GetQueueAttributes", env.region, () =>
    env.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url.QueueUrl,
        AttributeNames: ["QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    ),
  );
  const attr = a.Attributes ?? {};
  return {
    name,
    arn: attr.QueueArn ?? "",
    visible: Number(attr.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attr.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

export async function redriveCommand(env: Environment, opts: RedriveOptions, io: Io, asJson: boolean): Promise<ExitCode> {
  const clock = env.clock;
  if (opts.rate !== undefined && (!Number.isInteger(opts.rate) || opts.rate < 1 || opts.rate > 500))
    throw new CliError("--rate must be a whole number 1-500 (messages per second)", EXIT.USAGE);
  await checkAccount(env);
  const dlq = await queueFacts(env, env.names.intakeDeadLetterQueue);
  const queue = await queueFacts(env, env.names.intakeQueue);
  const report = (extra: Record<string, unknown>) => ({ deadLetterQueue: dlq.name, queue: queue.name, waiting: dlq.visible, inFlight: dlq.inFlight, ...extra });
  const running = await call("sqs:ListMessageMoveTasks", env.region, () =>
    env.clients.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 1 })),
  );
  const active = running.Results?.find((t) => t.Status === "RUNNING");
  if (active) {
    throw new CliError(
      `a redrive of ${dlq.name} is already running (${active.ApproximateNumberOfMessagesMoved ?? 0} of ${active.ApproximateNumberOfMessagesToMove ?? "?"} moved); wait for it`,
      EXIT.FAILED,
    );
  }
  if (dlq.visible === 0 || opts.dryRun) {
    const msg =
      dlq.visible === 0
        ? `${dlq.name} is empty (${dlq.inFlight} in flight): nothing to redrive`
        : `${dlq.visible} message(s) in ${dlq.name} would move to ${queue.name}`;
    if (asJson) io.stdout(json(report({ moved: 0, status: dlq.visible === 0 ? "EMPTY" : "DRY_RUN" })));
    else io.stdout(msg);
    return EXIT.OK;
  }
  const task = await call("sqs:StartMessageMoveTask", env.region, () =>
    env.clients.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: queue.arn, MaxNumberOfMessagesPerSecond: opts.rate })),
  );
  if (!opts.wait) {
    if (asJson) io.stdout(json(report({ taskHandle: task.TaskHandle, status: "RUNNING", moved: null })));
    else io.stdout(`moving ${dlq.visible} message(s) from ${dlq.name} to ${queue.name} (task started; cci redrive --dry-run shows what is left)`);
    return EXIT.OK;
  }
  const deadline = clock.now().getTime() + opts.timeout * 1000;
  for (;;) {
    const list = await call("sqs:ListMessageMoveTasks", env.region, () =>
      env.clients.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 1 })),
    );
    const t = list.Results?.find((r) => r.TaskHandle === task.TaskHandle) ?? list.Results?.[0];
    const status = t?.Status ?? "UNKNOWN";
    if (status !== "RUNNING" || clock.now().getTime() > deadline) {
      const moved = t?.ApproximateNumberOfMessagesMoved ?? 0;
      const toMove = t?.ApproximateNumberOfMessagesToMove ?? dlq.visible;
      if (asJson) io.stdout(json(report({ taskHandle: task.TaskHandle, status, moved, toMove, failureReason: t?.FailureReason ?? null })));
      else io.stdout(table(["from", "to", "status", "moved", "to move"], [[dlq.name, queue.name, status, moved, toMove]]));
      if (status === "COMPLETED") return EXIT.OK;
      if (status === "RUNNING")
        throw new CliError(`the redrive is still running after ${opts.timeout} s (${moved} of ${toMove} moved); it continues in SQS`, EXIT.TIMEOUT);
      throw new CliError(`the redrive ended ${status}${t?.FailureReason ? `: ${t.FailureReason}` : ""} after moving ${moved} of ${toMove}`, EXIT.FAILED);
    }
    await clock.sleep(2000);
  }
}
