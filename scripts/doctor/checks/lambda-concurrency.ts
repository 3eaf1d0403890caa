/**
 * `lambda-concurrency`: the reserved concurrency the configuration asks for fits the account (docs/doctor.md, "The checks").
 */
import type { CciLiteConfig } from "../../../modules/config/schema";
import type { Fact, LambdaFacts } from "../facts";
import { type CheckContext, type CheckResult, unavailableResult } from "./shared";

/** AWS keeps at least this much account concurrency unreserved. */
export const MIN_UNRESERVED = 100;
export const CONCURRENCY_DOC = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html";
/** Below this account limit a new account throttles under any real load. */
export const LOW_ACCOUNT_LIMIT = 50;

/** Configured reservations by function (`processing.reservedConcurrency`); absent fields mean none. */
export function configuredReservations(cfg: CciLiteConfig): Record<string, number> {
  const raw: unknown = (cfg.processing as { reservedConcurrency?: unknown } | undefined)?.reservedConcurrency;
  if (typeof raw === "number") return raw > 0 ? { all: raw } : {};
  if (!raw || typeof raw !== "object") return {};
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === "number" && v > 0) out[k] = v;
  return out;
}

export function checkLambdaConcurrency(f: Fact<LambdaFacts>, ctx: CheckContext): CheckResult {
  const id = "lambda-concurrency";
  if (!f.ok) return unavailableResult(id, f.error);
  const { concurrentExecutions: limit, unreservedConcurrentExecutions: unreserved, ownReservations } = f.value;
  const wanted = configuredReservations(ctx.cfg);
  const total = Object.values(wanted).reduce((a, b) => a + b, 0);
  const own = Object.values(ownReservations).reduce((a, b) => a + b, 0);
  // Reservations this environment already holds are not part of the unreserved pool, but they are replaced, not added.
  const pool = unreserved + own;
  const reservable = pool - MIN_UNRESERVED;
  const ownNote = own > 0 ? `, of which ${own} already reserved by this environment's functions` : "";
  const lowNote =
    limit < LOW_ACCOUNT_LIMIT
      ? `; warning: the account limit is low (new accounts start low), expect throttling under load; request a Lambda concurrency quota increase`
      : "";
  if (total === 0) {
    return { id, status: "ok", message: `no reserved concurrency configured; account limit ${limit}, unreserved ${unreserved}${lowNote}` };
  }
  const parts = Object.entries(wanted)
    .map(([k, v]) => `${k} ${v}`)
    .join(" + ");
  if (total > reservable) {
    return {
      id,
      status: "problem",
      message:
        `processing.reservedConcurrency (${parts} = ${total}) exceeds what the account can reserve: ` +
        `unreserved ${pool}${ownNote} minus the ${MIN_UNRESERVED} AWS keeps unreserved = ${Math.max(reservable, 0)} ` +
        `("You can reserve up to the Unreserved account concurrency value minus 100", ${CONCURRENCY_DOC}); account limit ${limit}`,
      fix: `remove processing.reservedConcurrency (or lower it) in ${ctx.configFile}, or request a Lambda concurrency quota increase`,
    };
  }
  return {
    id,
    status: "ok",
    message: `reservations ${parts} = ${total} fit: account limit ${limit}, unreserved ${pool}${ownNote}, at most ${reservable} reservable${lowNote}`,
  };
}
