/** README "Onboarding a tenant": one configuration entry adds 6 resources and updates 3, replacing nothing. */
import { synthApp } from "../helpers/synth";

function diff(before: any, after: any) {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [type, res] of Object.entries<any>(after.resource)) {
    for (const [id, v] of Object.entries<any>(res)) {
      const old = before.resource[type]?.[id];
      if (!old) added.push(type);
      else if (JSON.stringify(old) !== JSON.stringify(v)) changed.push(type);
    }
  }
  for (const [type, res] of Object.entries<any>(before.resource)) for (const id of Object.keys(res)) if (!after.resource[type]?.[id]) removed.push(type);
  return { added: added.sort(), changed: changed.sort(), removed };
}

describe("tenant onboarding", () => {
  it("adds the tenant's parameter, two access points, reader role and policy and workgroup; updates lifecycle, projection and key policy", () => {
    const before = synthApp().json;
    const after = synthApp({ tenants: [{ id: "demo-tenant" }, { id: "acme", languages: ["en-GB", "de-DE"] }] }).json;
    expect(diff(before, after)).toEqual({
      added: ["aws_athena_workgroup", "aws_iam_role", "aws_iam_role_policy", "aws_s3_access_point", "aws_s3_access_point", "aws_ssm_parameter"],
      changed: ["aws_glue_catalog_table", "aws_kms_key", "aws_s3_bucket_lifecycle_configuration"],
      removed: [],
    });
  });
});
