/** Data files packaged beside a bundle (the analyze function's category rules): content-named, deterministic. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { packageWithFiles } from "../../modules/constructs/bundling";

describe("packageWithFiles", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cci-package-"));
  const bundle = { dir: path.join(dir, "analyze"), file: path.join(dir, "analyze", "index.mjs"), bytes: 9 };
  fs.mkdirSync(bundle.dir);
  fs.writeFileSync(bundle.file, "export {};");

  it("copies the bundle and writes the files into a folder named by their content", () => {
    const a = packageWithFiles(bundle, { "category-rules.json": '{"acme":[]}' });
    expect(fs.readdirSync(a.dir).sort()).toEqual(["category-rules.json", "index.mjs"]);
    expect(fs.readFileSync(path.join(a.dir, "category-rules.json"), "utf8")).toBe('{"acme":[]}');
    expect(packageWithFiles(bundle, { "category-rules.json": '{"acme":[]}' }).dir).toBe(a.dir);
    expect(packageWithFiles(bundle, { "category-rules.json": '{"beta":[]}' }).dir).not.toBe(a.dir);
  });
  it("without files is the bundle itself; refuses paths and index.mjs", () => {
    expect(packageWithFiles(bundle, {})).toBe(bundle);
    expect(() => packageWithFiles(bundle, { "../x.json": "{}" })).toThrow(/plain file name/);
    expect(() => packageWithFiles(bundle, { "index.mjs": "" })).toThrow(/plain file name/);
  });
});
