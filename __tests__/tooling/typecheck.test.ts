/**
 * The type check (`npm run typecheck`): TypeScript 7, the native compiler (the `typescript-native` alias of
 * typescript@7.0.2 in package.json), with the repository's compiler options. TypeScript 5 stays installed as
 * `typescript` for the tools that use its API (dependency-cruiser parses `.ts` files with it), so `npx tsc` may be
 * either; the npm script names its binary. A planted type error fails the check with the file, line and code; the
 * same file without it passes.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "..", "..");
const TSC = path.join(REPO, "node_modules", "typescript-native", "bin", "tsc");
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));

/** Type-checks one planted file with the repository's compiler options (no incremental state). */
function check(source: string): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cci-typecheck-"));
  try {
    const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(REPO, "tsconfig.json"), "utf8"));
    const options = { ...compilerOptions, incremental: false, tsBuildInfoFile: undefined, types: [], typeRoots: [path.join(REPO, "node_modules", "@types")] };
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: options, include: ["planted.ts"] }));
    fs.writeFileSync(path.join(dir, "planted.ts"), source);
    const r = spawnSync(process.execPath, [TSC, "--noEmit", "-p", dir], { encoding: "utf8", timeout: 60_000 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("npm run typecheck", () => {
  it("runs TypeScript 7 (the native compiler) by path, on the repository's tsconfig.json", () => {
    expect(pkg.scripts.typecheck).toBe("node node_modules/typescript-native/bin/tsc --noEmit -p tsconfig.json");
    expect(pkg.devDependencies["typescript-native"]).toBe("npm:typescript@7.0.2");
    expect(JSON.parse(fs.readFileSync(path.join(REPO, "node_modules", "typescript-native", "package.json"), "utf8")).version).toBe("7.0.2");
  });
  it("a planted type error fails with its file, line and code", () => {
    const r = check('export const port: number = "8080";\n');
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/planted\.ts\(1,14\): error TS2322: Type 'string' is not assignable to type 'number'/);
  });
  it("a planted unused local fails too (noUnusedLocals, as in tsconfig.json)", () => {
    const r = check("export function f(): number {\n  const unused = 1;\n  return 2;\n}\n");
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/TS6133: 'unused' is declared but its value is never read/);
  });
  it("the same file without the error passes", () => {
    expect(check("export const port: number = 8080;\n")).toEqual({ status: 0, output: "" });
  });
});
