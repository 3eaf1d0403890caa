import { TerraformResource } from "cdktf";
import { field, type Rule } from "../../rule";

/**
 * CCI-LAMBDA-2: every SQS event source mapping bounds its consumer (`scaling_config.maximum_concurrency`). That cap,
 * not reserved concurrency, is what keeps a flood of uploads from running away with cost: analyze can only run as
 * often as Transcribe finishes jobs that start started, and reconcile runs on a schedule. Reserved concurrency
 * (`processing.reservedConcurrency`) stays optional: it fails the first apply in accounts with a low concurrency
 * limit (AWS keeps 100 unreserved), so it is off by default (docs/configuration.md explains the trade-off).
 */
export const lambdaConcurrency: Rule = {
  id: "CCI-LAMBDA-2",
  rationale: "A flood of uploads cannot run away with cost: the queue consumer's concurrency is capped",
  reference: "Guide §14",
  check(node, ctx) {
    if (!(node instanceof TerraformResource) || node.terraformResourceType !== "aws_lambda_event_source_mapping") return [];
    const a = ctx.attrs(node);
    const source = String(a.event_source_arn ?? "");
    if (!source.includes(":sqs:") && !source.includes("aws_sqs_queue")) return [];
    const max = field(a.scaling_config, "maximum_concurrency");
    return typeof max === "number" && max >= 2 ? [] : ["SQS event source mapping has no scaling_config.maximum_concurrency"];
  },
};
