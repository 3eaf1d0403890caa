/**
 * Text helpers for GitHub comments and issue bodies.
 *
 * GitHub rejects comment and issue bodies longer than 65,536 characters. We measure JavaScript string
 * length (UTF-16 code units), which is never smaller than the number of characters GitHub counts, and
 * keep a margin below the hard limit.
 */

/** GitHub's hard limit for an issue/PR comment or issue body. */
export const GITHUB_BODY_LIMIT = 65_536;
/** Default budget we render to: the hard limit minus a safety margin. */
export const DEFAULT_BODY_BUDGET = GITHUB_BODY_LIMIT - 536;
/** Job summaries accept up to 1 MiB per step; stay well below. */
export const STEP_SUMMARY_BUDGET = 900_000;

export interface TruncateResult {
  text: string;
  truncated: boolean;
  /** Characters of the original text that were dropped. */
  omitted: number;
}

/**
 * Cuts `text` so that the result (including the appended `note(omitted)`) is at most `max` characters.
 * Cuts at the last line break inside the budget when there is one, so no half lines are shown.
 */
export function truncateText(text: string, max: number, note: (omitted: number) => string): TruncateResult {
  if (max < 0) throw new Error(`truncateText: negative budget ${max}`);
  if (text.length <= max) return { text, truncated: false, omitted: 0 };
  // The note's length depends on the omitted count; iterate until it is stable (at most a few rounds).
  let keep = max;
  for (let i = 0; i < 5; i++) {
    const noteText = note(text.length - keep);
    const next = Math.max(0, max - noteText.length);
    if (next === keep) break;
    keep = next;
  }
  let cut = text.slice(0, keep);
  const lastNewline = cut.lastIndexOf("\n");
  if (lastNewline > keep / 2) cut = cut.slice(0, lastNewline + 1);
  // Do not leave a lone high surrogate at the end.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const omitted = text.length - cut.length;
  const result = cut + note(omitted);
  if (result.length > max) {
    // Pathological note longer than the budget: return as much of the note as fits.
    return { text: result.slice(0, max), truncated: true, omitted };
  }
  return { text: result, truncated: true, omitted };
}

/**
 * A Markdown code fence that cannot be closed early by the content: one backtick longer than the longest
 * run of backticks in `content`, and at least three.
 */
export function fenceFor(content: string): string {
  let longest = 0;
  for (const m of content.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return "`".repeat(Math.max(3, longest + 1));
}

/** Wraps `content` in a fenced code block (language optional). */
export function codeBlock(content: string, lang = ""): string {
  const fence = fenceFor(content);
  const body = content.endsWith("\n") ? content : `${content}\n`;
  return `${fence}${lang}\n${body}${fence}\n`;
}

/** Escapes text for a Markdown table cell. */
export function tableCell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/**
 * Cuts Markdown to at most `max` characters, closing what the cut leaves open (a fenced code block, `<details>`), so
 * `note(omitted)` is rendered as Markdown after it and not as code. Line-based: cuts at a line break.
 */
export function truncateMarkdown(markdown: string, max: number, note: (omitted: number) => string): TruncateResult {
  if (markdown.length <= max) return { text: markdown, truncated: false, omitted: 0 };
  // Worst case of what closing may add: a fence as long as the longest backtick run, and every open <details>.
  let longest = 3;
  for (const m of markdown.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const openDetails = (markdown.match(/<details>/g) ?? []).length;
  const closerBudget = longest + 2 + openDetails * "</details>\n".length;
  const cut = truncateText(markdown, Math.max(0, max - closerBudget - note(markdown.length).length), () => "");
  let text = cut.text;
  // Close an open fence: a line of 3+ backticks opens a block, the same fence closes it.
  let fence: string | undefined;
  for (const line of text.split("\n")) {
    const m = /^(`{3,})/.exec(line);
    if (!m) continue;
    if (fence === undefined) fence = m[1];
    else if (m[1] === fence && line.trim() === fence) fence = undefined;
  }
  if (fence !== undefined) text += `${text.endsWith("\n") ? "" : "\n"}${fence}\n`;
  const unclosed = (text.match(/<details>/g) ?? []).length - (text.match(/<\/details>/g) ?? []).length;
  for (let i = 0; i < unclosed; i++) text += "</details>\n";
  const omitted = markdown.length - cut.text.length;
  text += note(omitted);
  if (text.length > max) throw new Error(`truncateMarkdown: ${text.length} > ${max} characters`);
  return { text, truncated: true, omitted };
}
