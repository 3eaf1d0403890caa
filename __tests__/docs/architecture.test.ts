/**
 * The docs stay true to the tree: every repository path named in README.md and docs/*.md exists (backticked paths,
 * paths in code blocks, relative links and their #anchors), every section of the guide listed in docs/guide.md has
 * its row in docs/architecture.md, and the rows name files. When files move, this test names the stale references.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { headingAnchors } from "../helpers/markdown";

const REPO = path.resolve(__dirname, "..", "..");

/** Output folders: named in the docs, never in the repository. */
const GENERATED = new Set(["cdktf.out", "dist", ".plan-work", "node_modules", "coverage", ".gen", ".terraform", "bench/out"]);
/** Whether a repository-relative path is in an output folder. */
const generated = (p: string): boolean => [...GENERATED].some((g) => p === g || p.startsWith(`${g}/`));

/** First path segments that mark a repository path (the top-level entries, plus the source folders even if one is gone). */
const ROOTS = new Set([
  ...fs.readdirSync(REPO).filter((e) => !GENERATED.has(e) && e !== ".git"),
  ...["main.ts", "modules", "lambda-src", "scripts", "bench", "__tests__", "docs", "config", "tf", ".github", ".ci"],
]);

const MARKDOWN = [
  "README.md",
  ...fs
    .readdirSync(path.join(REPO, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

interface Reference {
  /** As written (after trimming punctuation), for the failure message. */
  readonly text: string;
  /** Repository-relative path (or glob prefix) to check. */
  readonly target: string;
  /** Heading anchor of a Markdown link, if any. */
  readonly anchor?: string;
  readonly kind: "code" | "link" | "block";
}

/** `a/{b,c}.ts` → `a/b.ts`, `a/c.ts` (one level of braces is enough for prose). */
function expandBraces(p: string): string[] {
  const m = /^(.*)\{([^{}]*)\}(.*)$/.exec(p);
  return m ? m[2].split(",").flatMap((alt) => expandBraces(`${m[1]}${alt}${m[3]}`)) : [p];
}

/** A candidate from a code span or code block, as repository paths to check; [] when it is not a repository path. */
function repoPaths(raw: string): string[] {
  let text = raw.trim().replace(/[.,:;)]+$/, "");
  if (!text || /\s/.test(text) || text.includes("://") || /^[/~$\-@]/.test(text)) return [];
  // A relative path out of the repository (`../shared/x.txt`) is reported as it is: the repository must stand alone.
  if (text.startsWith("../")) return [text];
  // Placeholders (`config/<env>.json`, `rules/<service>/helpers.ts`, `…`) name no single file.
  if (/[<>…$=]|\.\.\./.test(text)) return [];
  text = text
    .replace(/#.*$/, "")
    .replace(/:\d+(:\d+)?$/, "")
    .replace(/^\.\//, "");
  const first = text.split("/")[0];
  if (!ROOTS.has(first) || generated(text)) return [];
  return expandBraces(text).map((p) => {
    const glob = p.search(/[*?[]/);
    // A glob is checked by its fixed part: `__tests__/lambda/*` needs `__tests__/lambda/`.
    return glob < 0 ? p.replace(/\/$/, "") : p.slice(0, p.lastIndexOf("/", glob) + 1).replace(/\/$/, "");
  });
}

/** Every repository path a Markdown file names. `file` is repository-relative (links resolve against its folder). */
function references(markdown: string, file: string): Reference[] {
  const refs: Reference[] = [];
  const dir = path.posix.dirname(file);
  const parts = markdown.split(/^```.*$/m);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      // Inside a fenced block: whitespace-separated words that start at a repository root.
      for (const word of part.split(/\s+/)) for (const target of repoPaths(word)) refs.push({ text: word, target, kind: "block" });
      return;
    }
    const prose = part.replace(/`[^`\n]+`/g, (span) => {
      for (const target of repoPaths(span.slice(1, -1))) refs.push({ text: span, target, kind: "code" });
      return "";
    });
    for (const m of prose.matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const href = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue; // https:, mailto:
      const [link, anchor] = href.split("#");
      const target = link === "" ? file : path.posix.normalize(path.posix.join(dir, decodeURI(link)));
      refs.push({ text: m[0], target: target.replace(/\/$/, ""), anchor: anchor || undefined, kind: "link" });
    }
  });
  return refs;
}

/** GitHub's heading anchors (shared with the runbook anchor test). */
const anchorsOf = headingAnchors;

const read = (file: string): string => fs.readFileSync(path.join(REPO, file), "utf8");
const exists = (target: string): boolean => fs.existsSync(path.join(REPO, target));

/** Rows of the Markdown tables in `markdown` whose first cell is a guide section (`§3.3`, `§15.A`). */
function sectionRows(markdown: string): Map<string, string[][]> {
  const rows = new Map<string, string[][]>();
  for (const line of markdown.split("\n")) {
    const cells = line.startsWith("|")
      ? line
          .split("|")
          .slice(1, -1)
          .map((c) => c.trim())
      : [];
    if (!/^§\d+(\.[0-9A-Z]+)?$/.test(cells[0] ?? "")) continue;
    rows.set(cells[0], [...(rows.get(cells[0]) ?? []), cells]);
  }
  return rows;
}

describe("path extraction (the checker itself)", () => {
  const sample = [
    "See `modules/storage/index.ts` and [the guide](guide.md#the-console-guide-section-list), `main.ts` (`awsProvider`).",
    "Not paths: `config/<env>.json`, `s3://bucket/tenant/calls/`, `tmp/`, `npm run lint`, `cdktf.out/stacks/x`, `/cci-lite/prod/config`,",
    "[site](https://example.com/a.md), `@cdktf/provider-aws/lib/s3-bucket`, `rules/<service>/helpers.ts`, `index.mjs`.",
    "Globs and sets: `__tests__/lambda/*`, `lambda-src/handlers/{start,analyze}.ts`. Outside: `../shared/guide.txt`.",
    "```bash",
    "cp tf/locks/bootstrap.terraform.lock.hcl cdktf.out/stacks/bootstrap/.terraform.lock.hcl",
    "```",
  ].join("\n");

  it("finds backticked paths, relative links with anchors, code-block paths, brace sets and glob prefixes", () => {
    expect(references(sample, "docs/sample.md").map((r) => [r.kind, r.target, r.anchor ?? ""])).toEqual([
      ["code", "modules/storage/index.ts", ""],
      ["code", "main.ts", ""],
      ["code", "__tests__/lambda", ""],
      ["code", "lambda-src/handlers/start.ts", ""],
      ["code", "lambda-src/handlers/analyze.ts", ""],
      ["code", "../shared/guide.txt", ""],
      ["link", "docs/guide.md", "the-console-guide-section-list"],
      ["block", "tf/locks/bootstrap.terraform.lock.hcl", ""],
    ]);
  });

  it("builds GitHub heading anchors", () => {
    expect([...anchorsOf("# The console guide: section list\n## Guide §16 readiness checklist\n```\n# not a heading\n```")]).toEqual([
      "the-console-guide-section-list",
      "guide-16-readiness-checklist",
    ]);
  });
});

describe.each(MARKDOWN)("%s", (file) => {
  const text = read(file);
  const refs = references(text, file);

  it("names no path outside the repository", () => {
    expect(refs.filter((r) => r.target.startsWith("../")).map((r) => r.text)).toEqual([]);
  });

  it("names only repository paths that exist", () => {
    const missing = refs.filter((r) => !exists(r.target)).map((r) => `${r.text} → ${r.target}`);
    expect(missing).toEqual([]);
  });

  it("links only to headings that exist", () => {
    const broken = refs
      .filter((r) => r.anchor && r.target.endsWith(".md") && exists(r.target))
      .filter((r) => !anchorsOf(read(r.target)).has(r.anchor!))
      .map((r) => `${r.text} → ${r.target}#${r.anchor}`);
    expect(broken).toEqual([]);
  });
});

describe("docs/guide.md and docs/architecture.md", () => {
  const guide = sectionRows(read("docs/guide.md"));
  const architecture = sectionRows(read("docs/architecture.md"));
  const sections = [...guide.keys()];

  it("lists every numbered section of the guide, §0 to §18, with a summary", () => {
    for (let n = 0; n <= 18; n++) expect(sections).toContain(`§${n}`);
    for (const sub of ["§3.1", "§3.2", "§3.3", "§4.1", "§4.2", "§4.3"]) expect(sections).toContain(sub);
    for (const [section, rows] of guide) {
      expect([section, rows.length]).toEqual([section, 1]);
      expect([section, (rows[0][2] ?? "").length > 30]).toEqual([section, true]);
    }
  });

  it("maps every section of docs/guide.md in exactly one row of docs/architecture.md, and no other", () => {
    expect([...architecture.keys()]).toEqual(sections);
    for (const [section, rows] of architecture) expect([section, rows.length]).toEqual([section, 1]);
  });

  it.each(sections)("the %s row names at least one existing file it is implemented in", (section) => {
    const row = architecture.get(section)?.[0];
    expect(row).toBeDefined();
    // Columns: § | guide section | implemented in | checked by | changed from the guide
    const implemented = references(row![2], "docs/architecture.md").filter((r) => r.kind === "code");
    expect(implemented.length).toBeGreaterThan(0);
    expect(implemented.filter((r) => !exists(r.target)).map((r) => r.target)).toEqual([]);
  });

  it.each(["§3.3", "§9", "§13"])("finds %s in one step: its own row names the files", (section) => {
    const row = architecture.get(section)?.[0] ?? [];
    const files = references(row[2] ?? "", "docs/architecture.md").filter((r) => r.kind === "code" && fs.statSync(path.join(REPO, r.target)).isFile());
    expect(files.length).toBeGreaterThan(0);
  });
});
