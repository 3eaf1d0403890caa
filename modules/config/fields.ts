/** Field rules shared by the configuration schema's sections. */
import { z } from "zod";

export const TENANT_ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
export const BUCKET_NAME = /^(?!xn--)(?!sthree-)(?!.*-s3alias$)(?!.*--ol-s3$)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
/** A QuickSight group or namespace name. */
export const QUICKSIGHT_NAME = /^[\w+=,.@-]{1,128}$/;
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Longest audio retention in the input bucket (days): audio is personal data kept only as long as processing needs. */
export const INPUT_DAYS_MAX = 7;

export const days = (min: number, max: number) => z.number().int().min(min).max(max);
/**
 * Role ARNs (never an account root: these principals get a policy attached and a place in the key policy). Refused
 * with their own message: IAM users (rule CCI-IAM-3 allows no user policies) and IAM Identity Center roles
 * (`role/aws-reserved/sso.amazonaws.com/…`: AWS refuses to attach policies to them, `UnmodifiableEntity`).
 */
export const principals = () =>
  z
    .array(
      z
        .string()
        .refine((a) => !/^arn:aws:iam::\d{12}:user\//.test(a), {
          message: "is an IAM user: attach the policy to a role instead (rule CCI-IAM-3: no policies on users)",
          abort: true,
        })
        .refine((a) => !/^arn:aws:iam::\d{12}:role\/aws-reserved\/sso\.amazonaws\.com\//.test(a), {
          message: "is an IAM Identity Center role, which takes no attached policy (UnmodifiableEntity): add the policy to its permission set instead",
          abort: true,
        })
        .refine((a) => /^arn:aws:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/.test(a), "is not an IAM role ARN"),
    )
    .default([]);

/**
 * Which configuration modes (modules/config/modes.ts) exercise a field: a field whose value changes which resources
 * exist or what they may do names them at its declaration, `exercisedBy(z.boolean().default(false), "prod-reserved")`.
 * __tests__/infra/modes.test.ts checks each named mode sets the field.
 */
export const MODE_REGISTRY = z.registry<{ readonly modes: readonly string[] }>();
export function exercisedBy<T extends z.ZodType>(schema: T, ...modes: string[]): T {
  MODE_REGISTRY.add(schema as z.ZodType, { modes });
  return schema;
}
