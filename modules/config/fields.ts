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
/** Role or user ARNs (never an account root: these principals get a policy attached and a place in the key policy). */
export const principals = () =>
  z.array(z.string().regex(/^arn:aws:iam::\d{12}:(role|user)\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/, "is not an IAM role or user ARN")).default([]);
