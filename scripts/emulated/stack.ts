/**
 * One stack's round trip in the emulated tier: a temporary copy of its synthesized folder rewritten for moto
 * (./overrides.ts), `init` (app stacks: on the S3 backend bootstrap created in moto), `apply`, a second `plan` that
 * must be empty but for the known emulator gaps (./gaps.ts), and `destroy` ending with an empty state. Times of each
 * step are kept for the report.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { INIT_ARGS, LOCKS_DIR } from "../terraform";
import { assertLoopbackEndpoints, type EmulatedStack, emulatedStackJson, type StackJson } from "./overrides";
import { checkSecondPlan, type PlanFinding, type SecondPlan } from "./gaps";
import { runTerraform } from "./terraform-run";

/** Per-step timeouts (seconds): about twice the longest measured at a load average of 20 on two cores (docs/testing.md). */
export const STEP_TIMEOUT_S = { init: 90, apply: 420, plan: 180, destroy: 240, state: 60 } as const;

/** Resources whose delete moto lacks: removed from the state before destroy (they vanish with moto's reset). */
export const STATE_ONLY_DELETE: Readonly<Record<string, string>> = {
  aws_athena_named_query: "moto has no Athena DeleteNamedQuery",
};

export interface StackReport {
  readonly name: string;
  readonly excluded: readonly string[];
  readonly dependents: readonly string[];
  /** Conditional Deny statements removed from bucket policies (overrides.ts). */
  readonly droppedStatements: readonly string[];
  /** Resources in the state after apply. */
  applied: number;
  /** Resources in the synthesized stack. */
  readonly synthesized: number;
  /** Known gaps of the second plan: address.attribute -> moto limitation. */
  gaps: Record<string, string>;
  readonly seconds: Record<string, number>;
}

export class EmulatedStackRun {
  readonly workDir: string;
  readonly logFile: string;
  readonly report: StackReport;
  private readonly emulated: EmulatedStack;

  constructor(
    readonly name: string,
    synthDir: string,
    workRoot: string,
    moto: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.workDir = path.join(workRoot, name);
    this.logFile = path.join(workRoot, `${name}.log`);
    fs.cpSync(synthDir, this.workDir, { recursive: true });
    const synthesized = JSON.parse(fs.readFileSync(path.join(synthDir, "cdk.tf.json"), "utf8")) as StackJson;
    this.emulated = emulatedStackJson(synthesized, moto);
    assertLoopbackEndpoints(name, this.emulated.json);
    fs.writeFileSync(path.join(this.workDir, "cdk.tf.json"), JSON.stringify(this.emulated.json, null, 2));
    const lock = path.join(LOCKS_DIR, `${name}.terraform.lock.hcl`);
    // Stacks of the emulated-only environments share the app stacks' provider pin (every lock file names aws 5.100.0).
    fs.copyFileSync(fs.existsSync(lock) ? lock : path.join(LOCKS_DIR, "cci-lite-dev.terraform.lock.hcl"), path.join(this.workDir, ".terraform.lock.hcl"));
    fs.writeFileSync(this.logFile, "");
    const count = (j: StackJson) => Object.values(j.resource ?? {}).reduce((n, blocks) => n + Object.keys(blocks).length, 0);
    this.report = {
      name,
      excluded: this.emulated.excluded,
      dependents: this.emulated.dependents,
      droppedStatements: this.emulated.droppedStatements,
      applied: 0,
      synthesized: count(synthesized),
      gaps: {},
      seconds: {},
    };
  }

  private async tf(step: keyof typeof STEP_TIMEOUT_S, args: readonly string[], okCodes?: readonly number[]) {
    const r = await runTerraform(args, {
      cwd: this.workDir,
      env: this.env,
      label: `${this.name} ${args[0]}`,
      timeoutMs: STEP_TIMEOUT_S[step] * 1000,
      logFile: this.logFile,
      okCodes,
    });
    return r;
  }

  private async timed<T>(step: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.report.seconds[step] = (this.report.seconds[step] ?? 0) + (performance.now() - t0) / 1000;
    }
  }

  async stateList(): Promise<string[]> {
    const r = await this.tf("state", ["state", "list", "-no-color"]);
    return r.stdout.split("\n").filter((l) => l.trim() !== "");
  }

  async apply(parallelism: number): Promise<void> {
    await this.timed("init", () => this.tf("init", INIT_ARGS));
    await this.timed("apply", () => this.tf("apply", ["apply", "-auto-approve", "-input=false", "-no-color", `-parallelism=${parallelism}`]));
    this.report.applied = (await this.stateList()).length;
  }

  /** The second plan: throws listing every change that is not a known emulator gap. */
  async secondPlan(parallelism: number): Promise<PlanFinding[]> {
    return this.timed("plan", async () => {
      const planFile = path.join(this.workDir, "second.tfplan");
      await this.tf("plan", ["plan", "-input=false", "-no-color", "-detailed-exitcode", `-parallelism=${parallelism}`, `-out=${planFile}`], [0, 2]);
      const json = JSON.parse((await this.tf("plan", ["show", "-json", planFile])).stdout) as SecondPlan;
      const { gaps, findings } = checkSecondPlan(json);
      this.report.gaps = gaps;
      return findings;
    });
  }

  /** Destroys the stack (first dropping from state what moto cannot delete); throws unless the state ends empty. */
  async destroy(parallelism: number): Promise<void> {
    await this.timed("destroy", async () => {
      const typeOf = (address: string) => address.replace(/^(module\.[^.]+\.)*/, "").split(".")[0];
      const stateOnly = (await this.stateList()).filter((a) => typeOf(a) in STATE_ONLY_DELETE);
      if (stateOnly.length) await this.tf("state", ["state", "rm", "-no-color", ...stateOnly]);
      // No refresh: the second plan has just read every resource back, and a refresh of ~100 resources costs as much as that plan.
      await this.tf("destroy", ["destroy", "-auto-approve", "-input=false", "-no-color", "-refresh=false", `-parallelism=${parallelism}`]);
      const left = await this.stateList();
      if (left.length) throw new Error(`${this.name}: destroy left ${left.length} resources in the state: ${left.join(", ")}`);
    });
  }
}
