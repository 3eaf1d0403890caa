/** The Lambda packages' source hash is stable: a new synth of unchanged code plans no function update. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { CciLiteStack } from "../../main";
import { bundleLambdas } from "../../modules/constructs/bundling";
import { config } from "../helpers/synth";

function hashes(outDir: string): Record<string, string> {
  const stack = new CciLiteStack(Testing.app(), config(), { bundles: bundleLambdas(outDir) });
  const fns = JSON.parse(Testing.synth(stack)).resource.aws_lambda_function as Record<string, any>;
  return Object.fromEntries(Object.values(fns).map((f) => [f.function_name, f.source_code_hash]));
}

describe("Lambda assets", () => {
  it("get the same source_code_hash from two independent builds in different folders", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "cci-assets-"));
    const first = hashes(path.join(root, "a"));
    const second = hashes(path.join(root, "b"));
    expect(Object.keys(first).sort()).toEqual(["cci-lite-prod-analyze", "cci-lite-prod-reconcile", "cci-lite-prod-start"]);
    expect(second).toEqual(first);
    expect(new Set(Object.values(first)).size).toBe(3);
  }, 120_000);
});
