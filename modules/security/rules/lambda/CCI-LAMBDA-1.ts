import { asArray, blocks, field, type Rule } from "../../rule";
import { isFunction } from "./helpers";

/**
 * CCI-LAMBDA-1: a failed invocation is never lost: the function has a dead-letter queue or an on-failure
 * destination, or it consumes an SQS queue (whose redrive policy keeps failed messages).
 */
export const lambdaFailurePath: Rule = {
  id: "CCI-LAMBDA-1",
  rationale: "A call whose processing fails ends in a dead-letter queue, never silently dropped",
  reference: "Guide §9/§15; AWS FSBP Lambda well-architected DLQ guidance",
  check(node, ctx) {
    if (!isFunction(node)) return [];
    const a = ctx.attrs(node);
    const literals = [a.function_name];
    if (asArray(a.dead_letter_config).some((d) => field(d, "target_arn"))) return [];
    const destinations = ctx.attachedTo("aws_lambda_function_event_invoke_config", "function_name", node, literals);
    const hasDestination = destinations.some((d) =>
      blocks(ctx.attrs(d).destination_config).some((c) => asArray(c.on_failure).some((f) => field(f, "destination"))),
    );
    const queueSources = ctx
      .attachedTo("aws_lambda_event_source_mapping", "function_name", node, literals)
      .filter((m) => String(ctx.attrs(m).event_source_arn ?? "").includes("sqs"));
    const queueWithRedrive = queueSources.some((m) => {
      const src = ctx.attrs(m).event_source_arn;
      return ctx
        .ofType("aws_sqs_queue")
        .some((q) => (ctx.refersTo(src, q) || (typeof src === "string" && src.endsWith(`:${ctx.attrs(q).name}`))) && ctx.attrs(q).redrive_policy);
    });
    return hasDestination || queueWithRedrive ? [] : ["function has no dead-letter queue, on-failure destination or SQS source with a redrive policy"];
  },
};
