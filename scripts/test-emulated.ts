/**
 * `npm run test:emulated` (part of `npm test`, not of `test:full` or `test:fast`): the emulated AWS round trip (docs/testing.md).
 * Starts moto on 127.0.0.1 (MOTO_ACCOUNT_ID = the configured account, AWS managed policies loaded) and a
 * loopback-only proxy for the account-prefixed S3 Control host; creates the existing network in moto; synthesizes the
 * configurations of scripts/emulated/configurations.ts with the real Lambda bundles (into a temporary folder); then
 * with the mirrored Terraform and AWS provider applies bootstrap (which creates the state backend), then every app
 * stack at once on that backend; checks each second plan (empty but for scripts/emulated/gaps.ts); exercises the
 * deployed wiring with the real handlers and `cci` (scripts/emulated/exercise.ts); destroys every stack and checks that
 * each state is empty. Prints the time of each step of each stack. Exit 0 when everything passed, 1 otherwise.
 *
 *   npm run test:emulated [-- --keep] [-- --only cci-lite-dev,...]
 *
 * `--keep` leaves the temporary folder (printed at the end: each stack's Terraform log, moto.log, the working copies);
 * `--only` applies bootstrap and the named app stacks only (a developer's shortcut; `npm test` applies all).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type MotoServer, startMoto, stopMoto } from "../__tests__/helpers/moto";
import { buildApp } from "../main";
import { stateNames } from "../modules/bootstrap";
import { bundleHandlers } from "../modules/constructs/bundling";
import { accountOf, EMULATED_CONFIGURATIONS, writeEmulatedConfigs } from "./emulated/configurations";
import { exerciseWiring } from "./emulated/exercise";
import { type LoopbackProxy, startLoopbackProxy } from "./emulated/loopback-proxy";
import { createExistingNetwork, emptyBucket } from "./emulated/moto-aws";
import { EmulatedStackRun, type StackReport } from "./emulated/stack";
import { stopAllTerraform } from "./emulated/terraform-run";
import { exitOnUsageError, parseOptions } from "./args";
import { offlinePlannable, stacksOf } from "./offline-plan";
import { providerSetup, terraformEnv } from "./terraform";

/** The tier's whole budget (docs/testing.md: 8 minutes on two cores); past it everything is stopped. */
export const TIER_DEADLINE_S = 900;
/** Terraform's concurrent operations per stack: the apply is mostly the provider's waits, not CPU. */
const PARALLELISM = 20;

const started = performance.now(); // durations: the monotonic clock
const elapsed = () => ((performance.now() - started) / 1000).toFixed(0).padStart(4);
const say = (line: string) => console.log(`[${elapsed()} s] ${line}`);

/** The environment of every terraform call: offline provider setup, the proxy, and nothing pointing at AWS. */
function emulatedEnv(proxy: LoopbackProxy): NodeJS.ProcessEnv {
  const env = terraformEnv(providerSetup());
  for (const k of Object.keys(env)) if (/^AWS_ENDPOINT_URL|^AWS_CONFIG_FILE$|^AWS_SHARED_CREDENTIALS_FILE$/.test(k)) delete env[k];
  const noProxy = "127.0.0.1,localhost";
  return { ...env, HTTP_PROXY: proxy.url, http_proxy: proxy.url, HTTPS_PROXY: proxy.url, https_proxy: proxy.url, NO_PROXY: noProxy, no_proxy: noProxy };
}

function table(reports: readonly StackReport[]): string {
  const steps = ["init", "apply", "plan", "exercise", "destroy"];
  const rows = reports.map((r) => [
    r.name,
    `${r.applied}/${r.synthesized}`,
    ...steps.map((s) => (r.seconds[s] === undefined ? "-" : r.seconds[s].toFixed(0))),
    String(Object.keys(r.gaps).length),
  ]);
  const head = ["stack", "applied", ...steps.map((s) => `${s} s`), "known gaps"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n");
}

async function main(keep: boolean, only: readonly string[]): Promise<number> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "cci-emulated-"));
  const { accountId, region } = accountOf();
  const failures: string[] = [];
  let moto: MotoServer | undefined;
  let proxy: LoopbackProxy | undefined;
  const stop = () => {
    stopAllTerraform();
    moto?.proc.kill("SIGKILL");
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      stop();
      process.exit(130);
    });
  const deadline = setTimeout(() => {
    console.error(`\ntest:emulated: over its ${TIER_DEADLINE_S} s budget: stopping every process; logs in ${root}`);
    if (moto) console.error(`moto's last requests:\n${moto.log().slice(-3000)}`);
    for (const f of failures) console.error(`\n${f}`);
    stop();
    process.exit(1);
  }, TIER_DEADLINE_S * 1000);
  try {
    const motoStarting = startMoto({ accountId, loadManagedPolicies: true, startTimeoutMs: 30_000, logFile: path.join(root, "moto.log") });
    const bundles = bundleHandlers({ outDir: path.join(root, "bundles") });
    moto = await motoStarting;
    proxy = await startLoopbackProxy();
    say(`moto on ${moto.url} (account ${accountId}), loopback proxy on ${proxy.url}, bundles built`);
    const network = await createExistingNetwork(moto.url, region);
    const configDir = writeEmulatedConfigs(path.join(root, "config"), network);
    const synthOut = path.join(root, "cdktf.out");
    buildApp({ configDir, outdir: synthOut, bundles }).synth();
    const env = emulatedEnv(proxy);
    const runs = offlinePlannable(stacksOf(synthOut)).plannable.map(
      (s) => new EmulatedStackRun(s.name, s.synthDir, path.join(root, "work"), moto?.url as string, env),
    );
    say(`synthesized ${runs.map((r) => r.name).join(", ")}; every endpoint is ${moto.url}`);
    for (const r of runs) {
      const { excluded, dependents, droppedStatements } = r.report;
      say(
        `${r.name}: not emulated: ${excluded.length} resources, ${dependents.length} dependents; ${droppedStatements.length} conditional Deny statements dropped`,
      );
    }

    const boot = runs.find((r) => r.name === "bootstrap") as EmulatedStackRun;
    const apps = runs.filter((r) => r !== boot && (only.length === 0 || only.includes(r.name)));
    await boot.apply(PARALLELISM);
    say(`bootstrap applied (${boot.report.applied} resources): the state backend exists`);
    const check = async (r: EmulatedStackRun) => {
      const findings = await r.secondPlan(PARALLELISM);
      for (const f of findings)
        failures.push(`${r.name}: second plan: ${f.address} ${f.actions.join("/")}${f.attributes.length ? ` (${f.attributes.join(", ")})` : ""}`);
      say(`${r.name}: second plan: ${findings.length} findings, ${Object.keys(r.report.gaps).length} known emulator gaps`);
    };
    const bootCheck = check(boot);
    await Promise.all(
      apps.map(async (r) => {
        try {
          await r.apply(PARALLELISM);
          say(`${r.name} applied (${r.report.applied}/${r.report.synthesized} resources)`);
          await check(r);
          const cfg = EMULATED_CONFIGURATIONS.find((c) => `cci-lite-${c.environment}` === r.name);
          if (cfg?.exercise) {
            const t0 = performance.now();
            await exerciseWiring({
              moto: moto?.url as string,
              configDir,
              environment: cfg.environment,
              bundles,
              workDir: path.join(root, "exercise"),
              log: say,
            });
            r.report.seconds.exercise = (performance.now() - t0) / 1000;
          }
        } catch (e) {
          failures.push(e instanceof Error ? e.message : String(e));
        }
        try {
          await r.destroy(PARALLELISM);
          say(`${r.name} destroyed: state empty`);
        } catch (e) {
          failures.push(e instanceof Error ? e.message : String(e));
        }
      }),
    );
    await bootCheck.catch((e) => failures.push(e instanceof Error ? e.message : String(e)));
    const bucket = stateNames(JSON.parse(fs.readFileSync(path.join(configDir, "dev.json"), "utf8")).namePrefix, accountId, region).bucket;
    say(`state bucket emptied (${await emptyBucket(moto.url, region, bucket)} object versions)`);
    await boot.destroy(PARALLELISM);
    say("bootstrap destroyed: state empty");
    if (proxy.refused.length)
      failures.push(`the loopback proxy refused requests for ${[...new Set(proxy.refused)].join(", ")}: something called outside 127.0.0.1`);
    console.log(`\n${table([boot, ...apps].map((r) => r.report))}`);
    const gaps = new Map<string, number>();
    for (const r of [boot, ...apps]) for (const why of Object.values(r.report.gaps)) gaps.set(why, (gaps.get(why) ?? 0) + 1);
    for (const [why, n] of gaps) console.log(`  known emulator gap (${n}x): ${why}`);
  } catch (e) {
    failures.push(e instanceof Error ? e.message : String(e));
  } finally {
    clearTimeout(deadline);
    stopAllTerraform();
    await proxy?.close();
    if (failures.length && moto) console.error(`\nmoto's last requests:\n${moto.log().slice(-3000)}`);
    if (moto) await stopMoto(moto);
  }
  say(`test:emulated ${failures.length ? "FAILED" : "passed"} in ${elapsed().trim()} s`);
  for (const f of failures) console.error(`\n${f}`);
  if (failures.length || keep) console.error(`\nlogs and working copies: ${root}`);
  else fs.rmSync(root, { recursive: true, force: true });
  return failures.length ? 1 : 0;
}

/** `[--keep] [--only <stack,...>]` (strict: any other option is an error naming it). */
export function parseEmulatedArgs(argv: readonly string[]): { keep: boolean; only: string[] } {
  const { values } = parseOptions(argv, { keep: { type: "boolean", default: false }, only: { type: "string" } });
  return { keep: values.keep === true, only: values.only?.split(",").filter(Boolean) ?? [] };
}

if (require.main === module) {
  let args: ReturnType<typeof parseEmulatedArgs>;
  try {
    args = parseEmulatedArgs(process.argv.slice(2));
  } catch (e) {
    exitOnUsageError("test:emulated", e, 2);
  }
  main(args.keep, args.only).then((code) => process.exit(code));
}
