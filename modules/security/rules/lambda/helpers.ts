import { TerraformResource } from "cdktf";
import { field, type RuleContext } from "../../rule";

export function isFunction(node: unknown): node is TerraformResource {
  return node instanceof TerraformResource && node.terraformResourceType === "aws_lambda_function";
}

/** The log group a function writes to: its `logging_config.log_group`, else `/aws/lambda/<function_name>`. */
export function functionLogGroupName(ctx: RuleContext, fn: TerraformResource): string {
  const a = ctx.attrs(fn);
  const group = field(a.logging_config, "log_group");
  return typeof group === "string" ? group : `/aws/lambda/${a.function_name}`;
}

/** The log group resources a function's log group name designates (by reference or by literal name). */
export function functionLogGroups(ctx: RuleContext, fn: TerraformResource): TerraformResource[] {
  const name = functionLogGroupName(ctx, fn);
  return ctx.ofType("aws_cloudwatch_log_group").filter((g) => ctx.refersTo(name, g) || ctx.attrs(g).name === name);
}
