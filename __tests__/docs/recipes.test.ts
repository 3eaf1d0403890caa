/**
 * docs/architecture.md "How to add…": every recipe names files that exist, and its `Table:` line names a declaration
 * table that its file exports and that every file said to read it imports from that file under that name, so the
 * recipes cannot drift from the tables the code reads.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const REPO = path.join(__dirname, "..", "..");
const DOC = fs.readFileSync(path.join(REPO, "docs", "architecture.md"), "utf8");

interface Recipe {
  readonly title: string;
  readonly body: string;
}

/** The `### ` recipes of a document's "## How to add…" section. */
function recipes(doc: string): Recipe[] {
  const start = doc.indexOf("\n## How to add…");
  if (start < 0) throw new Error('no "## How to add…" section');
  const rest = doc.slice(start + 1);
  const end = rest.indexOf("\n## ", 3);
  const section = end < 0 ? rest : rest.slice(0, end);
  return section
    .split("\n### ")
    .slice(1)
    .map((chunk) => ({ title: chunk.slice(0, chunk.indexOf("\n")).trim(), body: chunk.slice(chunk.indexOf("\n") + 1) }));
}

/** Repository paths a recipe names (backticked, with a folder and an extension or a trailing slash). */
function namedPaths(body: string): string[] {
  return [...new Set([...body.matchAll(/`([A-Za-z_.][\w.-]*\/[\w./<>-]+)`/g)].map((m) => m[1]).filter((p) => !p.includes("<")))];
}

/** `Table: \`NAME\` in \`file\`, read by \`a\`, \`b\`.`: the readers end at the sentence's end or a parenthesis. */
function tableLine(body: string): { name: string; file: string; readers: string[] } | undefined {
  const m = /^Table: `(\w+)` in `([^`]+)`, read by ([\s\S]*)/m.exec(body);
  if (!m) return undefined;
  let inCode = false;
  let end = m[3].length;
  for (let i = 0; i < m[3].length; i++) {
    const c = m[3][i];
    if (c === "`") inCode = !inCode;
    else if (!inCode && (c === "." || c === "(")) {
      end = i;
      break;
    }
  }
  return { name: m[1], file: m[2], readers: [...m[3].slice(0, end).matchAll(/`([^`]+)`/g)].map((x) => x[1]) };
}

/** Whether `reader` imports `name` from the module at `file` (a relative specifier, with or without /index). */
function importsFrom(readerSource: string, readerPath: string, name: string, file: string): boolean {
  for (const m of readerSource.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    const names = m[1].split(",").map(
      (x) =>
        x
          .trim()
          .replace(/^type\s+/, "")
          .split(/\s+as\s+/)[0],
    );
    if (!names.includes(name) || !m[2].startsWith(".")) continue;
    const target = path.resolve(path.dirname(path.join(REPO, readerPath)), m[2]);
    if ([`${target}.ts`, path.join(target, "index.ts")].includes(path.join(REPO, file))) return true;
  }
  return false;
}

const RECIPES = recipes(DOC);

it("has the recipes the issue asks for: a setting, an AWS call, an alarm, a doctor check, a rule (and a stack-wide value)", () => {
  const titles = RECIPES.map((r) => r.title);
  for (const t of ["A tenant setting", "An AWS call", "An alarm", "A doctor check", "A rule", "A stack-wide value"]) expect(titles).toContain(t);
});

describe.each(RECIPES.map((r) => [r.title, r] as const))("%s", (_title, r) => {
  it("names only files and folders that exist", () => {
    const paths = namedPaths(r.body);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((p) => !fs.existsSync(path.join(REPO, p)))).toEqual([]);
  });

  it("names its declaration table, exported by its file and imported from it by every reader", () => {
    const t = tableLine(r.body);
    if (!t) throw new Error(`recipe "${r.title}" has no "Table:" line`);
    expect(fs.readFileSync(path.join(REPO, t.file), "utf8")).toMatch(new RegExp(`export (const|function|class) ${t.name}\\b`));
    expect(t.readers.length).toBeGreaterThan(0);
    const notReading = t.readers.filter((reader) => !importsFrom(fs.readFileSync(path.join(REPO, reader), "utf8"), reader, t.name, t.file));
    expect(notReading).toEqual([]);
  });
});

describe("the checker itself", () => {
  const doc = "# x\n\n## How to add…\n\n### A thing\n\nTable: `THINGS` in `lib/things.ts`, read by `app/use.ts`.\n\n1. `lib/things.ts`\n\n## Next\n";
  it("finds the recipes, their files and their table line", () => {
    const [r] = recipes(doc);
    expect(r.title).toBe("A thing");
    expect(namedPaths(r.body)).toEqual(["lib/things.ts", "app/use.ts"]);
    expect(tableLine(r.body)).toEqual({ name: "THINGS", file: "lib/things.ts", readers: ["app/use.ts"] });
    expect(tableLine("Table: `T` in `a/t.ts`, read by `b/u.ts`, `c/v.ts` (`d/w.ts` uses its keys).")?.readers).toEqual(["b/u.ts", "c/v.ts"]);
  });
  it("tells a reader that imports the table from its file from one that does not", () => {
    expect(importsFrom('import { THINGS } from "../lib/things";', "app/use.ts", "THINGS", "lib/things.ts")).toBe(true);
    expect(importsFrom('import { OTHER, THINGS as T } from "../lib/things";', "app/use.ts", "THINGS", "lib/things.ts")).toBe(true);
    expect(importsFrom('import { THINGS } from "../lib/other";', "app/use.ts", "THINGS", "lib/things.ts")).toBe(false);
    expect(importsFrom('import { OTHER } from "../lib/things";', "app/use.ts", "THINGS", "lib/things.ts")).toBe(false);
  });
});
