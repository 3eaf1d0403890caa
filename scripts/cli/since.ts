/** `--since 7d | 24h | 30m | 2026-05-01[T10:00Z]`: a point in time before `now`. */
import { CliError, EXIT } from "./exit-codes";

const UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseSince(value: string, now: Date): Date {
  const rel = /^(\d{1,5})([mhd])$/.exec(value.trim());
  if (rel) return new Date(now.getTime() - Number(rel[1]) * UNITS[rel[2] as keyof typeof UNITS]);
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return new Date(t);
  }
  throw new CliError(`--since "${value}" is not a duration (30m, 24h, 7d) or an ISO date (2026-05-01)`, EXIT.USAGE);
}
