/** README "Onboarding a tenant": one configuration entry adds 7 resources and updates 4, replacing nothing. */
import * as fs from "node:fs";
import * as path from "node:path";
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
  const onboarded = diff(
    synthApp().json,
    synthApp({
      tenants: [
        { id: "demo-tenant", quicksightGroups: ["demo-tenant-viewers"] },
        { id: "acme", languages: ["en-GB", "de-DE"] },
      ],
    }).json,
  );
  it("adds the tenant's parameter, two access points, reader role and policy, Glue table and workgroup; updates lifecycle, projection and key policy", () => {
    expect(onboarded).toEqual({
      added: [
        "aws_athena_workgroup",
        "aws_glue_catalog_table",
        "aws_iam_role",
        "aws_iam_role_policy",
        "aws_s3_access_point",
        "aws_s3_access_point",
        "aws_ssm_parameter",
      ],
      // The shared table's projection, the summary-terms view (German stop words: a language new to the stack), and
      // both bucket policies (the delegation names each tenant's access point).
      changed: [
        "aws_glue_catalog_table",
        "aws_glue_catalog_table",
        "aws_kms_key",
        "aws_s3_bucket_lifecycle_configuration",
        "aws_s3_bucket_policy",
        "aws_s3_bucket_policy",
      ],
      removed: [],
    });
  });
  it("is what README's onboarding section and docs/security.md say it is", () => {
    const read = (...p: string[]) => fs.readFileSync(path.join(__dirname, "..", "..", ...p), "utf8");
    const readme = read("README.md");
    expect(readme).toContain(`**${onboarded.added.length} resources**`);
    expect(readme).toContain(`**${onboarded.changed.length} in-place updates**`);
    const perTenant = /What the plan adds per tenant\*\*[\s\S]*?: (\d+) resources:/.exec(read("docs", "security.md"));
    expect(Number(perTenant?.[1])).toBe(onboarded.added.length);
  });
});
