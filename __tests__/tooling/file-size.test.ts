/**
 * Small files (issue 22, "Lean functions and one-place changes"): no `.ts` file under modules/ or scripts/ is over
 * 300 lines, so a change lands in one small place. A long file is split along its seams (one check per file, one
 * stage per file, tables apart from the code that reads them); only a data table may stay long, by name below.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "..", "..");
const MAX_LINES = 300;
const CHECKED = ["modules", "scripts"];

/**
 * The only files allowed over MAX_LINES. Data tables only (a table is one long list of entries, and splitting it
 * would scatter one lookup), each with a comment saying why; anything else is split.
 */
const ALLOWED: readonly string[] = [
  "modules/access/cli-permissions.ts", // data table: every cci command's IAM requests (its types and rendering are in cli-requests.ts and cli-permissions-doc.ts)
  "modules/bootstrap/resource-actions.ts", // data table: one row per Terraform resource type, the IAM actions of its create, read, update and delete (issue 20)
];

/** Lines of a file as `wc -l` counts them (a last line without a newline counts too). */
function lineCount(text: string): number {
  if (text === "") return 0;
  const newlines = text.split("\n").length - 1;
  return text.endsWith("\n") ? newlines : newlines + 1;
}

/** Every `.ts` file under `dirs` of `root` with more than `max` lines, as `path (n lines)`, repository-relative. */
function oversized(root: string, dirs: readonly string[], max: number): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== "node_modules") walk(p);
      } else if (e.name.endsWith(".ts")) {
        const n = lineCount(fs.readFileSync(p, "utf8"));
        if (n > max) out.set(path.relative(root, p).split(path.sep).join("/"), n);
      }
    }
  };
  for (const d of dirs) if (fs.existsSync(path.join(root, d))) walk(path.join(root, d));
  return out;
}

describe("file size", () => {
  it(`no .ts file under ${CHECKED.join("/ or ")}/ is over ${MAX_LINES} lines, except the allowed data tables`, () => {
    const over = [...oversized(REPO, CHECKED, MAX_LINES)].filter(([file]) => !ALLOWED.includes(file)).map(([file, n]) => `${file} (${n} lines)`);
    expect(over).toEqual([]);
  });

  it("every allowed file still exists and is still over the limit (no stale entries)", () => {
    const over = oversized(REPO, CHECKED, MAX_LINES);
    expect(ALLOWED.filter((file) => !over.has(file))).toEqual([]);
  });

  describe("the check itself, on a planted tree", () => {
    let root: string;
    beforeAll(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), "cci-file-size-"));
      const write = (file: string, lines: number, trailingNewline = true) => {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        const text = Array.from({ length: lines }, (_, i) => `export const x${i} = ${i};`).join("\n");
        fs.writeFileSync(path.join(root, file), trailingNewline ? `${text}\n` : text);
      };
      write("modules/a/at-limit.ts", MAX_LINES);
      write("modules/a/deep/over.ts", MAX_LINES + 1);
      write("scripts/over-no-newline.ts", MAX_LINES + 1, false);
      write("scripts/long.md.ts.txt", MAX_LINES + 50);
      write("lambda-src/not-checked.ts", MAX_LINES + 50);
    });
    afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

    it("finds the files over the limit, in subfolders, with or without a final newline, and nothing else", () => {
      expect(Object.fromEntries(oversized(root, CHECKED, MAX_LINES))).toEqual({
        "modules/a/deep/over.ts": MAX_LINES + 1,
        "scripts/over-no-newline.ts": MAX_LINES + 1,
      });
    });
  });
});
