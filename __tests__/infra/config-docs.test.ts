import * as fs from "node:fs";
import * as path from "node:path";
import { schemaFields } from "../../modules/config/field-paths";
import { configSchema } from "../../modules/config/schema";

describe("docs/configuration.md", () => {
  const docs = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "configuration.md"), "utf8");
  const paths = schemaFields(configSchema).map((f) => f.path);
  // The field table: from "## Fields" to the next section (the Modes table has rows of the same shape).
  const fields = docs.slice(docs.indexOf("## Fields"), docs.indexOf("\n## ", docs.indexOf("## Fields") + 1));

  it("finds the schema's fields (the walker itself works)", () => {
    expect(paths).toEqual(expect.arrayContaining(["environment", "tenants", "tenants[].id", "retention.logsDays", "processing.reservedConcurrency.start"]));
  });
  it.each(paths)("documents `%s`", (p) => {
    expect(fields).toContain(`| \`${p}\` |`);
  });
  it("documents no field the schema does not have", () => {
    const documented = [...fields.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    expect(documented.filter((d) => !paths.includes(d))).toEqual([]);
  });
});
