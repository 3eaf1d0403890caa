/**
 * Command-line entry points used by the workflows (`npx tsx scripts/delivery/cli.ts <command> ...`).
 *
 *   matrix        [--out-dir cdktf.out]                       -> outputs matrix, has-stacks; job summary
 *   render-plan   --stack S --plan-json F --plan-text F [--scan F] [--out F] [--meta F]
 *                 [--kind pr|apply|drift] [--summary]           -> Markdown file, outputs has-changes, counts
 *   render-failure --stack S --log F [--out F] [--kind ...] [--summary]
 *   apply-matrix  --metas DIR --matrix JSON                    -> outputs matrix, has-changes; job summary
 *   prior-state-guard --plan-json F --state-list F             -> exit 1 when a no-prior-state plan meets a state
 *   redact-plan   --plan-json F --out F                        -> the scan's input: plan JSON without state values
 *   drift-report  --stack S --refresh-json F --plan-json F --out-dir D
 *                                                              -> drift.md / unapplied.md, outputs drifted, unapplied
 *   apply-result  --stack S --outcome O [--plan-json F] [--log F] [--errored-artifact NAME] --out F
 *
 * Outputs go to $GITHUB_OUTPUT and summaries to $GITHUB_STEP_SUMMARY when set (stdout otherwise).
 * The run URL and commit come from GITHUB_SERVER_URL/GITHUB_REPOSITORY/GITHUB_RUN_ID and GITHUB_SHA.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ParseArgsOptionsConfig, parseArgs as parseNodeArgs } from "node:util";
import { applyMatrix, buildStackMatrix, renderMatrixSummary, type PlanMeta, type StackMatrix } from "./matrix";
import { planCommentMarker, renderPlanFailure, renderPlanMarkdown, summarizePlan, type PlanJson } from "./plan-summary";
import { ALLOW_DESTROY_LABEL, checkPriorState, statefulDestroys } from "./guards";
import { changesMarker, planChanges } from "./main-plan";
import { readCheckovText } from "./scan";
import { redactPlanForScan } from "./redact";
import { classifyDrift, renderDriftIssue, renderUnappliedIssue } from "./drift";
import { buildApplyResult, renderApplyResult } from "./apply-result";
import { DEFAULT_BODY_BUDGET, STEP_SUMMARY_BUDGET } from "./truncate";

const text = { type: "string" } as const;
const flag = { type: "boolean" } as const;

/** Each command's options (see the list above); any other option is an error that names it. */
const COMMANDS = {
  matrix: { "out-dir": text },
  "render-plan": { stack: text, "plan-json": text, "plan-text": text, scan: text, out: text, meta: text, kind: text, summary: flag },
  "render-failure": { stack: text, log: text, out: text, kind: text, summary: flag },
  "apply-matrix": { metas: text, matrix: text },
  "prior-state-guard": { "plan-json": text, "state-list": text },
  "redact-plan": { "plan-json": text, out: text },
  "drift-report": { stack: text, "refresh-json": text, "plan-json": text, "out-dir": text },
  "apply-result": { stack: text, outcome: text, "plan-json": text, log: text, "errored-artifact": text, out: text },
} as const;

type Command = keyof typeof COMMANDS;
type Args = Readonly<Record<string, string | boolean | undefined>>;

/**
 * The options of `command` (strict `node:util` parseArgs); throws on an unknown command or option, naming it. Node's
 * own message, not scripts/args.ts: the bundle the role-holding jobs run is built from scripts/delivery only.
 */
export function parseArgs(command: string | undefined, argv: readonly string[]): Args {
  if (command === undefined || !Object.hasOwn(COMMANDS, command)) {
    throw new Error(
      `Unknown command ${command ?? "(none)"}; expected ${Object.keys(COMMANDS)
        .join(", ")
        .replace(/, (?=[^,]*$)/, " or ")}`,
    );
  }
  try {
    return parseNodeArgs({ args: [...argv], options: COMMANDS[command as Command] as ParseArgsOptionsConfig, strict: true }).values as Args;
  } catch (e) {
    throw new Error(`${command}: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** The value of `--name`; throws `--name is required` when it is missing. */
function required(args: Args, name: string): string {
  const v = args[name];
  if (typeof v === "string") return v;
  throw new Error(`--${name} is required`);
}

/** The value of `--name`, or undefined. */
function optional(args: Args, name: string): string | undefined {
  const v = args[name];
  return typeof v === "string" ? v : undefined;
}

export function setOutput(name: string, value: string, env: NodeJS.ProcessEnv = process.env): void {
  if (value.includes("\n")) throw new Error(`output ${name} must be a single line`);
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `${name}=${value}\n`);
  else process.stdout.write(`${name}=${value}\n`);
}

export function appendSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
  else process.stdout.write(`${markdown}\n`);
}

export function runUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id, GITHUB_RUN_ATTEMPT: attempt } = env;
  if (!server || !repo || !id) return undefined;
  return `${server}/${repo}/actions/runs/${id}${attempt && attempt !== "1" ? `/attempts/${attempt}` : ""}`;
}

const TITLES: Record<string, string> = { pr: "Terraform plan", apply: "Plan to apply", drift: "Drift" };

function kindOf(args: Args): "pr" | "apply" | "drift" {
  const k = optional(args, "kind") ?? "pr";
  if (k !== "pr" && k !== "apply" && k !== "drift") throw new Error(`--kind must be pr, apply or drift (got ${k})`);
  return k;
}

/** Early warning in PR comments and apply summaries: the destroy guard (docs/delivery.md, Guards) will ask for a label. */
export function destroyNote(kind: "pr" | "apply" | "drift", destroys: string[]): string | undefined {
  if (kind === "drift" || destroys.length === 0) return undefined;
  const list = destroys.map((d) => `\`${d}\``).join(", ");
  return (
    `> [!CAUTION]\n> This plan deletes or replaces stateful resources: ${list}. ` +
    `The apply on \`main\` is refused unless the pull request has the label \`${ALLOW_DESTROY_LABEL}\` (docs/delivery.md, Guards).`
  );
}

export function main(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const [command, ...rest] = argv;
  const args = parseArgs(command, rest);
  switch (command) {
    case "matrix": {
      const m = buildStackMatrix(optional(args, "out-dir") ?? "cdktf.out");
      setOutput("matrix", JSON.stringify(m.matrix), env);
      setOutput("has-stacks", String(m.matrix.include.length > 0), env);
      appendSummary(renderMatrixSummary(m), env);
      return 0;
    }
    case "render-plan": {
      const stack = required(args, "stack");
      const kind = kindOf(args);
      const plan = JSON.parse(readFileSync(required(args, "plan-json"), "utf8")) as PlanJson;
      const planText = readFileSync(required(args, "plan-text"), "utf8");
      const scanPath = optional(args, "scan");
      const scan = scanPath !== undefined ? readCheckovText(existsSync(scanPath) ? readFileSync(scanPath, "utf8") : undefined) : undefined;
      const summary = summarizePlan(plan);
      const note =
        kind === "drift"
          ? "The live account differs from the code on `main`: the plan below is what Terraform would change to restore the code's state. " +
            "Either apply the code (re-run the latest `apply` run, or ship any change) or change the code to match, through a pull request. " +
            "This issue is updated by every drift run and closed by the first run without drift (docs/delivery.md, Drift)."
          : destroyNote(
              kind,
              statefulDestroys(plan).map((r) => `${r.address} ${r.action}`),
            );
      const common = { stack, summary, planText, runUrl: runUrl(env), commitSha: env.GITHUB_SHA, scan, title: TITLES[kind], note };
      // PR comments end with a hidden record of the changes, which the apply workflow compares with the plan on main.
      const record = kind === "pr" ? `\n${changesMarker(planChanges(plan))}\n` : "";
      const marker = kind === "pr" ? planCommentMarker(stack) : undefined;
      const body = renderPlanMarkdown({ ...common, marker, maxLength: record ? DEFAULT_BODY_BUDGET - record.length : undefined }) + record;
      const out = optional(args, "out");
      if (out) writeFileSync(out, body);
      if (args.summary) appendSummary(renderPlanMarkdown({ ...common, maxLength: STEP_SUMMARY_BUDGET }), env);
      const meta: PlanMeta = {
        stack,
        hasChanges: summary.hasChanges,
        add: summary.add,
        change: summary.change,
        destroy: summary.destroy,
        changes: planChanges(plan),
        statefulDestroys: statefulDestroys(plan).map((r) => `${r.address} ${r.action}`),
      };
      const metaPath = optional(args, "meta");
      if (metaPath) writeFileSync(metaPath, `${JSON.stringify(meta)}\n`);
      setOutput("has-changes", String(summary.hasChanges), env);
      setOutput("counts", `${summary.add} to add, ${summary.change} to change, ${summary.destroy} to destroy`, env);
      return 0;
    }
    case "render-failure": {
      const stack = required(args, "stack");
      const kind = kindOf(args);
      const logPath = required(args, "log");
      const log = existsSync(logPath) ? readFileSync(logPath, "utf8") : "(no log captured)";
      const common = { stack, log, runUrl: runUrl(env), commitSha: env.GITHUB_SHA, title: TITLES[kind] };
      const body = renderPlanFailure({ ...common, marker: kind === "pr" ? planCommentMarker(stack) : undefined });
      const out = optional(args, "out");
      if (out) writeFileSync(out, body);
      if (args.summary) appendSummary(renderPlanFailure({ ...common, maxLength: STEP_SUMMARY_BUDGET }), env);
      return 0;
    }
    case "apply-matrix": {
      const dir = required(args, "metas");
      const full = JSON.parse(required(args, "matrix")) as StackMatrix["matrix"];
      const metas = readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as PlanMeta);
      const m = applyMatrix(metas, full);
      setOutput("matrix", JSON.stringify(m), env);
      setOutput("has-changes", String(m.include.length > 0), env);
      const lines = ["### Stacks to apply", ""];
      for (const meta of [...metas].sort((a, b) => a.stack.localeCompare(b.stack))) {
        lines.push(
          meta.hasChanges
            ? `- \`${meta.stack}\`: ${meta.add} to add, ${meta.change} to change, ${meta.destroy} to destroy: **waits for approval in the \`${full.include.find((e) => e.stack === meta.stack)?.environment ?? "?"}\` environment**`
            : `- \`${meta.stack}\`: no changes, nothing to apply`,
        );
      }
      appendSummary(`${lines.join("\n")}\n`, env);
      return 0;
    }
    case "prior-state-guard": {
      const plan = JSON.parse(readFileSync(required(args, "plan-json"), "utf8")) as PlanJson;
      const r = checkPriorState(plan, readFileSync(required(args, "state-list"), "utf8"));
      if (r.ok) return 0;
      for (const p of r.problems) process.stderr.write(`::error title=Plan made without prior state::${p}\n`);
      appendSummary(`### ❌ Refused: plan made without prior state\n\n${r.problems.join("\n\n")}\n`, env);
      return 1;
    }
    case "redact-plan": {
      const plan = JSON.parse(readFileSync(required(args, "plan-json"), "utf8"));
      writeFileSync(required(args, "out"), JSON.stringify(redactPlanForScan(plan)));
      return 0;
    }
    case "drift-report": {
      const stack = required(args, "stack");
      const dir = required(args, "out-dir");
      const c = classifyDrift(JSON.parse(readFileSync(required(args, "refresh-json"), "utf8")), JSON.parse(readFileSync(required(args, "plan-json"), "utf8")));
      const url = runUrl(env);
      const drifted = c.changedOutside.length > 0;
      const unapplied = c.unapplied.length > 0 || c.outputs.length > 0;
      if (drifted) writeFileSync(join(dir, "drift.md"), renderDriftIssue(stack, c, url));
      if (unapplied) writeFileSync(join(dir, "unapplied.md"), renderUnappliedIssue(stack, c, url));
      setOutput("drifted", String(drifted), env);
      setOutput("unapplied", String(unapplied), env);
      appendSummary(
        `### Drift: \`${stack}\`\n\n- changed outside Terraform: ${c.changedOutside.length} resource(s)\n` +
          `- merged but not applied: ${c.unapplied.length} resource(s)${c.outputs.length ? `, ${c.outputs.length} output(s)` : ""}\n`,
        env,
      );
      return 0;
    }
    case "apply-result": {
      const planPath = optional(args, "plan-json");
      const logPath = optional(args, "log");
      const r = buildApplyResult({
        stack: required(args, "stack"),
        stepOutcome: typeof args.outcome === "string" ? args.outcome : "",
        plan: planPath && existsSync(planPath) ? (JSON.parse(readFileSync(planPath, "utf8")) as PlanJson) : undefined,
        log: logPath && existsSync(logPath) ? readFileSync(logPath, "utf8") : undefined,
        erroredStateArtifact: optional(args, "errored-artifact"),
        runUrl: runUrl(env),
        sha: env.GITHUB_SHA,
        runAttempt: env.GITHUB_RUN_ATTEMPT ? Number(env.GITHUB_RUN_ATTEMPT) : undefined,
      });
      writeFileSync(required(args, "out"), `${JSON.stringify(r)}\n`);
      appendSummary(renderApplyResult(r), env);
      return 0;
    }
    default:
      throw new Error(`Unknown command ${command}`);
  }
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`::error::${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
