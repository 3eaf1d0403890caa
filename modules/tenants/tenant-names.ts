/**
 * Every per-tenant name and ARN (access points, reader role, workgroup, prefixes), built from names so that the
 * policies that use them are known at plan.
 */
import { createHash } from "node:crypto";
import { resultsPrefix, tenantQueryResultsPrefix, uploadPrefix } from "../../lambda-src/contracts/storage-layout";
import type { Naming } from "../config/naming";
import { partitionOf } from "../config/aws-facts";

/** A name of at most `max` characters: `<stem>-<part>-<suffix>`, the part replaced by a hash when too long. */
export function fitName(stem: string, part: string, suffix: string, max: number): string {
  const full = `${stem}-${part}-${suffix}`;
  if (full.length <= max) return full;
  return `${stem}-${createHash("sha256").update(part).digest("hex").slice(0, 8)}-${suffix}`;
}

export interface TenantNames {
  readonly tenant: string;
  readonly inputAccessPoint: string;
  readonly resultsAccessPoint: string;
  readonly inputAccessPointArn: string;
  readonly resultsAccessPointArn: string;
  readonly roleName: string;
  readonly roleArn: string;
  readonly workgroup: string;
  /** `<tenant>/calls/` of the input bucket. */
  readonly uploadPrefix: string;
  /** `<tenant>/` of the results bucket. */
  readonly resultsPrefix: string;
  /** `athena-results/<tenant>/` of the results bucket. */
  readonly queryResultsPrefix: string;
}

/** Where the stack lives: the account and region of every ARN (the partition follows from the region). */
export interface TenantLocation {
  readonly accountId: string;
  readonly region: string;
}

/** Every per-tenant name and ARN (`at` and `n` accept the whole configuration and naming, or just these fields). */
export function tenantNames(at: TenantLocation, n: Pick<Naming, "stem" | "workgroup">, tenant: string): TenantNames {
  const ap = (kind: string) => fitName(n.stem, tenant, kind, 50);
  const partition = partitionOf(at.region);
  const apArn = (name: string) => `arn:${partition}:s3:${at.region}:${at.accountId}:accesspoint/${name}`;
  const roleName = fitName(n.stem, tenant, "reader", 64);
  return {
    tenant,
    inputAccessPoint: ap("input"),
    resultsAccessPoint: ap("results"),
    inputAccessPointArn: apArn(ap("input")),
    resultsAccessPointArn: apArn(ap("results")),
    roleName,
    roleArn: `arn:${partition}:iam::${at.accountId}:role/${roleName}`,
    workgroup: `${n.workgroup}-${tenant}`,
    uploadPrefix: uploadPrefix(tenant),
    resultsPrefix: resultsPrefix(tenant),
    queryResultsPrefix: tenantQueryResultsPrefix(tenant),
  };
}
