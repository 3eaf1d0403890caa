import type { TerraformResource } from "cdktf";
import { asArray, blocks, type Rule } from "../../rule";
import { functionLogGroups, isFunction } from "../lambda/helpers";

/** CCI-LOG-2: every Lambda log group has an `ERROR` metric filter and an alarm with an action on its metric. */
export const lambdaErrorAlarm: Rule = {
  id: "CCI-LOG-2",
  rationale: "An ERROR line in any function's log notifies the operators",
  reference: "Guide §12 (metric filters for ERROR strings); AWS FSBP CloudWatch alarm guidance",
  check(node, ctx) {
    if (!isFunction(node)) return [];
    const out: string[] = [];
    for (const group of functionLogGroups(ctx, node)) {
      const name = ctx.attrs(group).name;
      const filters = ctx
        .ofType("aws_cloudwatch_log_metric_filter")
        .map((f: TerraformResource) => ctx.attrs(f))
        .filter((f) => (f.log_group_name === name || ctx.refersTo(f.log_group_name, group)) && /ERROR/.test(String(f.pattern ?? "")));
      const alarmed = filters.some((f) =>
        blocks(f.metric_transformation).some((m) =>
          ctx
            .ofType("aws_cloudwatch_metric_alarm")
            .map((al: TerraformResource) => ctx.attrs(al))
            .some((al) => al.metric_name === m.name && al.namespace === m.namespace && asArray(al.alarm_actions).length > 0 && al.actions_enabled !== false),
        ),
      );
      if (!alarmed) out.push(`log group ${name} has no ERROR metric filter with an alarm that notifies`);
    }
    return out;
  },
};
