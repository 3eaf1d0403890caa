/**
 * The rule pack's building blocks: a rule inspects one L1 construct (a provider resource, the AWS provider or a
 * stack) in the context of its stack and returns the violations it finds. Rules read the synthesized attributes
 * (snake_case, tokens resolved through the stack), so they see exactly what Terraform will receive.
 */
import { type TerraformProvider, TerraformResource, type TerraformStack } from "cdktf";
import { resolve } from "cdktf/lib/_tokens";
import type { IConstruct } from "constructs";

export interface Rule {
  /** Stable id, e.g. `CCI-S3-1`; named in every violation and suppression. */
  readonly id: string;
  /** One line: why the rule exists. */
  readonly rationale: string;
  /** The guide section or AWS Foundational Security Best Practices control the rule enforces. */
  readonly reference: string;
  /** Returns violation messages (empty when compliant or not applicable). */
  check(node: IConstruct, ctx: RuleContext): string[];
}

/** Synthesized Terraform JSON of a resource, a provider or one of their nested blocks: snake_case keys, untyped values. */
export type Attrs = Record<string, unknown>;

/** A statement's principal: `"*"` or principal values by type. */
export type Principal = string | { AWS?: string | string[]; Service?: string | string[]; Federated?: string | string[]; CanonicalUser?: string | string[] };

/** A policy statement as it reaches AWS (arrays or scalars). */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Principal;
  NotPrincipal?: Principal;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export const asArray = <T>(v: T | T[] | undefined | null): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** Whether a synthesized value is a JSON object (a nested block or a map), not a scalar or a list. */
export const isAttrs = (v: unknown): v is Attrs => typeof v === "object" && v !== null && !Array.isArray(v);

/** The nested blocks an attribute holds (Terraform JSON writes one block or a list of them). */
export const blocks = (v: unknown): Attrs[] => asArray(v).filter(isAttrs);

/** `v[key]` when `v` is a JSON object, else undefined (reads `block?.key` of an untyped value). */
export const field = (v: unknown, key: string): unknown => (isAttrs(v) ? v[key] : undefined);

/** Parses a policy attribute (JSON string after resolution); returns undefined when it is not JSON. */
export function parsePolicy(value: unknown): PolicyStatement[] | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const doc = typeof value === "string" ? safeJson(value) : value;
  if (!doc || typeof doc !== "object") return undefined;
  return asArray((doc as { Statement?: unknown }).Statement) as PolicyStatement[];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Everything a rule may ask about the stack around the construct it checks. */
export class RuleContext {
  private readonly attrCache = new Map<TerraformResource, Attrs>();
  private byType?: Map<string, TerraformResource[]>;

  constructor(readonly stack: TerraformStack) {}

  /** Every provider resource of the stack. */
  get resources(): TerraformResource[] {
    return this.stack.node.findAll().filter((c): c is TerraformResource => c instanceof TerraformResource);
  }

  /** Resources of one Terraform type (e.g. `aws_s3_bucket`). */
  ofType(type: string): TerraformResource[] {
    if (!this.byType) {
      this.byType = new Map();
      for (const r of this.resources) this.byType.set(r.terraformResourceType, [...(this.byType.get(r.terraformResourceType) ?? []), r]);
    }
    return this.byType.get(type) ?? [];
  }

  /** The synthesized attributes of a resource, overrides applied and tokens resolved. */
  attrs(r: TerraformResource): Attrs {
    let a = this.attrCache.get(r);
    if (!a) {
      const tf = resolve(this.stack, r.toTerraform()) as { resource?: Record<string, Record<string, Attrs>> };
      a = tf.resource?.[r.terraformResourceType]?.[r.friendlyUniqueId] ?? {};
      this.attrCache.set(r, a);
    }
    return a;
  }

  /** Synthesized attributes of a provider block. */
  providerAttrs(p: TerraformProvider): Attrs {
    const tf = resolve(this.stack, p.toTerraform()) as { provider?: Record<string, Attrs[]> };
    return Object.values(tf.provider ?? {})[0]?.[0] ?? {};
  }

  /** The Terraform reference prefix of a resource, e.g. `aws_s3_bucket.storage_input_bucket_1234`. */
  address(r: TerraformResource): string {
    return `${r.terraformResourceType}.${r.friendlyUniqueId}`;
  }

  /**
   * Whether `value` points at `target`: a reference to one of its attributes (`${type.id.attr}`) or, when given,
   * one of the literal values the target is known by (its name or ARN).
   */
  refersTo(value: unknown, target: TerraformResource, literals: readonly unknown[] = []): boolean {
    if (value === undefined || value === null) return false;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    if (text.includes(`\${${this.address(target)}.`)) return true;
    return literals.some((l) => typeof l === "string" && l !== "" && text === l);
  }

  /** Resources of a type whose attribute `attr` points at `target` (by reference or by one of `literals`). */
  attachedTo(type: string, attr: string, target: TerraformResource, literals: readonly unknown[] = []): TerraformResource[] {
    return this.ofType(type).filter((r) => this.refersTo(this.attrs(r)[attr], target, literals));
  }
}
