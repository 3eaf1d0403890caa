/**
 * How commands print: a table for people (cli-table3), JSON for scripts (`--json`, `--format json`), CSV
 * (`--format csv`, RFC 4180 quoting).
 */
import Table from "cli-table3";

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stdout is a terminal (progress bars and colours only then). */
  readonly isTty: boolean;
  /** Where progress bars draw (stderr, so `--json` output stays clean). */
  readonly progressStream: NodeJS.WritableStream;
}

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  stderr: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
  isTty: Boolean(process.stderr.isTTY),
  progressStream: process.stderr,
};

/** No separator line between body rows. */
const COMPACT = { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" };

export type Cell = string | number | boolean | null | undefined;

/** A boxed table; long cells wrap at `maxWidth` characters per column. */
export function table(head: readonly string[], rows: readonly (readonly Cell[])[], maxWidth = 60): string {
  const t = new Table({ head: [...head], style: { head: [], border: [] }, chars: COMPACT });
  for (const r of rows)
    t.push(r.map((c) => (c === null || c === undefined ? "" : String(c).length > maxWidth ? `${String(c).slice(0, maxWidth - 1)}…` : String(c))));
  return t.toString();
}

/** Two columns, field and value (a single call's status). */
export function keyValueTable(entries: readonly (readonly [string, Cell])[]): string {
  const t = new Table({ style: { head: [], border: [] }, chars: COMPACT });
  for (const [k, v] of entries) t.push({ [k]: v === null || v === undefined ? "" : String(v) });
  return t.toString();
}

const csvCell = (c: Cell): string => {
  const s = c === null || c === undefined ? "" : String(c);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** CSV with a header line (RFC 4180: cells with a comma, quote or line break are quoted, quotes doubled). */
export function csv(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [head, ...rows].map((r) => r.map(csvCell).join(",")).join("\n");
}

export const json = (value: unknown): string => JSON.stringify(value, null, 2);
