/**
 * `cci doctor`: the account preflight of scripts/doctor (`npm run doctor`, docs/doctor.md), with the same options.
 * The doctor is imported when the command runs, not when `cci` starts.
 */
import type { ExitCode } from "../exit-codes";
import type { Io } from "../output";

export async function doctorCommand(opts: { env: string; configDir: string; json: boolean }, io: Io): Promise<ExitCode> {
  // Loaded on use: the doctor's checks bring the clients they read (EC2, IAM, STS and more), a second of start-up
  // that every other command of `cci` would pay.
  const { main: doctorMain } = require("../../doctor/index") as typeof import("../../doctor/index");
  const argv = ["--env", opts.env, "--config-dir", opts.configDir, ...(opts.json ? ["--json"] : [])];
  return (await doctorMain(argv, { io: { stdout: (l) => io.stdout(l), stderr: (l) => io.stderr(l) } })) as ExitCode;
}
