import { TerraformProvider, TerraformResource, TerraformStack } from "cdktf";
import { field, isAttrs, type Rule } from "../../rule";

/** The guide's standard tags (§1), set once as the AWS provider's default_tags. */
export const REQUIRED_TAGS = ["Project", "Env", "Owner", "Data"] as const;

const isAwsProvider = (node: unknown): node is TerraformProvider => node instanceof TerraformProvider && node.terraformResourceType === "aws";

/**
 * CCI-TAG-1: every AWS provider has default tags Project, Env, Owner and Data (so every taggable resource gets
 * them), every stack with AWS resources has such a provider, and no resource overrides those keys.
 */
export const tags: Rule = {
  id: "CCI-TAG-1",
  rationale: "Cost, ownership and data classification are visible on every resource",
  reference: "Guide §1/§16 (all resources tagged); AWS FSBP tagging controls",
  check(node, ctx) {
    if (node instanceof TerraformStack) {
      const hasAws = ctx.resources.some((r) => r.terraformGeneratorMetadata?.providerName === "aws");
      const providers = node.node.findAll().filter(isAwsProvider);
      return hasAws && providers.length === 0 ? ["stack has AWS resources but no AWS provider with default tags"] : [];
    }
    if (isAwsProvider(node)) {
      const defaultTags = ctx.providerAttrs(node).default_tags;
      const tagsBlock = field(Array.isArray(defaultTags) ? defaultTags[0] : undefined, "tags");
      const defaults = isAttrs(tagsBlock) ? tagsBlock : {};
      const missing = REQUIRED_TAGS.filter((t) => {
        const value = defaults[t];
        return typeof value !== "string" || value.trim() === "";
      });
      return missing.length ? [`AWS provider default_tags lacks ${missing.join(", ")}`] : [];
    }
    if (node instanceof TerraformResource) {
      const a = ctx.attrs(node);
      const overridden = REQUIRED_TAGS.filter((t) => (isAttrs(a.tags) && t in a.tags) || (isAttrs(a.tags_all) && t in a.tags_all));
      return overridden.length ? [`resource tags override the default tag(s) ${overridden.join(", ")}`] : [];
    }
    return [];
  },
};
