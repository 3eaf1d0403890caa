import * as fs from "node:fs";
import * as path from "node:path";
import { configSchema } from "../../modules/config/schema";

/** Every leaf field path of the schema, e.g. `tenants[].languages`, `retention.inputDays`. */
function fieldPaths(schema: any, prefix = ""): string[] {
  const def = schema?._zod?.def ?? schema?._def;
  if (!def) return [prefix];
  switch (def.type) {
    case "default":
    case "optional":
    case "nullable":
    case "prefault":
      return fieldPaths(def.innerType, prefix);
    case "pipe":
      return fieldPaths(def.in, prefix);
    case "object":
      return Object.entries(def.shape).flatMap(([k, v]) => fieldPaths(v, prefix ? `${prefix}.${k}` : k));
    case "array": {
      const inner = fieldPaths(def.element, `${prefix}[]`);
      return inner.length === 1 && inner[0] === `${prefix}[]` ? [prefix] : [prefix, ...inner];
    }
    default:
      return [prefix];
  }
}

describe("docs/configuration.md", () => {
  const docs = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "configuration.md"), "utf8");
  const paths = fieldPaths(configSchema);

  it("finds the schema's fields (the walker itself works)", () => {
    expect(paths).toEqual(expect.arrayContaining(["environment", "tenants", "tenants[].id", "retention.logsDays", "processing.reservedConcurrency.start"]));
  });
  it.each(paths)("documents `%s`", (p) => {
    expect(docs).toContain(`| \`${p}\` |`);
  });
  it("documents no field the schema does not have", () => {
    const documented = [...docs.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    expect(documented.filter((d) => !paths.includes(d))).toEqual([]);
  });
});
