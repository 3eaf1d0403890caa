/** Markdown facts the doc tests share: GitHub's heading anchors, and which wanted anchors a document lacks. */

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens (headings in code blocks are not headings). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const m of markdown.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    anchors.add(
      m[1]
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-"),
    );
  }
  return anchors;
}

/** The anchors of `wanted` that are no heading of `markdown`, in the order given. */
export function missingAnchors(markdown: string, wanted: Iterable<string>): string[] {
  const have = headingAnchors(markdown);
  return [...wanted].filter((a) => !have.has(a));
}
